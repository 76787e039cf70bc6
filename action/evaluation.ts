/**
 * Turns an event target into what the checks run on: the resolved policy and a repository
 * snapshot, plus where results are published (the head SHA) and whether this is the scheduled
 * drift job.
 *
 * Pull requests (and merge groups): the policy is read from the BASE commit (`base.sha`). The
 * change is taken from git when the checkout has the base commit (`fetch-depth: 0`), else from
 * the API (the PR's files, complete pagination; base content by the base commit). File content
 * comes from the checkout when it holds the PR (`pull_request`, `pull_request_review`), else
 * (a `pull_request_target` or `issue_comment` run, whose checkout is the base branch) from the
 * API at the PR head.
 * Branches (`push`, `schedule`, `workflow_dispatch`): the checkout, policy from its work tree.
 */
import type { ChangeSet, RepoSnapshot } from '../checks/snapshot.js';
import type { ResolvedConfig } from '../policies/types.js';
import { git } from '../snapshots/git.js';
import { loadLocalSnapshot } from '../snapshots/local.js';
import { hasCommit, loadPolicy, type PolicySource } from './config.js';
import { branchName, type Target } from './event.js';
import { ActionError, requireClient, type MainDeps } from './deps.js';
import {
  fetchPullRequest,
  remoteChangeSet,
  remoteReader,
  remoteSnapshot,
  type PullRequestInfo,
} from './remote.js';

/** Everything a check run needs, and where its results go. */
export interface Evaluation {
  /** The commit Check Runs are published on (the PR head; the pushed or scheduled commit). */
  headSha: string;
  /** The base commit of a pull request or merge group. */
  baseSha?: string;
  /** The pull request, when evaluating one. */
  pull?: PullRequestInfo;
  config: ResolvedConfig;
  snapshot: RepoSnapshot;
  /** True for a scheduled (or dispatched) run on the default branch: the drift-report job. */
  driftJob: boolean;
  /** A Markdown line for the job summary: what was evaluated and where the policy came from. */
  summaryPreface: string;
}

type Evaluable = Exclude<Target, { kind: 'ignored' }>;

/** Builds the evaluation for `target`. Rejects with ConfigError, SnapshotError or ActionError. */
export async function prepareEvaluation(deps: MainDeps, target: Evaluable): Promise<Evaluation> {
  if (target.kind === 'ref') return prepareRef(deps, target);
  if (target.kind === 'merge-group') {
    return prepareChange(deps, {
      baseRef: target.baseRef,
      baseSha: target.baseSha,
      headSha: target.headSha,
      workspaceHoldsHead: true,
      label: `merge group into \`${target.baseRef}\``,
    });
  }
  const pull =
    target.kind === 'pull-request'
      ? pullFromPayload(deps, target)
      : await fetchPullRequest(
          requireClient(deps, `a ${target.trigger} event`),
          deps.event.repo,
          target.number,
        );
  // The checkout holds the PR unless the event checks out the base branch by default.
  const baseCheckout =
    (target.kind === 'pull-request' && target.baseCheckout) ||
    (target.kind === 'pull-request-activity' && target.trigger === 'issue_comment');
  const head = await headOf(deps.workspace);
  return prepareChange(deps, {
    baseRef: pull.baseRef,
    baseSha: pull.baseSha,
    headSha: pull.headSha,
    workspaceHoldsHead: !baseCheckout || head === pull.headSha,
    pull,
    label: `pull request [#${pull.number}](${pull.url ?? ''})`,
  });
}

interface ChangeRequest {
  baseRef: string;
  baseSha: string;
  headSha: string;
  /** True when GITHUB_WORKSPACE holds the change (the head, or the PR's merge commit). */
  workspaceHoldsHead: boolean;
  pull?: PullRequestInfo;
  label: string;
}

async function prepareChange(deps: MainDeps, req: ChangeRequest): Promise<Evaluation> {
  const { workspace, event } = deps;
  const baseLocal = await isGitCheckout(workspace).then(
    (ok) => ok && hasCommit(workspace, req.baseSha),
  );
  const policySource: PolicySource = baseLocal
    ? { kind: 'git', root: workspace, sha: req.baseSha }
    : {
        kind: 'reader',
        describe: `at the base commit ${req.baseSha.slice(0, 12)}`,
        read: remoteReader(
          requireClient(deps, 'reading the policy from the base commit'),
          event.repo,
          req.baseSha,
        ),
      };
  const config = await loadPolicy(policySource, workspace, deps.inputs.config);
  const maxReadBytes = maxReadOf(config);
  let snapshot: RepoSnapshot;
  let changeFrom: string;
  if (!req.workspaceHoldsHead) {
    if (!req.pull) throw new ActionError('the checkout does not hold the change to evaluate');
    snapshot = await remoteSnapshot(
      requireClient(deps, 'reading the pull request head'),
      event.repo,
      req.pull,
      maxReadBytes,
    );
    changeFrom = 'the GitHub API (the checkout holds the base branch, not the pull request)';
  } else if (baseLocal) {
    snapshot = await loadLocalSnapshot(workspace, { baseRef: req.baseSha, maxReadBytes });
    changeFrom = 'git';
  } else {
    if (!req.pull) {
      throw new ActionError(
        `the checkout does not have the base commit ${req.baseSha.slice(0, 12)}; check out with \`fetch-depth: 0\` to evaluate a merge group`,
      );
    }
    const local = await loadLocalSnapshot(workspace, { maxReadBytes });
    const change: ChangeSet = await remoteChangeSet(
      requireClient(deps, 'listing the pull request files'),
      event.repo,
      req.pull,
      maxReadBytes,
    );
    snapshot = withChange(local, change);
    changeFrom = 'the GitHub API (shallow checkout)';
  }
  return {
    headSha: req.headSha,
    baseSha: req.baseSha,
    pull: req.pull,
    config,
    snapshot,
    driftJob: false,
    summaryPreface: `Evaluated ${req.label}: \`${req.baseRef}\`@\`${req.baseSha.slice(0, 7)}\`...\`${req.headSha.slice(0, 7)}\`; policy read from the base commit; changed files from ${changeFrom}.`,
  };
}

async function prepareRef(
  deps: MainDeps,
  target: Extract<Target, { kind: 'ref' }>,
): Promise<Evaluation> {
  const config = await loadPolicy(
    { kind: 'worktree', root: deps.workspace },
    deps.workspace,
    deps.inputs.config,
  );
  const snapshot = await loadLocalSnapshot(deps.workspace, { maxReadBytes: maxReadOf(config) });
  const driftJob =
    target.onDefaultBranch &&
    (target.trigger === 'schedule' || target.trigger === 'workflow_dispatch');
  return {
    headSha: snapshot.headSha ?? target.headSha,
    config,
    snapshot,
    driftJob,
    summaryPreface: `Evaluated \`${branchName(target.ref)}\` at \`${(snapshot.headSha ?? target.headSha).slice(0, 7)}\` (${target.trigger}).`,
  };
}

function pullFromPayload(
  deps: MainDeps,
  t: Extract<Target, { kind: 'pull-request' }>,
): PullRequestInfo {
  const pr = deps.event.payload.pull_request as Record<string, unknown>;
  const user = pr.user as { login?: string } | undefined;
  const labels = Array.isArray(pr.labels)
    ? (pr.labels as Array<{ name?: string }>).map((l) => String(l.name))
    : undefined;
  return {
    number: t.number,
    baseRef: t.baseRef,
    baseSha: t.baseSha,
    headSha: t.headSha,
    author: user?.login,
    labels,
    url: typeof pr.html_url === 'string' ? pr.html_url : undefined,
    changedFiles: typeof pr.changed_files === 'number' ? pr.changed_files : undefined,
  };
}

/** A snapshot with a different ChangeSet (the local file list, the API's change). */
function withChange(s: RepoSnapshot, change: ChangeSet): RepoSnapshot {
  return {
    source: s.source,
    headSha: s.headSha,
    files: s.files,
    problems: s.problems,
    change,
    maxReadBytes: s.maxReadBytes,
    hasFile: (p) => s.hasFile(p),
    hasDir: (d) => s.hasDir(d),
    read: (p) => s.read(p),
  };
}

function maxReadOf(config: ResolvedConfig): number | undefined {
  return (config.values.limits as { 'max-read-bytes'?: number } | undefined)?.['max-read-bytes'];
}

async function isGitCheckout(dir: string): Promise<boolean> {
  try {
    return (await git(dir, ['rev-parse', '--is-inside-work-tree'])).toString().trim() === 'true';
  } catch {
    return false;
  }
}

async function headOf(dir: string): Promise<string | undefined> {
  try {
    return (await git(dir, ['rev-parse', 'HEAD'])).toString().trim();
  } catch {
    return undefined;
  }
}
