/**
 * Git trees. Source: GitHub REST API, "Get a tree"
 * (`GET /repos/{owner}/{repo}/git/trees/{tree_sha}`, `recursive=1`). `tree_sha` may be a tree or a
 * commit SHA. A recursive answer is cut at 100,000 entries or 7 MB and then says
 * `truncated: true`; {@link getFullTree} then walks the subtrees one by one.
 */
import pLimit from 'p-limit';
import type { GitHubClient, RepoRef } from './client.js';
import { callGitHub } from './errors.js';

/** One entry of a git tree, as GitHub returns it (`path` relative to the tree fetched). */
export interface TreeEntry {
  path: string;
  /** Git file mode: `100644`, `100755`, `120000` (symlink), `160000` (submodule), `040000` (tree). */
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
  /** Blob size in bytes (absent for trees and submodules). */
  size?: number;
}

/** A tree answer: its entries and whether GitHub truncated them. */
export interface TreeResult {
  sha: string;
  entries: TreeEntry[];
  truncated: boolean;
}

/** One `GET git/trees/{sha}` request (recursive or not). Rejects with GitHubAPIError. */
export async function getTree(
  client: GitHubClient,
  repo: RepoRef,
  sha: string,
  recursive: boolean,
): Promise<TreeResult> {
  const path = `/repos/${repo.owner}/${repo.repo}/git/trees/${sha}`;
  const data = await callGitHub('GET', path, async () => {
    // A recursive tree is large (about 150 bytes per entry): the body is parsed with the native
    // JSON.parse, several times faster than Octokit's BigInt-safe parser (a tree has no big numbers).
    const res = await client.request('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', {
      owner: repo.owner,
      repo: repo.repo,
      tree_sha: sha,
      ...(recursive ? { recursive: '1' } : {}),
      request: { parseSuccessResponseBody: false },
    });
    const body = res.data as unknown;
    const text =
      typeof body === 'string'
        ? body
        : body instanceof ReadableStream
          ? await new Response(body).text()
          : JSON.stringify(body);
    return JSON.parse(text) as { sha: string; tree: TreeEntry[]; truncated: boolean };
  });
  // The parsed entries are used as they are (a copy per entry cost ~1 ms per 5,000 entries, on
  // every new head): GitHub's entries carry `path`, `mode`, `type`, `sha`, `size` and `url`.
  return { sha: data.sha, truncated: Boolean(data.truncated), entries: data.tree };
}

/**
 * Every blob and submodule entry under `sha`, with full paths, in one recursive request when
 * GitHub can answer it whole; when the answer is truncated, the top level is read without
 * recursion and each subtree is fetched the same way (at most `concurrency` at once).
 * Returns the number of requests made alongside the entries. Rejects with GitHubAPIError.
 */
export async function getFullTree(
  client: GitHubClient,
  repo: RepoRef,
  sha: string,
  concurrency = 8,
): Promise<{ entries: TreeEntry[]; requests: number; walkedSubtrees: boolean }> {
  const limit = pLimit(concurrency);
  let requests = 0;
  let walked = false;
  const walk = async (treeSha: string, prefix: string): Promise<TreeEntry[]> => {
    requests++;
    const whole = await limit(() => getTree(client, repo, treeSha, true));
    if (!whole.truncated) {
      const blobs = whole.entries.filter((e) => e.type !== 'tree');
      return prefix === '' ? blobs : blobs.map((e) => ({ ...e, path: prefix + e.path }));
    }
    walked = true;
    requests++;
    const top = await limit(() => getTree(client, repo, treeSha, false));
    const out: TreeEntry[] = top.entries
      .filter((e) => e.type !== 'tree')
      .map((e) => ({ ...e, path: prefix + e.path }));
    const subtrees = top.entries.filter((e) => e.type === 'tree');
    const parts = await Promise.all(subtrees.map((t) => walk(t.sha, `${prefix}${t.path}/`)));
    for (const p of parts) out.push(...p);
    return out;
  };
  const entries = await walk(sha, '');
  return { entries, requests, walkedSubtrees: walked };
}
