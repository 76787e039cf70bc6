/**
 * From webhook payloads to evaluation requests: pure functions, no I/O.
 *
 * Which events evaluate what (source: GitHub webhook docs for each event):
 * - `pull_request` opened / synchronize / reopened / ready_for_review, and `edited` when the base
 *   branch changed: the pull request at its head.
 * - `check_suite` requested / rerequested: the pull requests of the suite (same repository only;
 *   GitHub leaves `pull_requests` empty for forks, whose `pull_request` events cover them), or
 *   the default branch when the suite is on it. A re-request forces a fresh evaluation.
 * - `check_run` rerequested: the pull request or branch the run was written for (read back from
 *   its `external_id`), re-running only the checks that run stands for.
 * - `push` to the default branch: the new head of the default branch.
 * - `merge_group` checks_requested: the merge group's head commit, judged against its base.
 * Everything else is ignored with a reason (logged at debug level).
 */
import type { CheckId } from '../checks/model.js';
import type { RepoRef } from '../github/client.js';

/** What is evaluated. */
export type TargetKind = 'pull_request' | 'branch' | 'merge_group';

/** The commit to evaluate and what it is judged against. */
export interface EvaluationTarget {
  kind: TargetKind;
  installationId: number;
  repo: RepoRef;
  /** The commit evaluated; absent when only the pull request number is known (resolved first). */
  headSha?: string;
  /**
   * The base branch: the pull request's base, the merge group's base, or the pushed branch itself.
   * Absent only while a pull request is still to be resolved.
   */
  baseRef?: string;
  /**
   * The base commit the policy is read from and the change is measured from: a pull request's base
   * tip, a push's `before` (absent for a new branch), a merge group's `base_sha`.
   */
  baseSha?: string;
  pullNumber?: number;
  /** The merge group's head ref (`refs/heads/gh-readonly-queue/...`). */
  headRef?: string;
  /** The pull request's `changed_files` from the payload (a hint for choosing the file listing). */
  changedFiles?: number;
  /** When GitHub last updated the pull request / suite (orders out-of-order deliveries). */
  updatedAt?: string;
}

/** A request to evaluate a target, as the scheduler queues it. */
export interface EvaluationRequest {
  target: EvaluationTarget;
  /**
   * True for an explicit re-run (re-requested suite or run, base branch changed, governance
   * re-evaluation): republish even when this head already has results.
   */
  force: boolean;
  /** Only these checks (e.g. governance re-evaluating after an approval). */
  only?: CheckId[];
  /** Only the checks these Check Runs stand for (a re-run of one run). Absent with `only`: all. */
  onlyRuns?: string[];
  /** The events behind the request, e.g. `pull_request.synchronize`. */
  reasons: string[];
  /** Delivery ids (X-GitHub-Delivery) behind the request. */
  deliveries: string[];
  /** When the first of these events was received (ms since epoch). */
  firstReceivedAt: number;
  /** When the newest of these events was received (ms since epoch). */
  receivedAt: number;
}

/** A check run or suite re-request whose target must be read from GitHub first. */
export interface SuiteLookup {
  installationId: number;
  repo: RepoRef;
  checkSuiteId: number;
  headSha: string;
  headBranch?: string;
  defaultBranch?: string;
}

/** What a webhook turns into. */
export type Routed =
  | { kind: 'evaluate'; requests: EvaluationRequest[] }
  | {
      kind: 'lookup-suite';
      lookup: SuiteLookup;
      force: boolean;
      reason: string;
      delivery: string;
      receivedAt: number;
    }
  | { kind: 'cancel'; key: string; reason: string }
  | { kind: 'ignore'; reason: string };

const ZERO_SHA = /^0{40}$/;

/** The scheduler key of a target: one evaluation at a time per pull request, branch or merge group. */
export function keyOf(t: EvaluationTarget): string {
  const where = `${t.installationId}:${t.repo.owner}/${t.repo.repo}`;
  if (t.kind === 'pull_request') return `${where}#${t.pullNumber}`;
  if (t.kind === 'merge_group') return `${where}@mq:${t.headRef ?? t.headSha}`;
  return `${where}@${t.baseRef}`;
}

/**
 * The `external_id` written on every Check Run: routes a re-run of that run back to its target.
 * Form: `autopack:pr=<n>`, `autopack:branch=<name>` or `autopack:mq=<headRef>`, then `;base=<sha>`
 * (the base commit the result was computed against).
 */
export function externalIdOf(t: EvaluationTarget): string {
  const what =
    t.kind === 'pull_request'
      ? `pr=${t.pullNumber}`
      : t.kind === 'merge_group'
        ? `mq=${t.headRef ?? ''}`
        : `branch=${t.baseRef}`;
  return `autopack:${what};base=${t.baseSha ?? ''}`;
}

/** Parses an {@link externalIdOf} value; undefined for anything else. */
export function parseExternalId(
  id: string | null | undefined,
): { pullNumber?: number; branch?: string; mergeGroupRef?: string; baseSha?: string } | undefined {
  if (!id?.startsWith('autopack:')) return undefined;
  const out: { pullNumber?: number; branch?: string; mergeGroupRef?: string; baseSha?: string } =
    {};
  for (const part of id.slice('autopack:'.length).split(';')) {
    const eq = part.indexOf('=');
    const k = part.slice(0, eq);
    const v = part.slice(eq + 1);
    if (k === 'pr' && /^\d+$/.test(v)) out.pullNumber = Number(v);
    else if (k === 'branch' && v) out.branch = v;
    else if (k === 'mq' && v) out.mergeGroupRef = v;
    else if (k === 'base' && v) out.baseSha = v;
  }
  return out.pullNumber !== undefined || out.branch || out.mergeGroupRef ? out : undefined;
}

/** The pull request number in a merge queue ref (`.../pr-123-<sha>`), if any. */
export function pullNumberOfMergeGroupRef(ref: string): number | undefined {
  const m = /\/pr-(\d+)-[0-9a-f]+$/.exec(ref);
  return m ? Number(m[1]) : undefined;
}

/** Merges two requests for the same key: the newest head wins; force, scope and reasons add up. */
export function mergeRequests(
  waiting: EvaluationRequest,
  incoming: EvaluationRequest,
): EvaluationRequest {
  const newer = isNewer(incoming, waiting) ? incoming : waiting;
  const scoped = (r: EvaluationRequest) => r.only !== undefined || r.onlyRuns !== undefined;
  const union = <T>(a: T[] | undefined, b: T[] | undefined): T[] | undefined =>
    a || b ? [...new Set([...(a ?? []), ...(b ?? [])])] : undefined;
  const scope =
    scoped(waiting) && scoped(incoming)
      ? {
          only: union(waiting.only, incoming.only),
          onlyRuns: union(waiting.onlyRuns, incoming.onlyRuns),
        }
      : {};
  return {
    target: newer.target,
    force: waiting.force || incoming.force,
    ...(scope.only ? { only: scope.only } : {}),
    ...(scope.onlyRuns ? { onlyRuns: scope.onlyRuns } : {}),
    reasons: [...waiting.reasons, ...incoming.reasons],
    deliveries: [...waiting.deliveries, ...incoming.deliveries],
    firstReceivedAt: Math.min(waiting.firstReceivedAt, incoming.firstReceivedAt),
    receivedAt: Math.max(waiting.receivedAt, incoming.receivedAt),
  };
}

/** True when `a` describes a newer state of the target than `b` (by `updatedAt`, else arrival). */
export function isNewer(a: EvaluationRequest, b: EvaluationRequest): boolean {
  const ua = a.target.updatedAt;
  const ub = b.target.updatedAt;
  if (ua && ub && ua !== ub) return ua > ub;
  return a.receivedAt >= b.receivedAt;
}

/** True when a waiting request makes the running one's result useless (another head or base). */
export function supersedes(running: EvaluationRequest, waiting: EvaluationRequest): boolean {
  if (waiting.target.headSha === undefined) return false;
  return (
    isNewer(waiting, running) &&
    (waiting.target.headSha !== running.target.headSha ||
      waiting.target.baseSha !== running.target.baseSha)
  );
}

/** True when `incoming` is an out-of-order delivery older than what already started. */
export function isStaleRequest(
  incoming: EvaluationRequest,
  lastStarted: EvaluationRequest,
): boolean {
  if (incoming.force) return false;
  const ui = incoming.target.updatedAt;
  const ul = lastStarted.target.updatedAt;
  return Boolean(ui && ul && ui < ul && incoming.target.headSha !== lastStarted.target.headSha);
}

interface RepoPayload {
  repository?: { name: string; owner: { login: string }; default_branch?: string; id?: number };
  installation?: { id: number };
}

function repoOf(p: RepoPayload): RepoRef | undefined {
  return p.repository ? { owner: p.repository.owner.login, repo: p.repository.name } : undefined;
}

/**
 * Routes one webhook. `receivedAt` is when it arrived (ms since epoch); `delivery` its
 * X-GitHub-Delivery id. Never throws for an unexpected payload: it is ignored with a reason.
 */
export function routeEvent(
  name: string,
  payload: unknown,
  delivery: string,
  receivedAt: number,
): Routed {
  const p = payload as RepoPayload & Record<string, unknown>;
  const action = typeof p.action === 'string' ? p.action : undefined;
  const reason = action ? `${name}.${action}` : name;
  const installationId = p.installation?.id;
  const repo = repoOf(p);
  if (name === 'installation' || name === 'installation_repositories') {
    return {
      kind: 'ignore',
      reason: `${reason}: nothing to evaluate until a pull request or push arrives`,
    };
  }
  if (installationId === undefined || !repo)
    return { kind: 'ignore', reason: `${reason}: no installation or repository` };
  const defaultBranch = p.repository?.default_branch;
  const request = (
    target: EvaluationTarget,
    force: boolean,
    onlyRuns?: string[],
  ): EvaluationRequest => ({
    target,
    force,
    ...(onlyRuns ? { onlyRuns } : {}),
    reasons: [reason],
    deliveries: [delivery],
    firstReceivedAt: receivedAt,
    receivedAt,
  });

  if (name === 'pull_request') {
    const pr = p.pull_request as
      | {
          number: number;
          state: string;
          head: { sha: string; ref: string };
          base: { sha: string; ref: string; repo?: { id?: number } };
          changed_files?: number;
          updated_at?: string;
        }
      | undefined;
    if (!pr) return { kind: 'ignore', reason: `${reason}: no pull_request in payload` };
    const target: EvaluationTarget = {
      kind: 'pull_request',
      installationId,
      repo,
      headSha: pr.head.sha,
      baseRef: pr.base.ref,
      baseSha: pr.base.sha,
      pullNumber: pr.number,
      changedFiles: pr.changed_files,
      updatedAt: pr.updated_at,
    };
    if (action === 'closed') return { kind: 'cancel', key: keyOf(target), reason };
    if (pr.state !== 'open')
      return { kind: 'ignore', reason: `${reason}: pull request is ${pr.state}` };
    if (
      action === 'opened' ||
      action === 'synchronize' ||
      action === 'reopened' ||
      action === 'ready_for_review'
    ) {
      return { kind: 'evaluate', requests: [request(target, false)] };
    }
    if (action === 'edited') {
      const changes = p.changes as { base?: unknown } | undefined;
      if (changes?.base) return { kind: 'evaluate', requests: [request(target, true)] };
      return { kind: 'ignore', reason: `${reason}: the base branch did not change` };
    }
    return { kind: 'ignore', reason: `${reason}: not an evaluation trigger` };
  }

  if (name === 'check_suite') {
    const suite = p.check_suite as
      | {
          id: number;
          head_sha: string;
          head_branch: string | null;
          before?: string | null;
          updated_at?: string;
          pull_requests: Array<{
            number: number;
            head: { sha: string; ref: string };
            base: { sha: string; ref: string; repo?: { id?: number } };
          }>;
        }
      | undefined;
    if (!suite || (action !== 'requested' && action !== 'rerequested')) {
      return { kind: 'ignore', reason: `${reason}: not an evaluation trigger` };
    }
    const force = action === 'rerequested';
    const repoId = p.repository?.id;
    const prs = suite.pull_requests.filter(
      (pr) => repoId === undefined || pr.base.repo?.id === undefined || pr.base.repo.id === repoId,
    );
    if (prs.length) {
      return {
        kind: 'evaluate',
        requests: prs.map((pr) =>
          request(
            {
              kind: 'pull_request',
              installationId,
              repo,
              headSha: suite.head_sha,
              baseRef: pr.base.ref,
              baseSha: pr.base.sha,
              pullNumber: pr.number,
              updatedAt: suite.updated_at,
            },
            force,
          ),
        ),
      };
    }
    if (suite.head_branch && suite.head_branch === defaultBranch) {
      const before = suite.before && !ZERO_SHA.test(suite.before) ? suite.before : undefined;
      return {
        kind: 'evaluate',
        requests: [
          request(
            {
              kind: 'branch',
              installationId,
              repo,
              headSha: suite.head_sha,
              baseRef: suite.head_branch,
              baseSha: before,
              updatedAt: suite.updated_at,
            },
            force,
          ),
        ],
      };
    }
    if (force) {
      return {
        kind: 'lookup-suite',
        lookup: {
          installationId,
          repo,
          checkSuiteId: suite.id,
          headSha: suite.head_sha,
          headBranch: suite.head_branch ?? undefined,
          defaultBranch,
        },
        force,
        reason,
        delivery,
        receivedAt,
      };
    }
    return {
      kind: 'ignore',
      reason: `${reason}: no pull request in this repository and not the default branch`,
    };
  }

  if (name === 'check_run') {
    if (action !== 'rerequested')
      return { kind: 'ignore', reason: `${reason}: handled elsewhere or not a trigger` };
    const run = p.check_run as
      | {
          name: string;
          head_sha: string;
          external_id?: string | null;
          check_suite?: { id: number; head_branch?: string | null; before?: string | null };
          pull_requests: Array<{
            number: number;
            head: { sha: string };
            base: { sha: string; ref: string };
          }>;
        }
      | undefined;
    if (!run) return { kind: 'ignore', reason: `${reason}: no check_run in payload` };
    const only = run.name.startsWith('autopack/') ? [run.name] : undefined;
    const ext = parseExternalId(run.external_id);
    const pr = run.pull_requests[0];
    if (ext?.pullNumber !== undefined || pr) {
      const number = ext?.pullNumber ?? pr!.number;
      const fromPayload = run.pull_requests.find((x) => x.number === number);
      return {
        kind: 'evaluate',
        requests: [
          request(
            {
              kind: 'pull_request',
              installationId,
              repo,
              pullNumber: number,
              // Without the pull request in the payload (a fork), its base is read from GitHub first.
              ...(fromPayload
                ? {
                    headSha: run.head_sha,
                    baseRef: fromPayload.base.ref,
                    baseSha: fromPayload.base.sha,
                  }
                : {}),
            },
            true,
            only,
          ),
        ],
      };
    }
    const branch = ext?.branch ?? run.check_suite?.head_branch ?? undefined;
    if (ext?.mergeGroupRef) {
      return {
        kind: 'ignore',
        reason: `${reason}: merge groups are re-run by the merge queue, not by a re-run`,
      };
    }
    if (branch && (ext?.branch || branch === defaultBranch)) {
      const before =
        run.check_suite?.before && !ZERO_SHA.test(run.check_suite.before)
          ? run.check_suite.before
          : undefined;
      return {
        kind: 'evaluate',
        requests: [
          request(
            {
              kind: 'branch',
              installationId,
              repo,
              headSha: run.head_sha,
              baseRef: branch,
              baseSha: ext?.baseSha ?? before,
            },
            true,
            only,
          ),
        ],
      };
    }
    return {
      kind: 'ignore',
      reason: `${reason}: the run belongs to no pull request or default branch`,
    };
  }

  if (name === 'push') {
    const ref = p.ref as string | undefined;
    const after = p.after as string | undefined;
    const before = p.before as string | undefined;
    if (!ref || !after) return { kind: 'ignore', reason: `${reason}: no ref` };
    if (!defaultBranch || ref !== `refs/heads/${defaultBranch}`) {
      return { kind: 'ignore', reason: `${reason}: ${ref} is not the default branch` };
    }
    if (p.deleted === true || ZERO_SHA.test(after))
      return { kind: 'ignore', reason: `${reason}: branch deleted` };
    const headCommit = p.head_commit as { timestamp?: string } | null | undefined;
    return {
      kind: 'evaluate',
      requests: [
        request(
          {
            kind: 'branch',
            installationId,
            repo,
            headSha: after,
            baseRef: defaultBranch,
            baseSha: before && !ZERO_SHA.test(before) ? before : undefined,
            updatedAt: headCommit?.timestamp,
          },
          false,
        ),
      ],
    };
  }

  if (name === 'merge_group') {
    const mg = p.merge_group as
      { head_sha: string; head_ref: string; base_sha: string; base_ref: string } | undefined;
    if (!mg) return { kind: 'ignore', reason: `${reason}: no merge_group in payload` };
    const target: EvaluationTarget = {
      kind: 'merge_group',
      installationId,
      repo,
      headSha: mg.head_sha,
      headRef: mg.head_ref,
      baseRef: mg.base_ref.replace(/^refs\/heads\//, ''),
      baseSha: mg.base_sha,
      pullNumber: pullNumberOfMergeGroupRef(mg.head_ref),
    };
    if (action === 'checks_requested')
      return { kind: 'evaluate', requests: [request(target, false)] };
    if (action === 'destroyed') return { kind: 'cancel', key: keyOf(target), reason };
    return { kind: 'ignore', reason: `${reason}: not an evaluation trigger` };
  }

  return { kind: 'ignore', reason: `${reason}: not an event Autopack evaluates` };
}
