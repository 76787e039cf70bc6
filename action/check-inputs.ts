/**
 * Extra inputs for the checks, gathered the way the App and the CLI gather them:
 * - governance: github/governance/provider.ts, the App's own provider, with the workflow
 *   token's identity as the ledger's trusted author (input `bot-login`, default
 *   `github-actions[bot]`). A pull request gets its comments, reviews and eligibility facts; a
 *   branch run is told to skip with the reason. Without a token the check gets nothing and
 *   decides for itself (it fails closed on a pull request).
 * - security-baseline: the SARIF logs of the `sarif` input (paths or globs in the workspace; a
 *   pattern that matches nothing is an error), else the config's `security-baseline.sarif` globs;
 *   the baseline location from the `baseline` input, else the config. On a pull request the check
 *   reads the baseline from the BASE commit (only its path is handed over), never the head.
 */
import path from 'node:path';
import type { CheckInputs } from '../checks/model.js';
import { resolveSection, type SecurityBaselineSection } from '../checks/security-baseline/index.js';
import { createGovernanceInputProvider } from '../github/governance/provider.js';
import type { ResolvedConfig } from '../policies/types.js';
import { baselineInput, expandSarifPatterns, readSarifFiles } from '../cli/sarif-input.js';
import { UsageError } from '../cli/io.js';
import { ActionError, type MainDeps } from './deps.js';
import type { Evaluation } from './evaluation.js';

/** The ledger identity when the `bot-login` input is empty: the identity of `${{ github.token }}`. */
export const DEFAULT_BOT_LOGIN = 'github-actions[bot]';

/** The inputs to merge into the run's CheckInputs. Rejects with ActionError or GitHubAPIError. */
export async function gatherCheckInputs(deps: MainDeps, ev: Evaluation): Promise<CheckInputs> {
  const wanted = (id: string) =>
    deps.inputs.checks ? deps.inputs.checks.includes(id as never) : enabled(ev.config, id);
  const inputs: CheckInputs = {};
  if (
    wanted('governance') &&
    ev.baseSha !== undefined &&
    !ev.pull &&
    ev.queuedPullNumber === undefined
  ) {
    // A merge group whose branch names no pull request: there is no ledger to judge it by, and
    // "skipped" would pass a required check. Fail closed, as the App does.
    throw new ActionError(
      'cannot tell which pull request this merge group belongs to (its branch does not end in pr-<number>-<sha>), so governance cannot judge it',
    );
  }
  if (wanted('governance') && deps.client) {
    const provide = createGovernanceInputProvider(
      async () => deps.inputs.botLogin || DEFAULT_BOT_LOGIN,
    );
    Object.assign(
      inputs,
      await provide({
        client: deps.client,
        repo: deps.event.repo,
        // A merge group is judged with the ledger of the pull request it queues, as the App does.
        pullNumber: ev.pull?.number ?? ev.queuedPullNumber,
        headSha: ev.headSha,
        baseSha: ev.baseSha,
        config: ev.config,
        snapshot: ev.snapshot,
      }),
    );
  }
  if (wanted('security-baseline')) Object.assign(inputs, await securityInputs(deps, ev));
  return inputs;
}

function enabled(config: ResolvedConfig, id: string): boolean {
  const s = config.values[id] as { enabled?: boolean } | undefined;
  return s !== undefined && s.enabled !== false;
}

/** The SARIF logs and the baseline location for the security-baseline check. */
export async function securityInputs(
  deps: MainDeps,
  ev: Pick<Evaluation, 'config' | 'baseSha'>,
): Promise<CheckInputs> {
  const section = resolveSection(
    (ev.config.values['security-baseline'] ?? {}) as SecurityBaselineSection,
  );
  try {
    const patterns = deps.inputs.sarif.length ? deps.inputs.sarif : section.sarif;
    const strict = deps.inputs.sarif.length > 0;
    const files = patterns.length
      ? await expandSarifPatterns(patterns, deps.workspace, strict)
      : [];
    const sarif = patterns.length ? await readSarifFiles(files, deps.workspace) : undefined;
    const securityBaseline = await baselineInput(
      deps.workspace,
      section.baseline,
      deps.inputs.baseline ? resolveIn(deps.workspace, deps.inputs.baseline) : undefined,
      ev.baseSha,
    );
    return { ...(sarif ? { sarif } : {}), securityBaseline };
  } catch (e) {
    if (e instanceof UsageError)
      throw new ActionError(
        e.message
          .replace(/^--sarif /, 'input "sarif": ')
          .replace(/^--baseline /, 'input "baseline": '),
      );
    throw e;
  }
}

function resolveIn(workspace: string, p: string): string {
  return path.resolve(workspace, p);
}
