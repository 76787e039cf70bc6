/**
 * Helpers for the security-baseline tests: real SARIF fixtures (test/fixtures/sarif/README.md),
 * real git repositories, the real config resolution and the real runner.
 */
import { readFileSync } from 'node:fs';
import type { CheckResult, Finding } from '../../checks/model.js';
import { runChecks } from '../../checks/runner.js';
import { snapshotReader } from '../../checks/security-baseline/extract.js';
import { computeBaselineRefresh } from '../../checks/security-baseline/refresh.js';
import type { SarifInputFile } from '../../checks/security-baseline/types.js';
import { securityBaselineCheck } from '../../checks/security-baseline/index.js';
import type { RepoSnapshot } from '../../checks/snapshot.js';
import { resolveConfig } from '../../policies/load.js';
import { loadLocalSnapshot } from '../../snapshots/local.js';

/** Text of a fixture under test/fixtures/sarif/. */
export function fixture(rel: string): string {
  return readFileSync(new URL(`../fixtures/sarif/${rel}`, import.meta.url), 'utf8');
}

/** A SARIF input as a shell hands it over. */
export function sarifInput(rel: string, as = rel): SarifInputFile {
  return { path: as, text: fixture(rel) };
}

/** Runs security-baseline alone on a snapshot with the given config text (default: the preset). */
export async function runBaselineCheck(
  snapshot: RepoSnapshot,
  sarif: SarifInputFile[] | undefined,
  configText?: string,
): Promise<CheckResult> {
  const config = await resolveConfig({
    readFile: async () => undefined,
    configText,
    configPath: '.github/autopack.yml',
  });
  const report = await runChecks({
    snapshot,
    config,
    only: ['security-baseline'],
    checks: [securityBaselineCheck],
    inputs: sarif ? { sarif } : {},
  });
  return report.results[0]!;
}

/** A baseline text for a checkout, as `autopack baseline update` would write it. */
export async function baselineFor(
  dir: string,
  sarif: SarifInputFile[],
  today = '2024-01-02',
  previousText?: string,
): Promise<string> {
  const snapshot = await loadLocalSnapshot(dir);
  const r = await computeBaselineRefresh({
    sarif,
    previousText,
    previousLabel: 'baseline',
    hasFile: (p) => snapshot.hasFile(p),
    readSource: snapshotReader(snapshot),
    today,
  });
  return r.text;
}

/** Findings of one rule. */
export function byRule(r: CheckResult, ruleId: string): Finding[] {
  return r.findings.filter((f) => f.ruleId === ruleId);
}
