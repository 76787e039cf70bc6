/**
 * The `autopack` command line. `main` parses argv, runs one verb and resolves with the exit
 * code (0 clean, 1 error findings, 2 usage or configuration error); it never calls
 * process.exit, so tests run it in-process.
 */
import { Command, CommanderError } from 'commander';
import { AUTOPACK_VERSION } from '../checks/runner.js';
import { ConfigError } from '../policies/errors.js';
import { SnapshotError } from '../snapshots/local.js';
import { redact } from '../checks/redact.js';
import { registerCheck } from './commands/check.js';
import { registerConfig } from './commands/config.js';
import { registerExtraCommands } from './commands/index.js';
import { EXIT, UsageError, type CliIO } from './io.js';

/** Runs the CLI with `argv` (without the node and script entries); resolves with the exit code. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  let exit: number = EXIT.ok;
  const setExit = (code: number) => {
    exit = code;
  };
  const program = new Command('autopack')
    .description(
      'Keeps a repository honest about itself: workspace structure, drift, SOT, pinning, governance, security baseline.',
    )
    .version(AUTOPACK_VERSION)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });
  registerCheck(program, io, setExit);
  registerConfig(program, io, setExit);
  registerExtraCommands(program, io, setExit);
  for (const cmd of program.commands) {
    cmd.exitOverride();
    for (const sub of cmd.commands) sub.exitOverride();
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exit;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (
        e.code === 'commander.helpDisplayed' ||
        e.code === 'commander.version' ||
        e.code === 'commander.help'
      )
        return EXIT.ok;
      return EXIT.usage;
    }
    if (e instanceof ConfigError) {
      io.stderr.write(`autopack: invalid configuration\n${redact(e.message)}\n`);
      return EXIT.usage;
    }
    if (e instanceof UsageError || e instanceof SnapshotError) {
      io.stderr.write(`autopack: ${redact(e.message)}\n`);
      return EXIT.usage;
    }
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT' || err.code === 'EACCES' || err.code === 'EISDIR') {
      io.stderr.write(`autopack: ${redact(err.message)}\n`);
      return EXIT.usage;
    }
    io.stderr.write(`autopack: internal error: ${redact(err.stack ?? String(e))}\n`);
    return EXIT.usage;
  }
}
