/**
 * Helpers for the sot tests: run the check on a fixture repository exactly as the CLI does
 * (config from the working tree, or from the merge base with `--base`), and run the CLI.
 */
import { gitFixture, type Fixture } from '../helpers/git-fixture.js';
import { loadLocalContext } from '../../cli/context.js';
import { main } from '../../cli/main.js';
import type { CliIO } from '../../cli/io.js';
import { silentLogger, type Check, type CheckOutcome, type Finding } from '../../checks/model.js';
import { runSot } from '../../checks/sot/index.js';

/** Runs the sot check on `dir` (with `base`: evaluating `base...HEAD`). */
export async function runSotOn(
  dir: string,
  opts: { base?: string; checks?: readonly Check[] } = {},
): Promise<CheckOutcome> {
  const { config, snapshot } = await loadLocalContext({ dir, baseRef: opts.base });
  return runSot(
    { snapshot, config, logger: silentLogger, inputs: {} },
    { checks: opts.checks ?? [] },
  );
}

/** The findings of one rule. */
export function byRule(outcome: CheckOutcome, rule: string): Finding[] {
  return outcome.findings.filter((f) => f.ruleId === rule);
}

/** Runs the CLI in-process; returns exit code and captured output. */
export async function cli(
  argv: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** A YAML config for `.github/autopack.yml` with only the sot check on. */
export function sotConfig(sotYaml: string): string {
  const body = sotYaml
    .trim()
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
  return `extends: autopack:recommended\nworkspace-structure:\n  enabled: false\nsot:\n  enabled: true\n${body}\n`;
}

/** Files of a fixture; `null` leaves a path out (handy to derive a variant from a base map). */
export type Files = Record<string, string | Uint8Array | null>;

/** Creates real git fixture repositories and removes them all in `cleanup` (call in afterEach). */
export function fixtures(): { repo(files: Files): Promise<Fixture>; cleanup(): Promise<void> } {
  const made: Fixture[] = [];
  return {
    async repo(files) {
      const present = Object.fromEntries(
        Object.entries(files).filter((e): e is [string, string | Uint8Array] => e[1] !== null),
      );
      const fx = await gitFixture(present);
      made.push(fx);
      return fx;
    },
    async cleanup() {
      await Promise.all(made.splice(0).map((f) => f.cleanup()));
    },
  };
}
