/**
 * Real webhook payloads from @octokit/webhooks-examples, adapted minimally: the fields a
 * governance event needs (the pull request link of an issue comment, the comment's author and
 * body, the installation) are set, everything else is GitHub's own example.
 */
import { createRequire } from 'node:module';
import { API, OWNER, R, REPO } from './fake-github.js';

/** A webhook payload edited as plain JSON (the examples are untyped JSON files). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Payload = Record<string, any>;

const require = createRequire(import.meta.url);
const ALL = require('@octokit/webhooks-examples/api.github.com/index.json') as Array<{
  name: string;
  examples: Array<Record<string, unknown> & { action?: string }>;
}>;

/** A deep copy of the first example of `name` with `action` (and, optionally, a predicate). */
export function example(
  name: string,
  action: string,
  pick: (e: Record<string, unknown>) => boolean = () => true,
): Payload {
  const e = ALL.find((x) => x.name === name)?.examples.find((x) => x.action === action && pick(x));
  if (!e) throw new Error(`no webhooks-examples payload for ${name}.${action}`);
  return structuredClone(e) as Payload;
}

/** A stored comment (the fake's REST shape). */
export interface CommentLike {
  id: number;
  body: string;
  user: { login: string; type: string };
  created_at: string;
  updated_at: string;
  html_url: string;
}

/** `issue_comment.<action>` on pull request `number` for `comment`. */
export function commentEvent(
  action: 'created' | 'edited' | 'deleted',
  comment: CommentLike,
  number = 1,
  from?: string,
): Payload {
  const p = example('issue_comment', action);
  p.issue.number = number;
  p.issue.pull_request = {
    url: `${API}${R}/pulls/${number}`,
    html_url: `https://github.com/${OWNER}/${REPO}/pull/${number}`,
  };
  p.comment = {
    ...p.comment,
    id: comment.id,
    body: comment.body,
    user: { ...p.comment.user, login: comment.user.login, type: comment.user.type },
    created_at: comment.created_at,
    updated_at: comment.updated_at,
    html_url: comment.html_url,
  };
  if (action === 'edited') p.changes = { body: { from: from ?? '' } };
  p.installation = { id: 1, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==' };
  return p;
}

/** `pull_request_review.<action>` by `login` on `commitId`. */
export function reviewEvent(
  action: 'submitted' | 'dismissed',
  login: string,
  state: string,
  commitId: string,
  id = 77,
  number = 1,
): Payload {
  const p = example('pull_request_review', action);
  p.review = {
    ...p.review,
    id,
    state,
    commit_id: commitId,
    user: { ...p.review.user, login, type: 'User' },
    submitted_at: '2024-05-01T12:00:00Z',
  };
  p.pull_request.number = number;
  p.installation = { id: 1 };
  return p;
}

/** `check_run.requested_action` (the electron/electron example) re-pointed at our run and repository. */
export function requestedActionEvent(
  login: string,
  headSha: string,
  identifier = 'approve',
  name = 'autopack/governance',
  number = 1,
): Payload {
  const p = example('check_run', 'requested_action');
  const repo = example('issue_comment', 'created').repository;
  p.repository = repo;
  p.check_run = {
    ...p.check_run,
    id: 4242,
    name,
    head_sha: headSha,
    pull_requests: [{ ...p.check_run.pull_requests[0], number }],
  };
  p.requested_action = { identifier };
  p.sender = { ...p.sender, login, type: 'User' };
  p.installation = { id: 1 };
  return p;
}

/** `merge_group.checks_requested` for pull request `number`, group head `headSha` on `baseSha`. */
export function mergeGroupEvent(number: number, headSha: string, baseSha: string): Payload {
  const p = example('merge_group', 'checks_requested');
  p.repository = example('issue_comment', 'created').repository;
  p.merge_group = {
    ...p.merge_group,
    head_sha: headSha,
    base_sha: baseSha,
    head_ref: `refs/heads/gh-readonly-queue/main/pr-${number}-${'9'.repeat(40)}`,
    base_ref: 'refs/heads/main',
  };
  return p;
}
