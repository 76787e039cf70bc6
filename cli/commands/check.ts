import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  CHECK_IDS,
  isCheckId,
  type CheckId,
  type CheckInputs,
  type Report,
} from '../../checks/model.js';
import { formatJson } from '../../checks/report/json.js';
import { formatMarkdown } from '../../checks/report/markdown.js';
import { formatSarif } from '../../checks/report/sarif.js';
import { formatText } from '../../checks/report/text.js';
import { CHECKS } from '../../checks/registry.js';
import { runChecks } from '../../checks/runner.js';
import { loadLocalContext } from '../context.js';
import { EXIT, UsageError, type CliIO } from '../io.js';

/** The report formats of `--format`. */
export const FORMATS = ['text', 'json', 'sarif', 'markdown'] as const;
export type Format = (typeof FORMATS)[number];

/** Options of `autopack check`, as commander parses them. */
export interface CheckCommandOptions {
  config?: string;
  checks?: string;
  format?: string;
  output?: string;
  base?: string;
  sarif?: string[];
  baseline?: string;
}

/**
 * Hooks that other modules register to feed `autopack check` inputs (e.g. the SARIF logs of
 * `--sarif` for security-baseline). Each returns the inputs to merge.
 */
export const checkInputProviders: Array<
  (opts: CheckCommandOptions, dir: string) => Promise<Partial<CheckInputs>>
> = [];

/** Parses `--checks a,b`; throws UsageError naming an unknown id. */
export function parseCheckList(value: string | undefined): CheckId[] | undefined {
  if (value === undefined) return undefined;
  const ids = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const id of ids) {
    if (!isCheckId(id))
      throw new UsageError(`unknown check "${id}" (known: ${CHECK_IDS.join(', ')})`);
  }
  return ids as CheckId[];
}

/** Formats a report in the chosen format. */
export function render(report: Report, format: Format, color: boolean): string {
  switch (format) {
    case 'json':
      return formatJson(report);
    case 'sarif':
      return formatSarif(report);
    case 'markdown':
      return formatMarkdown(report);
    default:
      return formatText(report, { color });
  }
}

/** Registers `autopack check [DIR]`. */
export function registerCheck(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('check')
    .description('run the checks on a local checkout')
    .argument('[dir]', 'the repository directory', '.')
    .option(
      '--config <file>',
      'config file (default: DIR/.github/autopack.yml, else autopack:recommended)',
    )
    .option('--checks <ids>', `comma-separated check ids (${CHECK_IDS.join(', ')})`)
    .option('--format <format>', `output format: ${FORMATS.join(' | ')}`, 'text')
    .option('--output <file>', 'write the report to a file instead of stdout')
    .option('--base <ref>', 'evaluate the change REF...HEAD as a pull request would be')
    .option('--sarif <files...>', 'SARIF logs (paths or globs) for the security-baseline check')
    .option('--baseline <file>', 'security baseline file (default: from the config)')
    .action(async (dir: string, opts: CheckCommandOptions) => {
      const format = opts.format as Format;
      if (!FORMATS.includes(format))
        throw new UsageError(`unknown format "${opts.format}" (known: ${FORMATS.join(', ')})`);
      const only = parseCheckList(opts.checks);
      // One lstat per tracked file only when a selected check reads sizes or file problems.
      const fileStats = CHECKS.some((c) => (!only || only.includes(c.id)) && c.needsFileStats);
      const { config, snapshot } = await loadLocalContext({
        dir,
        configFile: opts.config,
        baseRef: opts.base,
        fileStats,
      });
      let inputs: CheckInputs = {};
      for (const provide of checkInputProviders)
        inputs = { ...inputs, ...(await provide(opts, dir)) };
      const report = await runChecks({ snapshot, config, only, inputs });
      const color = !opts.output && format === 'text' && !!io.stdout.isTTY && !io.env.NO_COLOR;
      const text = render(report, format, color);
      if (opts.output) await writeFile(opts.output, text);
      else io.stdout.write(text);
      setExit(report.totals.error > 0 ? EXIT.findings : EXIT.ok);
    });
}
