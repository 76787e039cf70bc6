/**
 * Runs one check end to end on a fixture directory, the way the CLI does: the config resolved
 * from the fixture's `.github/autopack.yml` (or autopack:recommended when there is none),
 * semantically validated, then `loadLocalSnapshot` + `runChecks`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CheckId, Finding, Report } from '../../checks/model.js';
import { runChecks } from '../../checks/runner.js';
import { validateCheckConfigs } from '../../checks/validate-config.js';
import { resolveConfig } from '../../policies/load.js';
import type { ResolvedConfig } from '../../policies/types.js';
import { loadLocalSnapshot, type LocalSnapshotOptions } from '../../snapshots/local.js';

/** Resolves the config of a fixture directory (its `.github/autopack.yml`, else the preset). */
export async function configOf(dir: string): Promise<ResolvedConfig> {
  const config = await resolveConfig({
    readFile: async (rel) => {
      try {
        return await readFile(path.join(dir, rel), 'utf8');
      } catch {
        return undefined;
      }
    },
  });
  await validateCheckConfigs(config);
  return config;
}

/** Runs `checkId` on `dir`; returns the report and the check's findings. */
export async function runCheck(
  dir: string,
  checkId: CheckId,
  opts: LocalSnapshotOptions = {},
): Promise<{ report: Report; findings: Finding[] }> {
  const config = await configOf(dir);
  const snapshot = await loadLocalSnapshot(dir, opts);
  const report = await runChecks({ snapshot, config, only: [checkId] });
  const result = report.results.find((r) => r.checkId === checkId);
  if (!result) throw new Error(`check ${checkId} did not run`);
  return { report, findings: result.findings };
}

/** `rule path` lines, sorted: a compact, readable assertion target. */
export function summary(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.ruleId} ${f.path ?? '(repository)'}`).sort();
}
