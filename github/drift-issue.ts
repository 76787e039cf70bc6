/**
 * The one tracking issue of the scheduled drift job, "Autopack: drift report": created when the
 * default branch has findings, updated while it does, closed when it is clean again, and
 * reopened (never duplicated) when drift comes back.
 *
 * GitHub calls (REST):
 * - `GET /repos/{owner}/{repo}/issues?labels=<label>&state=all` — every page (the issue is
 *   found by its label and its exact title; pull requests in the list are skipped);
 * - `POST /repos/{owner}/{repo}/issues` — create (GitHub creates the label when missing);
 * - `PATCH /repos/{owner}/{repo}/issues/{issue_number}` — update the body, reopen, or close.
 * An issue whose report digest has not changed is left alone: no write at all.
 */
import type { GitHubClient, RepoRef } from './client.js';
import { callGitHub } from './errors.js';

/** The tracking issue's title (exact match). */
export const DRIFT_ISSUE_TITLE = 'Autopack: drift report';
/** The label the issue carries; the lookup lists issues by it. */
export const DRIFT_ISSUE_LABEL = 'autopack:drift';

const DIGEST_MARK = /<!-- autopack:drift-report digest=([0-9a-f]+) -->/;

/** What {@link syncDriftIssue} did. */
export interface DriftIssueResult {
  action: 'created' | 'updated' | 'reopened' | 'closed' | 'unchanged' | 'none';
  /** The issue number, when there is an issue. */
  number?: number;
  /** Its web address, when there is an issue. */
  url?: string;
}

/** The parts of a REST issue this module reads. */
interface IssueLike {
  number: number;
  title: string;
  state: string;
  body?: string | null;
  html_url: string;
  pull_request?: unknown;
}

/** Options for {@link syncDriftIssue}. */
export interface DriftIssueOptions {
  /** True when the branch is clean: an open issue is closed, none is created. */
  clean: boolean;
  /** The issue body (Markdown, already redacted), at most 65,536 characters. */
  body: string;
  /**
   * A digest of what the report says (e.g. a hash of the findings' fingerprints): when the
   * open issue carries the same digest, nothing is written.
   */
  digest: string;
  title?: string;
  label?: string;
}

/**
 * Finds the tracking issue: the open one with the title and label (lowest number if several),
 * else the most recently numbered closed one; undefined when none exists. Reads every page.
 */
export async function findDriftIssue(
  client: GitHubClient,
  repo: RepoRef,
  title = DRIFT_ISSUE_TITLE,
  label = DRIFT_ISSUE_LABEL,
): Promise<IssueLike | undefined> {
  const all = (await callGitHub('GET', `/repos/${repo.owner}/${repo.repo}/issues`, () =>
    client.paginate('GET /repos/{owner}/{repo}/issues', {
      ...repo,
      labels: label,
      state: 'all',
      per_page: 100,
    }),
  )) as IssueLike[];
  const mine = all.filter((i) => !i.pull_request && i.title === title);
  const open = mine.filter((i) => i.state === 'open').sort((a, b) => a.number - b.number);
  if (open[0]) return open[0];
  return mine.sort((a, b) => b.number - a.number)[0];
}

/**
 * Brings the tracking issue in line with the latest run (see the module comment). The body
 * gets a hidden digest marker appended, so the next run can tell whether anything changed.
 * Rejects with GitHubAPIError (github/errors.ts) on an API failure (the caller fails the step).
 */
export async function syncDriftIssue(
  client: GitHubClient,
  repo: RepoRef,
  opts: DriftIssueOptions,
): Promise<DriftIssueResult> {
  const title = opts.title ?? DRIFT_ISSUE_TITLE;
  const label = opts.label ?? DRIFT_ISSUE_LABEL;
  const existing = await findDriftIssue(client, repo, title, label);
  const body = `${opts.body.trimEnd()}\n\n<!-- autopack:drift-report digest=${opts.digest} -->\n`;
  const issues = `/repos/${repo.owner}/${repo.repo}/issues`;
  const patch = (
    n: number,
    fields: { state?: 'open' | 'closed'; state_reason?: 'completed'; body: string },
  ) =>
    callGitHub('PATCH', `${issues}/${n}`, () =>
      client.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
        ...repo,
        issue_number: n,
        ...fields,
      }),
    );
  if (opts.clean) {
    if (!existing || existing.state !== 'open')
      return { action: 'none', number: existing?.number, url: existing?.html_url };
    await patch(existing.number, { state: 'closed', state_reason: 'completed', body });
    return { action: 'closed', number: existing.number, url: existing.html_url };
  }
  if (!existing) {
    const res = await callGitHub('POST', issues, () =>
      client.request('POST /repos/{owner}/{repo}/issues', {
        ...repo,
        title,
        body,
        labels: [label],
      }),
    );
    return { action: 'created', number: res.data.number, url: res.data.html_url };
  }
  if (existing.state !== 'open') {
    await patch(existing.number, { state: 'open', body });
    return { action: 'reopened', number: existing.number, url: existing.html_url };
  }
  if (DIGEST_MARK.exec(existing.body ?? '')?.[1] === opts.digest) {
    return { action: 'unchanged', number: existing.number, url: existing.html_url };
  }
  await patch(existing.number, { body });
  return { action: 'updated', number: existing.number, url: existing.html_url };
}
