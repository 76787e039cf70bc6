/**
 * `autopack baseline update [DIR] --sarif FILE... [--baseline FILE] [--config FILE]`: writes the
 * security baseline from the scanners' SARIF (checks/security-baseline/refresh.ts), keeping the
 * first-seen dates and justifications of entries that stay. Writes nothing when a SARIF log or
 * the old baseline is unusable (exit 2), and leaves the file untouched when nothing changed.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { redact } from '../../checks/redact.js';
import { loadLocalSnapshot } from '../../snapshots/local.js';
import { EXIT, UsageError, type CliIO } from '../io.js';
import { cliSecurityInputs } from '../sarif-input.js';

/** Options of `autopack baseline update`. */
export interface BaselineUpdateOptions {
  sarif?: string[];
  baseline?: string;
  config?: string;
  /** Test hook / reproducible runs: the date recorded as `firstSeen` (YYYY-MM-DD). */
  date?: string;
}

/** Registers `autopack baseline update`. */
export function registerBaseline(
  program: Command,
  io: CliIO,
  setExit: (code: number) => void,
): void {
  const baseline = program.command('baseline').description('manage the security baseline');
  baseline
    .command('update')
    .description(
      'write the security baseline from SARIF logs (keeps first-seen dates and justifications)',
    )
    .argument('[dir]', 'the repository directory', '.')
    .option(
      '--sarif <files...>',
      "SARIF logs (paths or globs); default: the config's `sarif` globs",
    )
    .option('--baseline <file>', 'baseline file to write (default: from the config)')
    .option(
      '--config <file>',
      'config file (default: DIR/.github/autopack.yml, else autopack:recommended)',
    )
    .option('--date <yyyy-mm-dd>', 'the first-seen date for new entries (default: today, UTC)')
    .action(async (dir: string, opts: BaselineUpdateOptions) => {
      if (opts.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(opts.date)) {
        throw new UsageError(`--date ${opts.date}: expected YYYY-MM-DD`);
      }
      const { sarif, securityBaseline, section } = await cliSecurityInputs(opts, dir, 'write');
      if (!sarif || sarif.length === 0) {
        throw new UsageError(
          "no SARIF input: give the scanners' logs with --sarif FILE... or the `sarif` globs in the config",
        );
      }
      // Loaded on use: other verbs never parse the SARIF and baseline code.
      const { snapshotReader } = await import('../../checks/security-baseline/extract.js');
      const { BaselineRefreshError, computeBaselineRefresh, utcDate } =
        await import('../../checks/security-baseline/refresh.js');
      const snapshot = await loadLocalSnapshot(dir);
      const target =
        opts.baseline !== undefined
          ? path.resolve(opts.baseline)
          : path.resolve(dir, section.baseline);
      let result;
      try {
        result = await computeBaselineRefresh({
          sarif,
          previousText: securityBaseline.text,
          previousLabel: securityBaseline.path,
          hasFile: (p) => snapshot.hasFile(p),
          readSource: snapshotReader(snapshot),
          today: opts.date ?? utcDate(),
        });
      } catch (e) {
        if (e instanceof BaselineRefreshError) {
          io.stderr.write(`autopack: ${redact(e.message)}\n`);
          setExit(EXIT.usage);
          return;
        }
        throw e;
      }
      const shown = path.relative(process.cwd(), target) || target;
      if (securityBaseline.text === result.text) {
        io.stdout.write(`${shown}: up to date (${result.entries.length} entries)\n`);
      } else {
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, result.text);
        io.stdout.write(
          `${shown}: wrote ${result.entries.length} entries (+${result.entered.length} entered, -${result.left.length} left, ${result.updated.length} updated)\n`,
        );
      }
      if (result.stats.duplicates)
        io.stdout.write(`${result.stats.duplicates} duplicate result(s) merged\n`);
      io.stdout.write('\n' + redact(result.summary));
      setExit(EXIT.ok);
    });
}
