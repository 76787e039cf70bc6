/**
 * Pull requests. Source: GitHub REST API, "Get a pull request"
 * (`GET /repos/{owner}/{repo}/pulls/{pull_number}`) and "List pull requests files"
 * (`GET /repos/{owner}/{repo}/pulls/{pull_number}/files`, 100 per page, at most 3,000 files in
 * all: beyond that the list is silently cut, and the caller must diff trees instead).
 */
import type { GitHubClient, RepoRef } from './client.js';
import type { GitHubChangedFile } from './compare.js';
import { callGitHub } from './errors.js';
import { conditionalGet, type ETagStore } from './etag.js';

/** The most files `pulls/{n}/files` lists. */
export const PULL_FILES_LIMIT = 3000;

/** What evaluation needs to know about a pull request. */
export interface PullRequestInfo {
  number: number;
  state: string;
  headSha: string;
  headRef: string;
  baseRef: string;
  baseSha: string;
  changedFiles?: number;
  updatedAt?: string;
  draft?: boolean;
}

/**
 * Reads a pull request, conditionally when `store` remembers its ETag (an unchanged pull request
 * answers 304 and costs no rate limit). Rejects with GitHubAPIError.
 */
export async function getPullRequest(
  client: GitHubClient,
  repo: RepoRef,
  pullNumber: number,
  store?: ETagStore,
): Promise<PullRequestInfo> {
  const { data } = await conditionalGet<{
    number: number;
    state: string;
    head: { sha: string; ref: string };
    base: { sha: string; ref: string };
    changed_files?: number;
    updated_at?: string;
    draft?: boolean;
  }>(
    client,
    'GET /repos/{owner}/{repo}/pulls/{pull_number}',
    { owner: repo.owner, repo: repo.repo, pull_number: pullNumber },
    store,
  );
  return {
    number: data.number,
    state: data.state,
    headSha: data.head.sha,
    headRef: data.head.ref,
    baseRef: data.base.ref,
    baseSha: data.base.sha,
    changedFiles: data.changed_files,
    updatedAt: data.updated_at,
    draft: data.draft,
  };
}

/**
 * Every file the pull request changes, all pages (100 per page). The list stops at
 * {@link PULL_FILES_LIMIT}; `complete` is false when it may have been cut there. Rejects with
 * GitHubAPIError.
 */
export async function listPullRequestFiles(
  client: GitHubClient,
  repo: RepoRef,
  pullNumber: number,
): Promise<{ files: GitHubChangedFile[]; complete: boolean; requests: number }> {
  const path = `/repos/${repo.owner}/${repo.repo}/pulls/${pullNumber}/files`;
  let requests = 0;
  const files = await callGitHub('GET', path, () =>
    client.paginate(
      'GET /repos/{owner}/{repo}/pulls/{pull_number}/files',
      { owner: repo.owner, repo: repo.repo, pull_number: pullNumber, per_page: 100 },
      (res) => {
        requests++;
        return res.data as GitHubChangedFile[];
      },
    ),
  );
  return { files, complete: files.length < PULL_FILES_LIMIT, requests };
}
