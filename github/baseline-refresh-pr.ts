/**
 * The baseline-refresh pull request: opens or updates ONE pull request that changes only the
 * security baseline file, from the bot-owned branch `autopack/baseline-refresh` (the Action's
 * `mode: baseline-refresh`; the new text and summary come from
 * checks/security-baseline/refresh.ts).
 *
 * Calls (GitHub REST API):
 * 1. `GET /repos/{o}/{r}/git/ref/heads/{base}` — the base branch's head commit;
 * 2. `GET /repos/{o}/{r}/contents/{path}?ref={base}` — the baseline on the base branch (absent: 404);
 * 3. `GET /repos/{o}/{r}/pulls?head={o}:{branch}&base={base}&state=open` — an open refresh PR;
 * then, when the base already holds the new text: close that PR (`PATCH /pulls/{n}`) and stop;
 * otherwise:
 * 4. `PATCH /repos/{o}/{r}/git/refs/heads/{branch}` `{sha, force: true}` — reset the branch to the
 *    base head (or `POST /git/refs` when it does not exist, 422 from the PATCH): the branch is the
 *    bot's own and always holds exactly one commit on top of the base;
 * 5. `PUT /repos/{o}/{r}/contents/{path}` `{message, content, branch, sha}` — the one commit;
 * 6. `PATCH /repos/{o}/{r}/pulls/{n}` `{title, body}` or `POST /repos/{o}/{r}/pulls`.
 */
import type { GitHubClient, RepoRef } from './client.js';
import { callGitHub } from './errors.js';

/** The branch every refresh pull request comes from. */
export const BASELINE_REFRESH_BRANCH = 'autopack/baseline-refresh';

/** What to propose. */
export interface BaselineRefreshRequest {
  /** The branch the pull request targets (usually the default branch). */
  base: string;
  /** Repository path of the baseline file. */
  path: string;
  /** The new baseline text (checks/security-baseline/refresh.ts `text`). */
  content: string;
  /** Pull request body: the refresh summary (already redacted Markdown). */
  body: string;
  title?: string;
  commitMessage?: string;
  /** Default {@link BASELINE_REFRESH_BRANCH}. */
  branch?: string;
}

/** What happened. */
export type BaselineRefreshOutcome =
  | { action: 'up-to-date'; closedPullNumber?: number }
  | { action: 'created' | 'updated'; pullNumber: number; url: string; commitSha: string };

const enc = (p: string) => p.split('/').map(encodeURIComponent).join('/');

/**
 * Opens or updates the refresh pull request. Rejects with GitHubAPIError on any API failure
 * (nothing is retried here; Octokit's retry plugin does that where the shell enables it).
 */
export async function openOrUpdateBaselineRefreshPr(
  client: GitHubClient,
  repo: RepoRef,
  req: BaselineRefreshRequest,
): Promise<BaselineRefreshOutcome> {
  const { owner, repo: name } = repo;
  const branch = req.branch ?? BASELINE_REFRESH_BRANCH;
  const title = req.title ?? 'Refresh the security baseline';
  const base = req.base;

  const baseRef = await callGitHub('GET', `/repos/${owner}/${name}/git/ref/heads/${base}`, () =>
    client.request('GET /repos/{owner}/{repo}/git/ref/{ref}', {
      owner,
      repo: name,
      ref: `heads/${base}`,
    }),
  );
  const baseSha = baseRef.data.object.sha;

  let current: { sha: string; text: string } | undefined;
  try {
    const res = await callGitHub('GET', `/repos/${owner}/${name}/contents/${enc(req.path)}`, () =>
      client.request('GET /repos/{owner}/{repo}/contents/{path}', {
        owner,
        repo: name,
        path: req.path,
        ref: baseSha,
      }),
    );
    const data = res.data as { type?: string; sha: string; content?: string; encoding?: string };
    if (data.type !== 'file') throw new Error(`${req.path} on ${base} is not a file`);
    current = {
      sha: data.sha,
      text:
        data.encoding === 'base64' && data.content !== undefined
          ? Buffer.from(data.content, 'base64').toString('utf8')
          : '',
    };
  } catch (e) {
    if (!(e as { isNotFound?: boolean }).isNotFound) throw e;
  }

  const pulls = await callGitHub('GET', `/repos/${owner}/${name}/pulls`, () =>
    client.request('GET /repos/{owner}/{repo}/pulls', {
      owner,
      repo: name,
      head: `${owner}:${branch}`,
      base,
      state: 'open',
      per_page: 10,
    }),
  );
  const existing = (pulls.data as Array<{ number: number; html_url: string }>)[0];

  if (current && current.text === req.content) {
    if (existing) {
      await callGitHub('PATCH', `/repos/${owner}/${name}/pulls/${existing.number}`, () =>
        client.request('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', {
          owner,
          repo: name,
          pull_number: existing.number,
          state: 'closed',
        }),
      );
      return { action: 'up-to-date', closedPullNumber: existing.number };
    }
    return { action: 'up-to-date' };
  }

  try {
    await callGitHub('PATCH', `/repos/${owner}/${name}/git/refs/heads/${branch}`, () =>
      client.request('PATCH /repos/{owner}/{repo}/git/refs/{ref}', {
        owner,
        repo: name,
        ref: `heads/${branch}`,
        sha: baseSha,
        force: true,
      }),
    );
  } catch (e) {
    // 422 "Reference does not exist": the branch is new.
    if ((e as { status?: number }).status !== 422 && (e as { status?: number }).status !== 404)
      throw e;
    await callGitHub('POST', `/repos/${owner}/${name}/git/refs`, () =>
      client.request('POST /repos/{owner}/{repo}/git/refs', {
        owner,
        repo: name,
        ref: `refs/heads/${branch}`,
        sha: baseSha,
      }),
    );
  }

  const put = await callGitHub('PUT', `/repos/${owner}/${name}/contents/${enc(req.path)}`, () =>
    client.request('PUT /repos/{owner}/{repo}/contents/{path}', {
      owner,
      repo: name,
      path: req.path,
      branch,
      message: req.commitMessage ?? `${title}\n\nWritten by Autopack (security-baseline refresh).`,
      content: Buffer.from(req.content, 'utf8').toString('base64'),
      ...(current ? { sha: current.sha } : {}),
    }),
  );
  const commitSha = (put.data as { commit: { sha: string } }).commit.sha;

  if (existing) {
    await callGitHub('PATCH', `/repos/${owner}/${name}/pulls/${existing.number}`, () =>
      client.request('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', {
        owner,
        repo: name,
        pull_number: existing.number,
        title,
        body: req.body,
      }),
    );
    return { action: 'updated', pullNumber: existing.number, url: existing.html_url, commitSha };
  }
  const created = await callGitHub('POST', `/repos/${owner}/${name}/pulls`, () =>
    client.request('POST /repos/{owner}/{repo}/pulls', {
      owner,
      repo: name,
      title,
      head: branch,
      base,
      body: req.body,
    }),
  );
  const pr = created.data as { number: number; html_url: string };
  return { action: 'created', pullNumber: pr.number, url: pr.html_url, commitSha };
}
