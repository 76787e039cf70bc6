/**
 * Issue comments on a pull request. Source: GitHub REST API, "Issue comments":
 * "List issue comments" (`GET /repos/{owner}/{repo}/issues/{issue_number}/comments`, 100 per
 * page, every page read), "Create an issue comment" (`POST .../issues/{issue_number}/comments`)
 * and "Update an issue comment" (`PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}`).
 */
import type { PrComment } from '../../checks/governance/types.js';
import { redact } from '../../checks/redact.js';
import type { GitHubClient, RepoRef } from '../client.js';
import { callGitHub } from '../errors.js';

/** GitHub's limit on a comment body (characters). */
export const COMMENT_BODY_LIMIT = 65_536;

interface RawComment {
  id: number;
  body?: string | null;
  user: { login: string; type?: string } | null;
  created_at: string;
  updated_at?: string;
  html_url?: string;
}

/** Converts the REST shape (also the webhook `comment` shape) into a PrComment. */
export function toPrComment(c: RawComment): PrComment {
  return {
    id: c.id,
    author: c.user?.login ?? 'ghost',
    authorType: c.user?.type,
    body: c.body ?? '',
    createdAt: c.created_at,
    updatedAt: c.updated_at,
    url: c.html_url,
  };
}

/** Every comment on the issue or pull request, oldest first, all pages. Rejects with GitHubAPIError. */
export async function listIssueComments(
  client: GitHubClient,
  repo: RepoRef,
  issueNumber: number,
): Promise<PrComment[]> {
  const path = `/repos/${repo.owner}/${repo.repo}/issues/${issueNumber}/comments`;
  const raw = await callGitHub('GET', path, () =>
    client.paginate(
      'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
      { owner: repo.owner, repo: repo.repo, issue_number: issueNumber, per_page: 100 },
      (res) => res.data as unknown as RawComment[],
    ),
  );
  return raw.map(toPrComment);
}

/** Cuts a body to GitHub's limit, keeping the machine-readable tail (ledger records) intact. */
export function fitBody(text: string, tail = ''): string {
  const room = COMMENT_BODY_LIMIT - tail.length - 64;
  const head =
    text.length > room
      ? `${text.slice(0, room)}\n\n_(cut to fit GitHub's comment size limit)_`
      : text;
  return tail ? `${head}\n\n${tail}` : head;
}

/**
 * Posts a comment as the authenticated identity. The human-readable `text` passes the redactor;
 * `records` (ledger HTML comments) are appended verbatim. Resolves the created comment.
 * Rejects with GitHubAPIError.
 */
export async function createIssueComment(
  client: GitHubClient,
  repo: RepoRef,
  issueNumber: number,
  text: string,
  records = '',
): Promise<PrComment> {
  const path = `/repos/${repo.owner}/${repo.repo}/issues/${issueNumber}/comments`;
  const res = await callGitHub('POST', path, () =>
    client.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner: repo.owner,
      repo: repo.repo,
      issue_number: issueNumber,
      body: fitBody(redact(text), records),
    }),
  );
  return toPrComment(res.data as unknown as RawComment);
}

/** Replaces a comment's body (text redacted). Rejects with GitHubAPIError. */
export async function updateIssueComment(
  client: GitHubClient,
  repo: RepoRef,
  commentId: number,
  text: string,
  records = '',
): Promise<PrComment> {
  const path = `/repos/${repo.owner}/${repo.repo}/issues/comments/${commentId}`;
  const res = await callGitHub('PATCH', path, () =>
    client.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', {
      owner: repo.owner,
      repo: repo.repo,
      comment_id: commentId,
      body: fitBody(redact(text), records),
    }),
  );
  return toPrComment(res.data as unknown as RawComment);
}
