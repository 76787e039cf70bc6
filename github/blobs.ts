/**
 * Git blobs. Source: GitHub REST API, "Get a blob"
 * (`GET /repos/{owner}/{repo}/git/blobs/{file_sha}`): the content, base64-encoded, for blobs up
 * to 100 MB. A blob SHA names its content, so an answer never changes and may be cached forever.
 */
import type { GitHubClient, RepoRef } from './client.js';
import { callGitHub } from './errors.js';

/** Fetches one blob's bytes. Rejects with GitHubAPIError (404 when the blob is not in the repo). */
export async function getBlob(client: GitHubClient, repo: RepoRef, sha: string): Promise<Buffer> {
  const path = `/repos/${repo.owner}/${repo.repo}/git/blobs/${sha}`;
  const res = await callGitHub('GET', path, () =>
    client.request('GET /repos/{owner}/{repo}/git/blobs/{file_sha}', {
      owner: repo.owner,
      repo: repo.repo,
      file_sha: sha,
    }),
  );
  const data = res.data as { content: string; encoding: string; size?: number };
  if (data.encoding === 'base64') return Buffer.from(data.content, 'base64');
  if (data.encoding === 'utf-8' || data.encoding === 'utf8')
    return Buffer.from(data.content, 'utf8');
  throw new Error(`GET ${path}: unexpected blob encoding "${data.encoding}"`);
}
