/**
 * Pull request reviews. Source: GitHub REST API, "List reviews for a pull request"
 * (`GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews`, 100 per page, every page read;
 * oldest first). A review's `state` is `APPROVED`, `CHANGES_REQUESTED`, `COMMENTED`,
 * `DISMISSED` or `PENDING`; `commit_id` is the head it was submitted on.
 */
import type { PrReview } from '../../checks/governance/types.js';
import type { GitHubClient, RepoRef } from '../client.js';
import { callGitHub } from '../errors.js';

interface RawReview {
  id: number;
  user: { login: string; type?: string } | null;
  state: string;
  commit_id?: string | null;
  submitted_at?: string | null;
  html_url?: string;
}

/** Converts the REST shape (also the webhook `review` shape, whose state is lower-case) into a PrReview. */
export function toPrReview(r: RawReview): PrReview {
  return {
    id: r.id,
    author: r.user?.login ?? 'ghost',
    authorType: r.user?.type,
    state: r.state.toUpperCase(),
    commitId: r.commit_id ?? undefined,
    submittedAt: r.submitted_at ?? undefined,
    url: r.html_url,
  };
}

/** Every review of the pull request, all pages. Rejects with GitHubAPIError. */
export async function listReviews(
  client: GitHubClient,
  repo: RepoRef,
  pullNumber: number,
): Promise<PrReview[]> {
  const path = `/repos/${repo.owner}/${repo.repo}/pulls/${pullNumber}/reviews`;
  const raw = await callGitHub('GET', path, () =>
    client.paginate(
      'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews',
      { owner: repo.owner, repo: repo.repo, pull_number: pullNumber, per_page: 100 },
      (res) => res.data as unknown as RawReview[],
    ),
  );
  return raw.map(toPrReview);
}
