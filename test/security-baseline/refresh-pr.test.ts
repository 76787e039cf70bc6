/**
 * github/baseline-refresh-pr.ts against the GitHub REST API, mocked at the HTTP boundary with nock
 * (no network; every request asserted and counted).
 */
import { Octokit } from '@octokit/rest';
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  BASELINE_REFRESH_BRANCH,
  openOrUpdateBaselineRefreshPr,
} from '../../github/baseline-refresh-pr.js';

const API = 'https://api.github.com';
const repo = { owner: 'octo', repo: 'app' };
const PATH = '.github/autopack-baseline.json';
const OLD = '{\n  "version": 1,\n  "entries": []\n}\n';
const NEW = '{\n  "version": 1,\n  "entries": [\n    {"tool": "ESLint"}\n  ]\n}\n';
const BASE_SHA = 'a'.repeat(40);

function client(): Octokit {
  return new Octokit({ auth: 'test-token', request: { retries: 0 } });
}

beforeAll(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
});

function common(
  scope: nock.Scope,
  existingPr: Array<{ number: number; html_url: string }>,
  baselineText: string | undefined,
): nock.Scope {
  scope
    .get('/repos/octo/app/git/ref/heads%2Fmain')
    .reply(200, { ref: 'refs/heads/main', object: { sha: BASE_SHA, type: 'commit' } });
  const contents = scope
    .get('/repos/octo/app/contents/.github%2Fautopack-baseline.json')
    .query({ ref: BASE_SHA });
  if (baselineText === undefined) contents.reply(404, { message: 'Not Found' });
  else
    contents.reply(200, {
      type: 'file',
      sha: 'b'.repeat(40),
      encoding: 'base64',
      content: Buffer.from(baselineText).toString('base64'),
    });
  scope
    .get('/repos/octo/app/pulls')
    .query({ head: `octo:${BASELINE_REFRESH_BRANCH}`, base: 'main', state: 'open', per_page: '10' })
    .reply(200, existingPr);
  return scope;
}

describe('openOrUpdateBaselineRefreshPr', () => {
  it('first refresh: creates the branch, commits only the baseline, opens the pull request', async () => {
    const bodies: Record<string, unknown> = {};
    const scope = common(nock(API), [], OLD)
      .patch('/repos/octo/app/git/refs/heads%2Fautopack%2Fbaseline-refresh')
      .reply(422, { message: 'Reference does not exist' })
      .post('/repos/octo/app/git/refs', (b) => ((bodies.ref = b), true))
      .reply(201, { ref: `refs/heads/${BASELINE_REFRESH_BRANCH}` })
      .put(
        '/repos/octo/app/contents/.github%2Fautopack-baseline.json',
        (b) => ((bodies.put = b), true),
      )
      .reply(201, { commit: { sha: 'c'.repeat(40) } })
      .post('/repos/octo/app/pulls', (b) => ((bodies.pr = b), true))
      .reply(201, { number: 7, html_url: 'https://github.com/octo/app/pull/7' });
    const out = await openOrUpdateBaselineRefreshPr(client(), repo, {
      base: 'main',
      path: PATH,
      content: NEW,
      body: '### Security baseline refresh',
    });
    expect(out).toEqual({
      action: 'created',
      pullNumber: 7,
      url: 'https://github.com/octo/app/pull/7',
      commitSha: 'c'.repeat(40),
    });
    expect(scope.isDone()).toBe(true);
    expect(bodies.ref).toEqual({ ref: 'refs/heads/autopack/baseline-refresh', sha: BASE_SHA });
    const put = bodies.put as { branch: string; sha: string; content: string; message: string };
    expect(put.branch).toBe(BASELINE_REFRESH_BRANCH);
    expect(put.sha).toBe('b'.repeat(40));
    expect(Buffer.from(put.content, 'base64').toString('utf8')).toBe(NEW);
    expect(bodies.pr).toMatchObject({
      head: BASELINE_REFRESH_BRANCH,
      base: 'main',
      title: 'Refresh the security baseline',
      body: '### Security baseline refresh',
    });
  });

  it('a later refresh resets the branch to the base and updates the one open pull request', async () => {
    let requests = 0;
    const scope = common(
      nock(API),
      [{ number: 7, html_url: 'https://github.com/octo/app/pull/7' }],
      OLD,
    )
      .patch('/repos/octo/app/git/refs/heads%2Fautopack%2Fbaseline-refresh', {
        sha: BASE_SHA,
        force: true,
      })
      .reply(200, {})
      .put('/repos/octo/app/contents/.github%2Fautopack-baseline.json')
      .reply(200, { commit: { sha: 'd'.repeat(40) } })
      .patch('/repos/octo/app/pulls/7', {
        title: 'Refresh the security baseline',
        body: 'new summary',
      })
      .reply(200, { number: 7 });
    scope.on('request', () => requests++);
    const out = await openOrUpdateBaselineRefreshPr(client(), repo, {
      base: 'main',
      path: PATH,
      content: NEW,
      body: 'new summary',
    });
    expect(out).toMatchObject({ action: 'updated', pullNumber: 7 });
    expect(scope.isDone()).toBe(true);
    expect(requests).toBe(6);
  });

  it('no baseline on the base yet: the file is created (no sha sent)', async () => {
    let putBody: Record<string, unknown> = {};
    const scope = common(nock(API), [], undefined)
      .patch('/repos/octo/app/git/refs/heads%2Fautopack%2Fbaseline-refresh')
      .reply(200, {})
      .put(
        '/repos/octo/app/contents/.github%2Fautopack-baseline.json',
        (b) => ((putBody = b), true),
      )
      .reply(201, { commit: { sha: 'e'.repeat(40) } })
      .post('/repos/octo/app/pulls')
      .reply(201, { number: 8, html_url: 'u' });
    await openOrUpdateBaselineRefreshPr(client(), repo, {
      base: 'main',
      path: PATH,
      content: NEW,
      body: 'b',
    });
    expect(scope.isDone()).toBe(true);
    expect('sha' in putBody).toBe(false);
  });

  it('nothing to change: no commit, and a stale refresh pull request is closed', async () => {
    const scope = common(nock(API), [{ number: 9, html_url: 'u' }], NEW)
      .patch('/repos/octo/app/pulls/9', { state: 'closed' })
      .reply(200, {});
    const out = await openOrUpdateBaselineRefreshPr(client(), repo, {
      base: 'main',
      path: PATH,
      content: NEW,
      body: 'b',
    });
    expect(out).toEqual({ action: 'up-to-date', closedPullNumber: 9 });
    expect(scope.isDone()).toBe(true);
  });

  it('an API failure rejects with a GitHubAPIError naming the call', async () => {
    nock(API)
      .get('/repos/octo/app/git/ref/heads%2Fmain')
      .reply(403, { message: 'Resource not accessible by integration' });
    await expect(
      openOrUpdateBaselineRefreshPr(client(), repo, {
        base: 'main',
        path: PATH,
        content: NEW,
        body: 'b',
      }),
    ).rejects.toMatchObject({
      name: 'GitHubAPIError',
      status: 403,
    });
  });
});
