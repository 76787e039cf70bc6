/**
 * Reading repository files from GitHub at a commit, through the process-wide caches: a file at a
 * commit SHA (`contents` API) and a blob by SHA (`git/blobs`). Both are content-addressed, so
 * their cache entries never go stale and are shared by every evaluation.
 */
import { decodeContent, type FileContent } from '../checks/snapshot.js';
import { getBlob } from '../github/blobs.js';
import type { GitHubClient, RepoRef } from '../github/client.js';
import { getFileAtRef, type FileAtRef } from '../github/contents.js';
import type { AppCaches } from './caches.js';

/**
 * The decoded content of blob `sha` (cached by SHA; concurrent reads share one request).
 * Rejects with GitHubAPIError.
 */
export function readBlob(
  client: GitHubClient,
  repo: RepoRef,
  sha: string,
  caches: AppCaches,
): Promise<FileContent> {
  return caches.blobs.getOrLoad(sha, async () => decodeContent(await getBlob(client, repo, sha)));
}

/**
 * `path` as it is at commit `sha`, or null when it does not exist there (cached by repository,
 * commit and path). Rejects with GitHubAPIError.
 */
export function fileAtCommit(
  client: GitHubClient,
  repo: RepoRef,
  sha: string,
  path: string,
  caches: AppCaches,
): Promise<FileAtRef | null> {
  const key = `${repo.owner}/${repo.repo}@${sha}:${path}`;
  return caches.files.getOrLoad(key, async () => {
    const f = await getFileAtRef(client, repo, path, sha);
    if (f?.content && f.type === 'file') {
      // Seed the blob cache: the same content is then never fetched again by SHA.
      if (!caches.blobs.has(f.sha)) caches.blobs.set(f.sha, decodeContent(f.content));
    }
    return f ?? null;
  });
}

/**
 * The content of `path` at commit `sha` as a FileContent (`missing` when absent; `too-large`
 * beyond `maxReadBytes`). Rejects with GitHubAPIError.
 */
export async function readAtCommit(
  client: GitHubClient,
  repo: RepoRef,
  sha: string,
  path: string,
  caches: AppCaches,
  maxReadBytes: number,
): Promise<FileContent> {
  const f = await fileAtCommit(client, repo, sha, path, caches);
  if (!f) return { kind: 'missing' };
  if (f.type === 'symlink') return { kind: 'symlink', target: f.target ?? '' };
  if (f.type === 'submodule') return { kind: 'unreadable', error: 'a submodule' };
  if (f.size > maxReadBytes) return { kind: 'too-large', size: f.size, limit: maxReadBytes };
  return readBlob(client, repo, f.sha, caches);
}

/**
 * Reads a repository file as text at commit `sha` (for the config and its `extends`): undefined
 * when it does not exist; rejects with GitHubAPIError, or with an Error for a binary or
 * unreadable file.
 */
export async function readTextAtCommit(
  client: GitHubClient,
  repo: RepoRef,
  sha: string,
  path: string,
  caches: AppCaches,
): Promise<string | undefined> {
  const c = await readAtCommit(client, repo, sha, path, caches, 4 * 1024 * 1024);
  switch (c.kind) {
    case 'missing':
      return undefined;
    case 'text':
      return c.text;
    case 'binary':
      throw new Error(`${path} at ${sha.slice(0, 7)} is a binary file`);
    case 'too-large':
      throw new Error(`${path} at ${sha.slice(0, 7)} is larger than ${c.limit} bytes`);
    case 'symlink':
      throw new Error(
        `${path} at ${sha.slice(0, 7)} is a symlink (to ${c.target}); it is not followed`,
      );
    default:
      throw new Error(`${path} at ${sha.slice(0, 7)} cannot be read: ${c.error}`);
  }
}
