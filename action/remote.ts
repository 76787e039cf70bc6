/**
 * What the Action reads from the GitHub API when the checkout cannot answer, built from the same
 * modules the App uses (one engine, one way to read GitHub):
 * - a pull request's facts (comment and review events carry only its number):
 *   github/governance/pull.ts;
 * - files at the base commit (the policy): app/files.ts, through one process-wide cache;
 * - the change of a pull request in a shallow checkout (no base commit): app/changes.ts
 *   (compare, then every page of `pulls/{n}/files`, then a tree diff beyond 3,000 files), with the
 *   checkout's own file list as the head tree, so no tree request is needed;
 * - the head's tree and content when the checkout holds the base branch (`pull_request_target`,
 *   `issue_comment`): app/snapshot.ts.
 * API failures met by lazy reads are collected in `apiErrors`: the caller fails closed on any.
 */
import type { ChangeSet, RepoFile, RepoSnapshot } from '../checks/snapshot.js';
import type { GitHubClient, RepoRef } from '../github/client.js';
import type { GitHubAPIError } from '../github/errors.js';
import { getPullFacts } from '../github/governance/pull.js';
import type { RepoFileReader } from '../policies/load.js';
import { createCaches, type AppCaches } from '../app/caches.js';
import { loadChangeSet, type ChangeSource } from '../app/changes.js';
import { readTextAtCommit } from '../app/files.js';
import { DEFAULT_MAX_READ_BYTES, loadGitHubSnapshot, loadTree } from '../app/snapshot.js';

/** A pull request as the Action evaluates it. */
export interface PullRequestInfo {
  number: number;
  baseRef: string;
  baseSha: string;
  headSha: string;
  author?: string;
  labels?: string[];
  /** The web address (`html_url`). */
  url?: string;
  /** `state` when read from the API (`open`, `closed`). */
  state?: string;
}

/** One run's API state: the shared content cache and the lazy-read failures met so far. */
export interface RemoteSession {
  client: GitHubClient;
  repo: RepoRef;
  caches: AppCaches;
  apiErrors: GitHubAPIError[];
}

/** A session for one run of the Action (small caches: one run, one repository). */
export function remoteSession(client: GitHubClient, repo: RepoRef): RemoteSession {
  const MiB = 1024 * 1024;
  return {
    client,
    repo,
    caches: createCaches({ blobBytes: 64 * MiB, treeBytes: 32 * MiB, smallBytes: 8 * MiB }),
    apiErrors: [],
  };
}

/** `GET /repos/{o}/{r}/pulls/{n}`, for comment and review events. Rejects with GitHubAPIError. */
export async function fetchPullRequest(s: RemoteSession, number: number): Promise<PullRequestInfo> {
  const pr = await getPullFacts(s.client, s.repo, number);
  return { ...pr };
}

/** Reads repository files as text at commit `sha` (contents API; larger blobs by SHA). */
export function remoteReader(s: RemoteSession, sha: string): RepoFileReader {
  return (p) => readTextAtCommit(s.client, s.repo, sha, p, s.caches);
}

/**
 * The pull request's change from the API, measured from the merge base, with `headFiles` (the
 * checkout's tracked files) standing for the head tree. Rejects with GitHubAPIError.
 */
export async function remoteChangeSet(
  s: RemoteSession,
  pr: PullRequestInfo,
  headFiles: readonly RepoFile[],
  maxReadBytes = DEFAULT_MAX_READ_BYTES,
): Promise<{ change: ChangeSet; source: ChangeSource }> {
  return loadChangeSet({
    client: s.client,
    repo: s.repo,
    caches: s.caches,
    baseRef: pr.baseRef,
    baseSha: pr.baseSha,
    headSha: pr.headSha,
    pullNumber: pr.number,
    headFiles,
    maxReadBytes,
    apiErrors: s.apiErrors,
  });
}

/** A snapshot of the pull request head read through the API, with its change. Rejects with GitHubAPIError. */
export async function remoteSnapshot(
  s: RemoteSession,
  pr: PullRequestInfo,
  maxReadBytes = DEFAULT_MAX_READ_BYTES,
): Promise<{ snapshot: RepoSnapshot; source: ChangeSource }> {
  const headFiles = await loadTree(s.client, s.repo, pr.headSha, s.caches);
  const { change, source } = await remoteChangeSet(s, pr, headFiles, maxReadBytes);
  const snapshot = await loadGitHubSnapshot({
    client: s.client,
    repo: s.repo,
    headSha: pr.headSha,
    caches: s.caches,
    maxReadBytes,
    change,
    apiErrors: s.apiErrors,
    files: headFiles,
  });
  return { snapshot, source };
}

/** How the change's file list was read, for the job summary. */
export function describeSource(source: ChangeSource): string {
  return source === 'compare'
    ? 'the compare API'
    : source === 'pull-files'
      ? 'the pull request files API'
      : 'a diff of the base and head trees';
}
