/**
 * The files a pull request (or a merge group) changes, measured from the merge base as the
 * "Files changed" tab is: `GET compare/{base}...{head}` first (one request, up to 300 files),
 * then, when that list may be cut, `GET pulls/{n}/files` (every page, up to 3,000 files). Beyond
 * that the list is incomplete and governance fails closed (`complete: false`).
 */
import type { ChangedFile } from '../../checks/snapshot.js';
import type { GitHubClient, RepoRef } from '../client.js';
import { compareCommits, type GitHubChangedFile } from '../compare.js';
import { listPullRequestFiles } from '../pulls.js';

/** Converts GitHub's changed-file shape. A removal carries no head blob. */
export function toChangedFile(f: GitHubChangedFile): ChangedFile {
  return {
    path: f.filename,
    status: f.status,
    ...(f.previous_filename ? { previousPath: f.previous_filename } : {}),
    ...(f.status !== 'removed' && f.sha ? { blobSha: f.sha } : {}),
    ...(f.additions !== undefined ? { additions: f.additions } : {}),
    ...(f.deletions !== undefined ? { deletions: f.deletions } : {}),
  };
}

/** The changed files of `base...head`; `complete` is false when GitHub's caps may have cut them. Rejects with GitHubAPIError. */
export async function listChangedFiles(
  client: GitHubClient,
  repo: RepoRef,
  baseSha: string,
  headSha: string,
  pullNumber?: number,
): Promise<{ files: ChangedFile[]; complete: boolean }> {
  const cmp = await compareCommits(client, repo, baseSha, headSha);
  if (!cmp.filesMayBeTruncated) return { files: cmp.files.map(toChangedFile), complete: true };
  if (pullNumber === undefined) return { files: cmp.files.map(toChangedFile), complete: false };
  const listed = await listPullRequestFiles(client, repo, pullNumber);
  return { files: listed.files.map(toChangedFile), complete: listed.complete };
}
