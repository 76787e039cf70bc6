/**
 * Repository file contents at a ref. Source: GitHub REST API, "Get repository content"
 * (`GET /repos/{owner}/{repo}/contents/{path}?ref=`). Files up to 1 MB come with their content
 * (base64); from 1 to 100 MB the content is empty (`encoding: "none"`) and the blob is read by
 * SHA instead (`GET git/blobs/{sha}`, see blobs.ts).
 */
import type { GitHubClient, RepoRef } from './client.js';
import { callGitHub } from './errors.js';

/** A file found at a ref: its blob SHA, size, and content when GitHub sent it inline. */
export interface FileAtRef {
  sha: string;
  size: number;
  /** `file`, `symlink` or `submodule`. */
  type: string;
  /** The bytes when GitHub sent them inline (files up to 1 MB); undefined otherwise. */
  content?: Buffer;
  /** For a symlink: its target. */
  target?: string;
}

/**
 * Reads `path` at `ref` (a commit SHA, branch or tag). Resolves `undefined` when the path does not
 * exist at that ref (404) or is a directory; rejects with GitHubAPIError for anything else.
 */
export async function getFileAtRef(
  client: GitHubClient,
  repo: RepoRef,
  path: string,
  ref: string,
): Promise<FileAtRef | undefined> {
  const url = `/repos/${repo.owner}/${repo.repo}/contents/${path}`;
  try {
    const res = await callGitHub('GET', url, () =>
      client.request('GET /repos/{owner}/{repo}/contents/{path}', {
        owner: repo.owner,
        repo: repo.repo,
        path,
        ref,
      }),
    );
    const data = res.data as
      | Array<unknown>
      | {
          type: string;
          sha: string;
          size: number;
          content?: string;
          encoding?: string;
          target?: string;
        };
    if (Array.isArray(data)) return undefined; // a directory
    const out: FileAtRef = { sha: data.sha, size: data.size, type: data.type };
    if (data.type === 'symlink' && data.target !== undefined) out.target = data.target;
    if (
      data.encoding === 'base64' &&
      typeof data.content === 'string' &&
      (data.content !== '' || data.size === 0)
    ) {
      out.content = Buffer.from(data.content, 'base64');
    }
    return out;
  } catch (e) {
    if ((e as { isNotFound?: boolean }).isNotFound) return undefined;
    throw e;
  }
}
