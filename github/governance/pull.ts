/**
 * The pull request facts governance needs. Source: GitHub REST API, "Get a pull request"
 * (`GET /repos/{owner}/{repo}/pulls/{pull_number}`): author (`user`), `labels`, `base.ref`,
 * `base.sha`, `head.sha`, `state`, `html_url`. Always read fresh: a webhook payload may be
 * older than the head it is judged against.
 */
import type { GitHubClient, RepoRef } from '../client.js';
import { callGitHub } from '../errors.js';

/** A pull request as governance sees it. */
export interface PullFacts {
  number: number;
  author: string;
  authorType?: string;
  labels: string[];
  baseRef: string;
  baseSha: string;
  headSha: string;
  state: string;
  url?: string;
}

interface RawPull {
  number: number;
  user: { login: string; type?: string } | null;
  labels?: Array<{ name?: string } | string>;
  base: { ref: string; sha: string };
  head: { sha: string };
  state: string;
  html_url?: string;
}

/** Converts the REST shape (also the webhook `pull_request` shape) into PullFacts. */
export function toPullFacts(p: RawPull): PullFacts {
  return {
    number: p.number,
    author: p.user?.login ?? 'ghost',
    authorType: p.user?.type,
    labels: (p.labels ?? [])
      .map((l) => (typeof l === 'string' ? l : (l.name ?? '')))
      .filter(Boolean),
    baseRef: p.base.ref,
    baseSha: p.base.sha,
    headSha: p.head.sha,
    state: p.state,
    url: p.html_url,
  };
}

/** Reads the pull request. Rejects with GitHubAPIError (404 when it does not exist). */
export async function getPullFacts(
  client: GitHubClient,
  repo: RepoRef,
  pullNumber: number,
): Promise<PullFacts> {
  const path = `/repos/${repo.owner}/${repo.repo}/pulls/${pullNumber}`;
  const res = await callGitHub('GET', path, () =>
    client.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {
      owner: repo.owner,
      repo: repo.repo,
      pull_number: pullNumber,
    }),
  );
  return toPullFacts(res.data as unknown as RawPull);
}
