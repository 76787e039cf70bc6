/**
 * Runs the selected checks over one snapshot and assembles a Report. A check that throws
 * becomes a failed result with an `internal-error` finding: nothing unknown turns green.
 */
import type { ResolvedConfig } from '../policies/types.js';
import { isEnabled } from './config.js';
import { fingerprint } from './fingerprint.js';
import {
  silentLogger,
  type Check,
  type CheckId,
  type CheckInputs,
  type CheckResult,
  type Conclusion,
  type Finding,
  type Logger,
  type Report,
  type Severity,
} from './model.js';
import { CHECKS } from './registry.js';
import type { RepoSnapshot } from './snapshot.js';

/** The package version, written into reports and SARIF `tool.driver.version`. */
export const AUTOPACK_VERSION = '0.1.0';

/** Options for {@link runChecks}. */
export interface RunOptions {
  snapshot: RepoSnapshot;
  config: ResolvedConfig;
  /** Run exactly these checks (enabled or not); default: every enabled check. */
  only?: readonly CheckId[];
  logger?: Logger;
  inputs?: CheckInputs;
  /** The check list to draw from (tests pass their own); default: the registry. */
  checks?: readonly Check[];
}

/** Which checks a run selects: `only` when given, else the enabled ones, in registry order. */
export function selectChecks(
  config: ResolvedConfig,
  only?: readonly CheckId[],
  checks = CHECKS,
): Check[] {
  return only
    ? checks.filter((c) => only.includes(c.id))
    : checks.filter((c) => isEnabled(config, c.id));
}

const ran = new Set<CheckId>();

/**
 * The ids of the checks this process has run, in first-run order. The CLI's launcher keeps a
 * code cache per set of checks run (cli/launch.ts): a run of a check the cache has not seen
 * renews it.
 */
export function checksRunInProcess(): CheckId[] {
  return [...ran];
}

/** Runs the checks concurrently; resolves with the Report (never rejects for a check's failure). */
export async function runChecks(opts: RunOptions): Promise<Report> {
  const logger = opts.logger ?? silentLogger;
  const selected = selectChecks(opts.config, opts.only, opts.checks ?? CHECKS);
  const results = await Promise.all(selected.map((check) => runOne(check, opts, logger)));
  const totals: Record<Severity, number> = { error: 0, warning: 0, notice: 0 };
  for (const r of results) for (const f of r.findings) totals[f.severity]++;
  return {
    tool: { name: 'autopack', version: AUTOPACK_VERSION },
    source: opts.snapshot.source,
    headSha: opts.snapshot.headSha,
    baseRef: opts.snapshot.change?.baseRef,
    results,
    totals,
  };
}

async function runOne(check: Check, opts: RunOptions, logger: Logger): Promise<CheckResult> {
  const started = performance.now();
  ran.add(check.id);
  try {
    const outcome = await check.run({
      snapshot: opts.snapshot,
      config: opts.config,
      logger,
      inputs: opts.inputs ?? {},
    });
    const findings = sortFindings(outcome.findings);
    return {
      checkId: check.id,
      title: check.title,
      conclusion: outcome.conclusion ?? conclusionOf(findings),
      findings,
      summary: outcome.summary,
      ...(outcome.headline ? { headline: outcome.headline } : {}),
      stats: outcome.stats,
      durationMs: performance.now() - started,
    };
  } catch (e) {
    const err = e as Error;
    logger.error(`check ${check.id} failed: ${err.stack ?? err.message}`);
    return {
      checkId: check.id,
      title: check.title,
      conclusion: 'failure',
      findings: [
        {
          checkId: check.id,
          ruleId: 'internal-error',
          severity: 'error',
          message: `the ${check.id} check could not complete: ${err.message}`,
          help: 'This is a bug or an unreadable input; the check fails closed until it completes.',
          fingerprint: fingerprint(check.id, 'internal-error'),
        },
      ],
      durationMs: performance.now() - started,
    };
  }
}

/** `failure` when any finding is an error, else `success`. */
export function conclusionOf(findings: readonly Finding[]): Conclusion {
  return findings.some((f) => f.severity === 'error') ? 'failure' : 'success';
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, notice: 2 };

/** Deterministic order: path, line, column, rule, severity, message. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      cmp(a.path ?? '', b.path ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0) ||
      cmp(a.ruleId, b.ruleId) ||
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      cmp(a.message, b.message),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
