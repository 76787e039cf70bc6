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
import { readdir } from 'node:fs/promises';
import type { ChangeSet, RepoSnapshot } from '../checks/snapshot.js';
import type { ResolvedConfig } from '../policies/types.js';
import { git } from '../snapshots/git.js';
import { loadLocalSnapshot } from '../snapshots/local.js';
import { hasCommit, loadPolicy, type PolicySource } from './config.js';
import { branchName, type Target } from './event.js';
import { ActionError, requireClient, type MainDeps } from './deps.js';
import { mergeGroupPullNumber } from '../github/governance/handlers.js';
import type { GitHubAPIError } from '../github/errors.js';
import {
  describeSource,
  fetchPullRequest,
  remoteChangeSet,
  remoteReader,
  remoteSession,
  remoteSnapshot,
  type PullRequestInfo,
  type RemoteSession,
} from './remote.js';

/**
 * What an event asks to evaluate, before the policy is read: where Check Runs go, the pull
 * request, where the policy comes from, and how the snapshot will be built.
 */
export interface EvaluationPlan {
  /** The commit Check Runs are published on (the PR head; the pushed or scheduled commit). */
  headSha: string;
  /** The base branch name and commit of a pull request or merge group. */
  baseRef?: string;
  baseSha?: string;
  /** The pull request, when evaluating one. */
  pull?: PullRequestInfo;
  /** For a merge group: the queued pull request its branch names (its ledger judges the group). */
  queuedPullNumber?: number;
  /** The policy: the base commit (git or API) for a change, the work tree for a branch. */
  policySource: PolicySource;
  /** True for a scheduled (or dispatched) run on the default branch: the drift-report job. */
  driftJob: boolean;
  /** How the snapshot is built. */
  snapshotFrom: 'worktree' | 'git-change' | 'api-change' | 'api-head';
  /** Markdown: what is evaluated, for the job summary and the Check Run footers. */
  label: string;
}

/** Everything a check run needs, and where its results go. */
export interface Evaluation extends EvaluationPlan {
  config: ResolvedConfig;
  snapshot: RepoSnapshot;
  /** A Markdown line for the job summary: what was evaluated and where the policy came from. */
  summaryPreface: string;
  /** GitHub API failures met while reading lazily: any one fails the run closed. */
  apiErrors: readonly GitHubAPIError[];
}

type Evaluable = Exclude<Target, { kind: 'ignored' }>;

/**
 * Decides what to evaluate and where the policy comes from. Reads the pull request from the API
 * for comment and review events. Rejects with ActionError or GitHubAPIError.
 */
export async function planEvaluation(deps: MainDeps, target: Evaluable): Promise<EvaluationPlan> {
  const { workspace } = deps;
  if (target.kind === 'ref') {
    if (
      !(await isGitCheckout(workspace)) &&
      (await readdir(workspace).catch(() => [])).length === 0
    ) {
      throw new ActionError(
        `the workspace ${workspace} is empty: add actions/checkout before this step (the checks run on the checkout)`,
      );
    }
    return {
      headSha: (await headOf(workspace)) ?? target.headSha,
      policySource: { kind: 'worktree', root: workspace },
      driftJob:
        target.onDefaultBranch &&
        (target.trigger === 'schedule' || target.trigger === 'workflow_dispatch'),
      snapshotFrom: 'worktree',
      label: `\`${branchName(target.ref)}\` (${target.trigger})`,
    };
  }
  let pull: PullRequestInfo | undefined;
  let queuedPullNumber: number | undefined;
  let change: { baseRef: string; baseSha: string; headSha: string };
  let workspaceHoldsHead = true;
  let label: string;
  if (target.kind === 'merge-group') {
    change = target;
    queuedPullNumber = mergeGroupPullNumber(target.headRef);
    label = `merge group into \`${target.baseRef}\``;
  } else {
    pull =
      target.kind === 'pull-request'
        ? pullFromPayload(deps, target)
        : await fetchPullRequest(session(deps, `a ${target.trigger} event`), target.number);
    change = pull;
    label = `pull request [#${pull.number}](${pull.url ?? ''})`;
    // pull_request_target and issue_comment runs check out the base branch by default.
    const baseCheckout =
      (target.kind === 'pull-request' && target.baseCheckout) ||
      (target.kind === 'pull-request-activity' && target.trigger === 'issue_comment');
    // The checkout holds the change when HEAD is the PR head, or the merge commit GitHub made
    // for a `pull_request` run (GITHUB_SHA); anything else (no checkout, the base branch, another
    // ref) is read through the API at the PR head.
    const head = (await isGitCheckout(workspace)) ? await headOf(workspace) : undefined;
    workspaceHoldsHead =
      head !== undefined && (head === pull.headSha || (!baseCheckout && head === deps.event.sha));
  }
  const baseLocal =
    (await isGitCheckout(workspace)) && (await hasCommit(workspace, change.baseSha));
  const policySource: PolicySource = baseLocal
    ? { kind: 'git', root: workspace, sha: change.baseSha }
    : {
        kind: 'reader',
        describe: `at the base commit ${change.baseSha.slice(0, 12)}`,
        read: remoteReader(
          session(deps, 'reading the policy from the base commit'),
          change.baseSha,
        ),
      };
  if (!workspaceHoldsHead && !pull)
    throw new ActionError('the checkout does not hold the change to evaluate');
  if (workspaceHoldsHead && !baseLocal && !pull) {
    throw new ActionError(
      `the checkout does not have the base commit ${change.baseSha.slice(0, 12)}; check out with \`fetch-depth: 0\` to evaluate a merge group`,
    );
  }
  return {
    headSha: change.headSha,
    baseRef: change.baseRef,
    baseSha: change.baseSha,
    pull,
    queuedPullNumber,
    policySource,
    driftJob: false,
    snapshotFrom: !workspaceHoldsHead ? 'api-head' : baseLocal ? 'git-change' : 'api-change',
    label,
  };
}

/** Resolves the plan's policy. Rejects with ConfigError (file, line, key) or GitHubAPIError. */
export function loadPlanPolicy(deps: MainDeps, plan: EvaluationPlan): Promise<ResolvedConfig> {
  return loadPolicy(plan.policySource, deps.workspace, deps.inputs.config);
}

/** Builds the snapshot the plan names. Rejects with SnapshotError or GitHubAPIError. */
export async function buildEvaluation(
  deps: MainDeps,
  plan: EvaluationPlan,
  config: ResolvedConfig,
): Promise<Evaluation> {
  const { workspace } = deps;
  const maxReadBytes = maxReadOf(config);
  let snapshot: RepoSnapshot;
  let changeFrom = '';
  switch (plan.snapshotFrom) {
    case 'worktree':
      snapshot = await loadLocalSnapshot(workspace, { maxReadBytes });
      break;
    case 'git-change':
      snapshot = await loadLocalSnapshot(workspace, { baseRef: plan.baseSha, maxReadBytes });
      changeFrom = 'git';
      break;
    case 'api-change': {
      const local = await loadLocalSnapshot(workspace, { maxReadBytes });
      const remote = await remoteChangeSet(
        session(deps, 'listing the pull request files'),
        plan.pull!,
        local.files,
        maxReadBytes,
      );
      snapshot = withChange(local, remote.change);
      changeFrom = `${describeSource(remote.source)} (shallow checkout)`;
      break;
    }
    case 'api-head': {
      const remote = await remoteSnapshot(
        session(deps, 'reading the pull request head'),
        plan.pull!,
        maxReadBytes,
      );
      snapshot = remote.snapshot;
      changeFrom = `${describeSource(remote.source)}; file content from the API at the head (the checkout holds the base branch)`;
      break;
    }
  }
  const summaryPreface =
    plan.baseSha === undefined
      ? `Evaluated ${plan.label} at \`${plan.headSha.slice(0, 7)}\`; policy read from the work tree.`
      : `Evaluated ${plan.label}: \`${plan.baseRef}\`@\`${plan.baseSha.slice(0, 7)}\`...\`${plan.headSha.slice(0, 7)}\`; policy read from the base commit; changed files from ${changeFrom}.`;
  return {
    ...plan,
    config,
    snapshot,
    summaryPreface,
    apiErrors: sessions.get(deps)?.apiErrors ?? [],
  };
}

const sessions = new WeakMap<MainDeps, RemoteSession>();

/** The run's API session (one cache, one list of lazy-read failures), created on first use. */
export function session(deps: MainDeps, what: string): RemoteSession {
  let s = sessions.get(deps);
  if (!s) sessions.set(deps, (s = remoteSession(requireClient(deps, what), deps.event.repo)));
  return s;
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
