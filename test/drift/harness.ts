/**
 * Runs the drift check on a real fixture repository (`git init` in a temp dir) exactly as the
 * CLI does: the config is resolved from the repository (`.github/autopack.yml`, over
 * `autopack:recommended` when it says so), semantically validated, and the check runs on the
 * local snapshot of the checkout.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { driftCheck } from '../../checks/drift/index.js';
import { silentLogger, type CheckOutcome, type Finding } from '../../checks/model.js';
import { validateCheckConfigs } from '../../checks/validate-config.js';
import { resolveConfig } from '../../policies/load.js';
import type { ResolvedConfig } from '../../policies/types.js';
import { loadLocalSnapshot } from '../../snapshots/local.js';
import { gitFixture, type Fixture, type FixtureFiles } from '../helpers/git-fixture.js';

/** The result of one drift run on a fixture. */
export interface DriftRun {
  fx: Fixture;
  outcome: CheckOutcome;
  findings: Finding[];
  /** Findings of one rule. */
  of(ruleId: string): Finding[];
}

const fixtures: Fixture[] = [];

/** Deletes every fixture made by {@link driftRepo} (call from afterAll). */
export async function cleanupFixtures(): Promise<void> {
  await Promise.all(fixtures.splice(0).map((f) => f.cleanup()));
}

/** Resolves the repository's config the way cli/context.ts does (working tree, then validate). */
export async function repoConfig(dir: string): Promise<ResolvedConfig> {
  const config = await resolveConfig({
    readFile: async (p) => {
      try {
        return await readFile(path.join(dir, p), 'utf8');
      } catch {
        return undefined;
      }
    },
  });
  await validateCheckConfigs(config, [driftCheck]);
  return config;
}

/** Runs drift on an existing fixture. */
export async function runDrift(fx: Fixture, maxReadBytes?: number): Promise<DriftRun> {
  const config = await repoConfig(fx.dir);
  const snapshot = await loadLocalSnapshot(fx.dir, { maxReadBytes });
  const outcome = await driftCheck.run({ snapshot, config, logger: silentLogger, inputs: {} });
  const findings = outcome.findings;
  return { fx, outcome, findings, of: (id) => findings.filter((f) => f.ruleId === id) };
}

/**
 * Makes a committed fixture repository with `files` and a `.github/autopack.yml` holding
 * `config` (YAML, extending the recommended preset unless it says otherwise), and runs drift.
 */
export async function driftRepo(
  files: FixtureFiles,
  config?: string,
  maxReadBytes?: number,
): Promise<DriftRun> {
  const all: FixtureFiles = { ...files };
  if (config !== undefined) {
    all['.github/autopack.yml'] = config.includes('extends:')
      ? config
      : `extends: autopack:recommended\n${config}`;
  }
  const fx = await gitFixture(all);
  fixtures.push(fx);
  return runDrift(fx, maxReadBytes);
}

/** `path:line:column` of each finding, for compact assertions. */
export function where(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.path ?? ''}:${f.line ?? ''}:${f.column ?? ''}`);
}
