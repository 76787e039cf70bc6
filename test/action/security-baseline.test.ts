/**
 * The security baseline in CI, run as the runner runs the bundle, on real ESLint SARIF
 * (test/fixtures/sarif/eslint, written by @microsoft/eslint-formatter-sarif):
 * 1. `mode: baseline-refresh` on the default branch opens the one refresh pull request that
 *    changes only the baseline file (github/baseline-refresh-pr.ts requests, asserted in order);
 * 2. the gate on a pull request reads that baseline from the BASE commit: findings already in it
 *    are tolerated even after a line shift, a new `eval` fails with an annotation on its line.
 * The SARIF logs are untracked files in the workspace, as a scanner step leaves them.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitFixture, type Fixture } from '../helpers/git-fixture.js';
import { gitBackedRoutes, governanceRoutes } from './git-backed-api.js';
import {
  examplePayload,
  REPO_ROOT,
  runAction,
  startFakeGitHub,
  type FakeGitHub,
  type Route,
} from './harness.js';

const OWNER = 'octo-org';
const REPO = 'octo-repo';
const FIX = path.join(REPO_ROOT, 'test/fixtures/sarif/eslint');
const BASELINE = '.github/autopack-baseline.json';

let repo: Fixture;
let mainSha: string;
let api: FakeGitHub;
const written: { content?: string } = {};

/** The refresh pull request's calls: the base branch ref, no baseline yet, no open PR, a new branch. */
function refreshRoutes(): Route[] {
  const base = `/repos/${OWNER}/${REPO}`;
  return [
    {
      method: 'GET',
      path: `${base}/git/ref/heads/main`,
      reply: () => ({ body: { ref: 'refs/heads/main', object: { sha: mainSha, type: 'commit' } } }),
    },
    {
      method: 'GET',
      path: `${base}/contents/${BASELINE}`,
      reply: () => ({ status: 404, body: { message: 'Not Found' } }),
    },
    { method: 'GET', path: `${base}/pulls`, reply: () => ({ body: [] }) },
    {
      method: 'PATCH',
      path: `${base}/git/refs/heads/autopack/baseline-refresh`,
      reply: () => ({ status: 422, body: { message: 'Reference does not exist' } }),
    },
    { method: 'POST', path: `${base}/git/refs`, reply: (req) => ({ status: 201, body: req.body }) },
    {
      method: 'PUT',
      path: `${base}/contents/${BASELINE}`,
      reply: (req) => {
        written.content = Buffer.from((req.body as { content: string }).content, 'base64').toString(
          'utf8',
        );
        return {
          status: 201,
          body: { content: { path: BASELINE }, commit: { sha: 'c'.repeat(40) } },
        };
      },
    },
    {
      method: 'POST',
      path: `${base}/pulls`,
      reply: () => ({
        status: 201,
        body: { number: 7, html_url: `https://github.com/${OWNER}/${REPO}/pull/7` },
      }),
    },
  ];
}

beforeAll(async () => {
  repo = await gitFixture({
    'README.md': '# x\n',
    LICENSE: 'MIT\n',
    'SECURITY.md': '# s\n',
    '.github/CODEOWNERS': '* @octo-org/maintainers\n',
    'src/app.js': await readFile(path.join(FIX, 'app.v1.js.txt'), 'utf8'),
  });
  mainSha = repo.git('rev-parse', 'HEAD').trim();
  api = await startFakeGitHub(refreshRoutes());
});

afterAll(async () => {
  await api.close();
  await repo.cleanup();
});

describe('security baseline in the Action', () => {
  it('mode: baseline-refresh opens the one pull request that changes only the baseline', async () => {
    await repo.write('scan/eslint.sarif', await readFile(path.join(FIX, 'v1.sarif'), 'utf8')); // untracked
    const run = await runAction({
      eventName: 'workflow_dispatch',
      payload: await examplePayload('workflow_dispatch', undefined, 0),
      workspace: repo.dir,
      sha: mainSha,
      ref: 'refs/heads/main',
      inputs: { mode: 'baseline-refresh', sarif: 'scan/*.sarif' },
      api,
    });
    expect(run.code).toBe(0);
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /repos/${OWNER}/${REPO}/git/ref/heads/main`,
      `GET /repos/${OWNER}/${REPO}/contents/${BASELINE}`,
      `GET /repos/${OWNER}/${REPO}/pulls`,
      `PATCH /repos/${OWNER}/${REPO}/git/refs/heads/autopack/baseline-refresh`,
      `POST /repos/${OWNER}/${REPO}/git/refs`,
      `PUT /repos/${OWNER}/${REPO}/contents/${BASELINE}`,
      `POST /repos/${OWNER}/${REPO}/pulls`,
    ]);
    const pr = api.calls('POST', `/repos/${OWNER}/${REPO}/pulls`)[0]!.body as {
      head: string;
      base: string;
    };
    expect(pr).toMatchObject({ head: 'autopack/baseline-refresh', base: 'main' });
    const baseline = JSON.parse(written.content!) as {
      entries: Array<{ rule: string; path: string }>;
    };
    expect(baseline.entries.map((e) => `${e.rule} ${e.path}`).sort()).toEqual([
      'no-eval src/app.js',
      'no-eval src/app.js',
      'no-unused-vars src/app.js',
      'no-unused-vars src/app.js',
    ]);
    expect(run.outputs).toMatchObject({ conclusion: 'success', findings: '4' });
    expect(run.summary).toContain(
      'Opened the baseline refresh pull request [#7](https://github.com/octo-org/octo-repo/pull/7)',
    );
  });

  it('refuses to refresh on a pull request', async () => {
    const payload = await examplePayload('pull_request', 'opened');
    const pr = payload.pull_request as Record<string, Record<string, unknown>>;
    pr.base!.sha = mainSha;
    pr.head!.sha = mainSha;
    const run = await runAction({
      eventName: 'pull_request',
      payload,
      workspace: repo.dir,
      sha: mainSha,
      inputs: { mode: 'baseline-refresh', sarif: 'scan/*.sarif' },
      api,
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('a pull request must not baseline its own findings');
  });

  it("gates a pull request on the base commit's baseline: a new finding fails, a shifted one is tolerated", async () => {
    // The refresh pull request was merged: main holds the baseline.
    await repo.write(BASELINE, written.content!);
    const base = repo.commit('merge the baseline refresh');
    repo.git('checkout', '-q', '-b', 'feature');
    await repo.write('src/app.js', await readFile(path.join(FIX, 'app.v4.js.txt'), 'utf8'));
    const head = repo.commit('three lines on top, an edited eval and a new one');
    await repo.write(
      'scan/eslint.sarif',
      await readFile(path.join(FIX, 'v4-edited.sarif'), 'utf8'),
    );
    const payload = await examplePayload('pull_request', 'opened');
    payload.repository = {
      ...(payload.repository as object),
      name: REPO,
      full_name: `${OWNER}/${REPO}`,
      owner: { login: OWNER },
    };
    const pr = payload.pull_request as Record<string, Record<string, unknown>>;
    pr.base!.sha = base;
    pr.base!.ref = 'main';
    pr.head!.sha = head;
    const gate = await startFakeGitHub([
      ...gitBackedRoutes(repo.dir, OWNER, REPO, {
        number: 2,
        baseRef: 'main',
        baseSha: base,
        headSha: head,
      }),
      ...governanceRoutes(OWNER, REPO, 2, { comments: [], permissions: {}, reactions: [] }),
    ]);
    try {
      const run = await runAction({
        eventName: 'pull_request',
        payload,
        workspace: repo.dir,
        sha: head,
        ref: 'refs/pull/2/merge',
        inputs: { sarif: 'scan/eslint.sarif', checks: 'security-baseline' },
        api: gate,
      });
      expect(run.code).toBe(1);
      const result = run.report!.results.find((r) => r.checkId === 'security-baseline')!;
      expect(result.conclusion).toBe('failure');
      // Exactly one finding is new: the added eval. The shifted and edited ones matched the
      // baseline (unchanged or updated), so they are tolerated.
      const byState = result.findings.map((f) => ({
        line: f.line as number,
        state: (f.properties as { baselineState?: string } | undefined)?.baselineState,
      }));
      expect(byState.filter((x) => x.state === 'new')).toEqual([{ line: 26, state: 'new' }]);
      expect(
        byState.filter((x) => x.state === 'unchanged' || x.state === 'updated').length,
      ).toBeGreaterThanOrEqual(1);
      // The new eval (line 26 of the head) is annotated where it is.
      const ann = run.annotations.find((a) => a.file === 'src/app.js' && a.line === 26);
      expect(ann).toMatchObject({ level: 'error' });
      // The baseline came from the base commit through git: no contents request for it.
      expect(gate.calls('GET', /\/contents\//)).toEqual([]);
    } finally {
      await gate.close();
    }
  });
});
