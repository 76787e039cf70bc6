/**
 * `autopack explain PATH...`: the verb's options and registration. The work (cli/commands/
 * explain-run.ts) loads when the verb runs, so other verbs never parse the governance code.
 */
import type { Command } from 'commander';
import type { CliIO } from '../io.js';

/** Options of `autopack explain`, as commander parses them. */
export interface ExplainOptions {
  dir?: string;
  config?: string;
  base?: string;
  format?: string;
}

/** Registers `autopack explain PATH...`. */
export function registerExplain(
  program: Command,
  io: CliIO,
  setExit: (code: number) => void,
): void {
  program
    .command('explain')
    .description(
      'which governance rules protect a path and who may approve a change to it (CODEOWNERS included)',
    )
    .argument('<paths...>', 'repository paths (relative to --dir)')
    .option('--dir <dir>', 'the repository directory', '.')
    .option(
      '--config <file>',
      'config file (default: DIR/.github/autopack.yml, else autopack:recommended)',
    )
    .option(
      '--base <ref>',
      'read the policy and CODEOWNERS at the merge base of REF and HEAD, as a pull request is judged',
    )
    .option('--format <format>', 'output format: text | json', 'text')
    .action(async (paths: string[], opts: ExplainOptions) => {
      const { runExplain } = await import('./explain-run.js');
      setExit(await runExplain(paths, opts, io));
    });
}
