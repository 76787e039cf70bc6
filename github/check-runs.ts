/**
 * Check Runs. Source: GitHub REST API, "Check runs": "Create a check run"
 * (`POST /repos/{owner}/{repo}/check-runs`), "Update a check run"
 * (`PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}`), "List check runs for a Git reference"
 * (`GET /repos/{owner}/{repo}/commits/{ref}/check-runs`, filterable by `app_id`) and "List check
 * runs in a check suite" (`GET /repos/{owner}/{repo}/check-suites/{check_suite_id}/check-runs`).
 * `output.annotations` takes at most 50 entries per request; further batches are sent with
 * updates, which append to the annotations already there.
 */
import type { GitHubClient, RepoRef } from './client.js';
import { callGitHub } from './errors.js';
import { conditionalGet, type ETagStore } from './etag.js';

/** GitHub's per-request annotation limit. */
export const ANNOTATIONS_PER_REQUEST = 50;

/** One annotation, as the Checks API takes it (lines 1-based; columns only on a single line). */
export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  message: string;
  title?: string;
  raw_details?: string;
}

/** A requested action button (at most 3 per run; label ≤ 20, identifier ≤ 20, description ≤ 40 chars). */
export interface CheckRunAction {
  label: string;
  description: string;
  identifier: string;
}

/** The `output` object of a Check Run. `summary` and `text` are limited to 65,535 characters. */
export interface CheckRunOutput {
  title: string;
  summary: string;
  text?: string;
  annotations?: CheckAnnotation[];
}

/** The body of a create or update request. */
export interface CheckRunBody {
  name?: string;
  head_sha?: string;
  status?: 'queued' | 'in_progress' | 'completed';
  conclusion?:
    'success' | 'failure' | 'neutral' | 'action_required' | 'skipped' | 'cancelled' | 'timed_out';
  started_at?: string;
  completed_at?: string;
  external_id?: string;
  details_url?: string;
  output?: CheckRunOutput;
  actions?: CheckRunAction[];
}

/** An existing Check Run, reduced to what idempotent publishing needs. */
export interface ExistingCheckRun {
  id: number;
  name: string;
  headSha: string;
  status: string;
  conclusion: string | null;
  externalId: string | null;
  appId?: number;
  /** Annotations already on the run (`output.annotations_count`); updates would add to them. */
  annotationsCount: number;
}

interface RawCheckRun {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  external_id: string | null;
  app?: { id: number } | null;
  output?: { annotations_count?: number } | null;
}

function toExisting(r: RawCheckRun): ExistingCheckRun {
  return {
    id: r.id,
    name: r.name,
    headSha: r.head_sha,
    status: r.status,
    conclusion: r.conclusion,
    externalId: r.external_id,
    appId: r.app?.id,
    annotationsCount: r.output?.annotations_count ?? 0,
  };
}

/**
 * The latest Check Run of each name on `ref`, created by the App `appId` (GitHub filters by
 * `app_id`). The first page is requested conditionally (`store`), so an unchanged list costs no
 * rate limit; more than 100 runs are paginated. Rejects with GitHubAPIError.
 */
export async function listCheckRunsForRef(
  client: GitHubClient,
  repo: RepoRef,
  ref: string,
  opts: { appId?: number; store?: ETagStore } = {},
): Promise<{ runs: ExistingCheckRun[]; requests: number; notModified: boolean }> {
  const params: Record<string, unknown> = {
    owner: repo.owner,
    repo: repo.repo,
    ref,
    filter: 'latest',
    per_page: 100,
    ...(opts.appId ? { app_id: opts.appId } : {}),
  };
  const route = 'GET /repos/{owner}/{repo}/commits/{ref}/check-runs';
  const first = await conditionalGet<{ total_count: number; check_runs: RawCheckRun[] }>(
    client,
    route,
    params,
    opts.store,
  );
  const runs = first.data.check_runs.map(toExisting);
  let requests = 1;
  const pages = Math.ceil(first.data.total_count / 100);
  for (let page = 2; page <= pages; page++) {
    const path = `/repos/${repo.owner}/${repo.repo}/commits/${ref}/check-runs`;
    const res = await callGitHub('GET', path, () =>
      client.request(route, { ...params, page } as never),
    );
    requests++;
    runs.push(...(res.data as { check_runs: RawCheckRun[] }).check_runs.map(toExisting));
  }
  const own = opts.appId
    ? runs.filter((r) => r.appId === undefined || r.appId === opts.appId)
    : runs;
  return { runs: own, requests, notModified: first.notModified };
}

/** The Check Runs of one check suite (all pages). Rejects with GitHubAPIError. */
export async function listCheckRunsInSuite(
  client: GitHubClient,
  repo: RepoRef,
  checkSuiteId: number,
): Promise<ExistingCheckRun[]> {
  const path = `/repos/${repo.owner}/${repo.repo}/check-suites/${checkSuiteId}/check-runs`;
  const runs = await callGitHub('GET', path, () =>
    client.paginate(
      'GET /repos/{owner}/{repo}/check-suites/{check_suite_id}/check-runs',
      { owner: repo.owner, repo: repo.repo, check_suite_id: checkSuiteId, per_page: 100 },
      (res) => res.data as unknown as RawCheckRun[],
    ),
  );
  return runs.map(toExisting);
}

/** Creates a Check Run (`name` and `head_sha` required). Resolves its id. Rejects with GitHubAPIError. */
export async function createCheckRun(
  client: GitHubClient,
  repo: RepoRef,
  body: CheckRunBody & { name: string; head_sha: string },
): Promise<{ id: number }> {
  const path = `/repos/${repo.owner}/${repo.repo}/check-runs`;
  const res = await callGitHub('POST', path, () =>
    client.request('POST /repos/{owner}/{repo}/check-runs', {
      owner: repo.owner,
      repo: repo.repo,
      ...body,
    } as never),
  );
  return { id: (res.data as { id: number }).id };
}

/** Updates a Check Run; annotations in `output` are appended. Rejects with GitHubAPIError. */
export async function updateCheckRun(
  client: GitHubClient,
  repo: RepoRef,
  checkRunId: number,
  body: CheckRunBody,
): Promise<void> {
  const path = `/repos/${repo.owner}/${repo.repo}/check-runs/${checkRunId}`;
  await callGitHub('PATCH', path, () =>
    client.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
      owner: repo.owner,
      repo: repo.repo,
      check_run_id: checkRunId,
      ...body,
    } as never),
  );
}
