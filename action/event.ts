/**
 * What a workflow event asks the Action to evaluate. Pure: it reads the event name, the
 * webhook payload GitHub writes to `GITHUB_EVENT_PATH`, and `GITHUB_SHA` / `GITHUB_REF`.
 *
 * Source: GitHub Docs, "Events that trigger workflows" (which commit `GITHUB_SHA` and
 * `GITHUB_REF` name for each event) and the webhook payload shapes of `pull_request`,
 * `pull_request_target`, `push`, `merge_group`, `issue_comment` and `pull_request_review`.
 */
import type { RepoRef } from '../github/client.js';

/** The event as the runner describes it. */
export interface ActionEvent {
  /** `GITHUB_EVENT_NAME`. */
  eventName: string;
  /** The parsed JSON of `GITHUB_EVENT_PATH` (`{}` when absent). */
  payload: Record<string, unknown>;
  /** `GITHUB_SHA`: the commit the workflow run is for. */
  sha: string;
  /** `GITHUB_REF`, e.g. `refs/heads/main`, `refs/pull/2/merge`. */
  ref: string;
  /** `GITHUB_REPOSITORY` split. */
  repo: RepoRef;
  /** The web address of this workflow run, when the runner says it (for links in issues). */
  runUrl?: string;
}

/** A pull request, as the Action evaluates it: the change `base.sha...head.sha`. */
export interface PullRequestTarget {
  kind: 'pull-request';
  number: number;
  /** The base branch name, e.g. `main`. */
  baseRef: string;
  /** `pull_request.base.sha`: the base branch commit GitHub compared against. */
  baseSha: string;
  /** `pull_request.head.sha`: the PR's head commit (Check Runs are published here). */
  headSha: string;
  /** True when the head lives in another repository (a fork). */
  fromFork: boolean;
  /** True for `pull_request_target`: the workspace then holds the base, not the PR. */
  baseCheckout: boolean;
}

/** A merge-queue group: the change `base_sha...head_sha`, evaluated like a pull request. */
export interface MergeGroupTarget {
  kind: 'merge-group';
  baseRef: string;
  baseSha: string;
  headSha: string;
  /** The queue branch, e.g. `refs/heads/gh-readonly-queue/main/pr-104-<sha>` (names the queued PR). */
  headRef: string;
}

/** A branch or tag state: a push, a schedule, a manual dispatch. */
export interface RefTarget {
  kind: 'ref';
  /** The full ref, e.g. `refs/heads/main`. */
  ref: string;
  headSha: string;
  /** The repository's default branch when the payload says it (not on `schedule`). */
  defaultBranch?: string;
  /** True when this ref is the default branch (by the payload, or by the event's definition). */
  onDefaultBranch: boolean;
  /** Why: `push`, `schedule`, `workflow_dispatch`, or another event name. */
  trigger: string;
}

/** A comment or review on a pull request: the PR's number; its head and base come from the API. */
export interface PullRequestActivityTarget {
  kind: 'pull-request-activity';
  number: number;
  trigger: 'issue_comment' | 'pull_request_review' | 'pull_request_review_comment';
  /** The head SHA when the payload carries the pull request (reviews), else undefined. */
  headSha?: string;
}

/** An event the Action has nothing to evaluate for (a comment on an issue, a deleted branch). */
export interface IgnoredTarget {
  kind: 'ignored';
  reason: string;
}

export type Target =
  PullRequestTarget | MergeGroupTarget | RefTarget | PullRequestActivityTarget | IgnoredTarget;

/** Thrown when the payload lacks what its event promises (a hand-written or truncated file). */
export class EventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventError';
  }
}

const ZERO_SHA = /^0{40}$/;

/**
 * Decides what to evaluate:
 * - `pull_request`, `pull_request_target`: the PR (`base.sha...head.sha`);
 * - `merge_group`: the group (`base_sha...head_sha`);
 * - `push`: the pushed head (`after`); a deleted ref is ignored;
 * - `schedule`: the default branch (`GITHUB_SHA`, `GITHUB_REF` are its tip);
 * - `workflow_dispatch` and any other event: the ref the run is for;
 * - `issue_comment` (on a PR), `pull_request_review`, `pull_request_review_comment`: the PR.
 * Throws EventError when a field the event always carries is missing.
 */
export function resolveTarget(ev: ActionEvent): Target {
  const p = ev.payload;
  switch (ev.eventName) {
    case 'pull_request':
    case 'pull_request_target': {
      const pr = obj(p.pull_request, 'pull_request');
      const base = obj(pr.base, 'pull_request.base');
      const head = obj(pr.head, 'pull_request.head');
      const headRepo = head.repo as Record<string, unknown> | null | undefined;
      const baseRepo = base.repo as Record<string, unknown> | undefined;
      return {
        kind: 'pull-request',
        number: num(pr.number ?? p.number, 'pull_request.number'),
        baseRef: str(base.ref, 'pull_request.base.ref'),
        baseSha: sha(base.sha, 'pull_request.base.sha'),
        headSha: sha(head.sha, 'pull_request.head.sha'),
        // A deleted fork has head.repo null: treat it as a fork (the untrusted case).
        fromFork: !headRepo || headRepo.full_name !== baseRepo?.full_name,
        baseCheckout: ev.eventName === 'pull_request_target',
      };
    }
    case 'merge_group': {
      const mg = obj(p.merge_group, 'merge_group');
      return {
        kind: 'merge-group',
        baseRef: str(mg.base_ref, 'merge_group.base_ref').replace(/^refs\/heads\//, ''),
        baseSha: sha(mg.base_sha, 'merge_group.base_sha'),
        headSha: sha(mg.head_sha, 'merge_group.head_sha'),
        headRef: str(mg.head_ref, 'merge_group.head_ref'),
      };
    }
    case 'push': {
      if (p.deleted === true || (typeof p.after === 'string' && ZERO_SHA.test(p.after))) {
        return { kind: 'ignored', reason: `the push deleted ${String(p.ref ?? ev.ref)}` };
      }
      const ref = str(p.ref ?? ev.ref, 'ref');
      const defaultBranch = defaultBranchOf(p);
      return {
        kind: 'ref',
        ref,
        headSha: sha(p.after ?? ev.sha, 'after'),
        defaultBranch,
        onDefaultBranch: defaultBranch !== undefined && ref === `refs/heads/${defaultBranch}`,
        trigger: 'push',
      };
    }
    case 'issue_comment': {
      const issue = obj(p.issue, 'issue');
      if (!issue.pull_request)
        return { kind: 'ignored', reason: 'the comment is on an issue, not a pull request' };
      return {
        kind: 'pull-request-activity',
        number: num(issue.number, 'issue.number'),
        trigger: 'issue_comment',
      };
    }
    case 'pull_request_review':
    case 'pull_request_review_comment': {
      const pr = obj(p.pull_request, 'pull_request');
      const head = pr.head as Record<string, unknown> | undefined;
      return {
        kind: 'pull-request-activity',
        number: num(pr.number, 'pull_request.number'),
        trigger: ev.eventName,
        headSha: typeof head?.sha === 'string' ? head.sha : undefined,
      };
    }
    default: {
      const defaultBranch = defaultBranchOf(p);
      const ref = ev.ref || (defaultBranch ? `refs/heads/${defaultBranch}` : '');
      if (!ref || !ev.sha)
        throw new EventError(`the ${ev.eventName} event has no GITHUB_REF or GITHUB_SHA`);
      return {
        kind: 'ref',
        ref,
        headSha: sha(ev.sha, 'GITHUB_SHA'),
        defaultBranch,
        // GitHub runs scheduled workflows on the default branch only; GITHUB_REF is that branch.
        onDefaultBranch:
          ev.eventName === 'schedule' ||
          (defaultBranch !== undefined && ref === `refs/heads/${defaultBranch}`),
        trigger: ev.eventName,
      };
    }
  }
}

/** One line saying what the run evaluates, for the log. */
export function describeTarget(t: Target): string {
  switch (t.kind) {
    case 'pull-request':
      return `pull request #${t.number} (${t.baseRef}@${t.baseSha.slice(0, 7)}...${t.headSha.slice(0, 7)})`;
    case 'merge-group':
      return `merge group ${t.baseSha.slice(0, 7)}...${t.headSha.slice(0, 7)} into ${t.baseRef}`;
    case 'ref':
      return `${t.ref} at ${t.headSha.slice(0, 7)}${t.onDefaultBranch ? ' (default branch)' : ''}`;
    case 'pull-request-activity':
      return `pull request #${t.number} (${t.trigger})`;
    default:
      return `nothing to evaluate (${t.reason})`;
  }
}

/** The short branch name of a full ref (`refs/heads/x` → `x`); other refs unchanged. */
export function branchName(ref: string): string {
  return ref.replace(/^refs\/heads\//, '');
}

function defaultBranchOf(p: Record<string, unknown>): string | undefined {
  const repo = p.repository as Record<string, unknown> | undefined;
  const b = repo?.default_branch ?? repo?.master_branch;
  return typeof b === 'string' && b ? b : undefined;
}

function obj(v: unknown, name: string): Record<string, unknown> {
  if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  throw new EventError(`the event payload has no "${name}" object`);
}

function str(v: unknown, name: string): string {
  if (typeof v === 'string' && v) return v;
  throw new EventError(`the event payload has no "${name}" string`);
}

function num(v: unknown, name: string): number {
  if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v;
  throw new EventError(`the event payload has no "${name}" number`);
}

function sha(v: unknown, name: string): string {
  if (typeof v === 'string' && /^[0-9a-f]{40}$/i.test(v)) return v.toLowerCase();
  throw new EventError(`the event payload's "${name}" is not a 40-hex commit SHA`);
}
