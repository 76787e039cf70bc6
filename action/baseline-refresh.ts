/**
 * `mode: baseline-refresh`: on the default branch (a schedule, a manual dispatch or a push),
 * refreshes the security baseline from the scanners' SARIF logs (checks/security-baseline/
 * refresh.ts: entries that still match keep their first-seen date and justification, fixed ones
 * leave, new ones enter) and opens or updates the ONE pull request that changes only the baseline
 * file (github/baseline-refresh-pr.ts). When the default branch already holds the refreshed
 * baseline, an open refresh pull request is closed and nothing is written.
 */
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { snapshotReader } from '../checks/security-baseline/extract.js';
import {
  BaselineRefreshError,
  computeBaselineRefresh,
  utcDate,
} from '../checks/security-baseline/refresh.js';
import { resolveSection, type SecurityBaselineSection } from '../checks/security-baseline/index.js';
import { redact } from '../checks/redact.js';
import { normalizeRepoPath } from '../checks/snapshot.js';
import { openOrUpdateBaselineRefreshPr } from '../github/baseline-refresh-pr.js';
import { loadLocalSnapshot } from '../snapshots/local.js';
import { securityInputs } from './check-inputs.js';
import { loadPolicy } from './config.js';
import { ActionError, requireClient, type MainDeps, type MainResult } from './deps.js';
import { branchName, type Target } from './event.js';
import { setOutputs, writeJobSummary } from './publish.js';

/** Refreshes the baseline and proposes it. Rejects with ActionError, ConfigError or GitHubAPIError. */
export async function runBaselineRefresh(
  deps: MainDeps,
  target: Exclude<Target, { kind: 'ignored' }>,
): Promise<MainResult> {
  if (target.kind !== 'ref' || !target.ref.startsWith('refs/heads/')) {
    throw new ActionError(
      'mode: baseline-refresh runs on a branch (schedule, workflow_dispatch or push to the default branch), never on a pull request: a pull request must not baseline its own findings',
    );
  }
  const client = requireClient(deps, 'mode: baseline-refresh');
  const config = await loadPolicy(
    { kind: 'worktree', root: deps.workspace },
    deps.workspace,
    deps.inputs.config,
  );
  const section = resolveSection(
    (config.values['security-baseline'] ?? {}) as SecurityBaselineSection,
  );
  const { sarif } = await securityInputs(deps, { config });
  if (!sarif || sarif.length === 0) {
    throw new ActionError(
      'mode: baseline-refresh needs SARIF logs: give the scanners\' logs in the "sarif" input or `security-baseline.sarif` in the config',
    );
  }
  const baselinePath = repoPathOf(deps.workspace, deps.inputs.baseline ?? section.baseline);
  const previousText = await readFile(path.join(deps.workspace, baselinePath), 'utf8').catch(
    (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    },
  );
  const snapshot = await loadLocalSnapshot(deps.workspace);
  let result;
  try {
    result = await computeBaselineRefresh({
      sarif,
      previousText,
      previousLabel: baselinePath,
      hasFile: (p) => snapshot.hasFile(p),
      readSource: snapshotReader(snapshot),
      today: utcDate(),
    });
  } catch (e) {
    if (e instanceof BaselineRefreshError) throw new ActionError(e.message);
    throw e;
  }
  const outcome = await openOrUpdateBaselineRefreshPr(client, deps.event.repo, {
    base: branchName(target.ref),
    path: baselinePath,
    content: result.text,
    body: redact(result.summary),
  });
  const counts = `${result.entries.length} entries (+${result.entered.length} entered, -${result.left.length} left, ${result.updated.length} updated)`;
  let line: string;
  if (outcome.action === 'up-to-date') {
    line = `The baseline \`${baselinePath}\` on \`${branchName(target.ref)}\` is up to date: ${counts}.${outcome.closedPullNumber ? ` Closed the stale refresh pull request #${outcome.closedPullNumber}.` : ''}`;
  } else {
    line = `${outcome.action === 'created' ? 'Opened' : 'Updated'} the baseline refresh pull request [#${outcome.pullNumber}](${outcome.url}): ${counts}.`;
  }
  setOutputs({ conclusion: 'success', findings: result.entries.length });
  await writeJobSummary(
    `## Autopack security baseline refresh\n\n${redact(line)}\n\n${redact(result.summary)}\n`,
  );
  return {
    conclusion: 'success',
    findings: result.entries.length,
    failed: false,
    message: `autopack: ${line}`,
  };
}

/** The baseline's repository path; refuses a path outside the workspace (it could not be proposed). */
function repoPathOf(workspace: string, p: string): string {
  const rel = path.isAbsolute(p) ? path.relative(workspace, p) : p;
  const norm = normalizeRepoPath(rel.split(path.sep).join('/'));
  if (!norm)
    throw new ActionError(
      `the baseline ${p} is outside the repository, so no pull request can change it`,
    );
  return norm;
}
