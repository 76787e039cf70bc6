import type { Command } from 'commander';
import { stringify } from 'yaml';
import { loadLocalConfig } from '../context.js';
import { EXIT, type CliIO } from '../io.js';

/** Registers `autopack config validate` and `autopack config print`. */
export function registerConfig(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const config = program.command('config').description('validate or print the configuration');
  config
    .command('validate')
    .description(
      'validate the config (and its extends chain); exit 2 with file, line and key on error',
    )
    .argument('[dir]', 'the repository directory', '.')
    .option('--config <file>', 'config file to validate')
    .action(async (dir: string, opts: { config?: string }) => {
      const resolved = await loadLocalConfig({ dir, configFile: opts.config });
      io.stdout.write(`valid: ${resolved.layers.join(' <- ')}\n`);
      setExit(EXIT.ok);
    });
  config
    .command('print')
    .description('print the resolved config (after extends) as YAML')
    .argument('[dir]', 'the repository directory', '.')
    .option('--config <file>', 'config file')
    .action(async (dir: string, opts: { config?: string }) => {
      const resolved = await loadLocalConfig({ dir, configFile: opts.config });
      io.stdout.write(
        `# resolved from: ${resolved.layers.join(' <- ')}\n${stringify(resolved.values)}`,
      );
      setExit(EXIT.ok);
    });
}
