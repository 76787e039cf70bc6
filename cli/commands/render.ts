/**
 * `autopack render [DIR]`: the verb's options and registration. The work (cli/commands/
 * render-run.ts) loads when the verb runs, so other verbs never parse the sot check's code.
 */
import type { Command } from 'commander';
import { RENDER_KEYS } from '../../checks/sot/render/keys.js';
import type { CliIO } from '../io.js';

/** Options of `autopack render`, as commander parses them. */
export interface RenderCommandOptions {
  config?: string;
  write?: boolean;
  check?: boolean;
}

/** Registers `autopack render [DIR]`. */
export function registerRender(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('render')
    .description(
      `render the policy into <!-- autopack:render KEY --> sections of Markdown files (keys: ${RENDER_KEYS.join(', ')})`,
    )
    .argument('[dir]', 'the repository directory', '.')
    .option(
      '--config <file>',
      'config file (default: DIR/.github/autopack.yml, else autopack:recommended)',
    )
    .option('--write', 'rewrite the out-of-date sections in place (only between the markers)')
    .option(
      '--check',
      'exit 1 when a section is out of date (with --write: when one was rewritten)',
    )
    .action(async (dir: string, opts: RenderCommandOptions) => {
      const { runRender } = await import('./render-run.js');
      setExit(await runRender(dir, opts, io));
    });
}
