/**
 * Fail closed and stay cheap: GitHub errors, timeouts and slow evaluations through the App
 * (Probot + nock, retry/throttle off), annotation batching and caps, large pull requests,
 * truncated trees, the process-wide blob cache and conditional requests.
 */
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { Check, Finding } from '../../checks/model.js';
import { createCaches } from '../../app/caches.js';
import {
  API,
  APP_ID,
  TEST_CHECKS,
  blobBody,
  commit,
  createTestApp,
  example,
  apiBoundary,
  nockToken,
  type FakeCommit,
  type Served,
  tarGz,
} from './helpers.js';

const R = '/repos/Codertocat/Hello-World';
const BASE = 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e';
const HEAD = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';
const head = commit({ 'README.md': '# Hello\nFIXME\n', 'old.bak': 'x\n' });

function mockStart(scope: nock.Scope, config?: string, installationId = 1, repoPath = R): void {
  nockToken(scope, installationId);
  const c = scope.get(`${repoPath}/contents/.github%2Fautopack.yml`).query({ ref: BASE });
  if (config) c.reply(200, { type: 'file', ...blobBody(config, 'c'.repeat(40)) });
  else c.reply(404, {});
  scope
    .get(`${repoPath}/commits/${HEAD}/check-runs`)
    .query(true)
    .reply(200, { total_count: 0, check_runs: [] });
}

function mockTreeAndCompare(scope: nock.Scope, h: FakeCommit = head, repoPath = R): void {
  scope
    .get(`${repoPath}/git/trees/${HEAD}`)
    .query({ recursive: '1' })
    .reply(200, { sha: HEAD, truncated: false, tree: h.tree });
  scope
    .get(`${repoPath}/compare/${BASE}...${HEAD}`)
    .query(true)
    .reply(200, { status: 'ahead', merge_base_commit: { sha: BASE }, files: [] });
}

function writes(served: Served[]) {
  return served.filter((s) => s.method !== 'GET' && !s.path.includes('access_tokens'));
}

/** A check with `n` error findings on `many.txt`, lines 1..n. */
function manyFindings(n: number): Check {
  return {
    id: 'drift',
    title: 'Many',
    rules: [],
    async run() {
      const findings: Finding[] = Array.from({ length: n }, (_, i) => ({
        checkId: 'drift',
        ruleId: 'many',
        severity: i % 3 === 0 ? 'warning' : 'error',
        message: `finding ${i + 1}`,
        path: 'many.txt',
        line: i + 1,
        fingerprint: `f${i}`,
      }));
      return { findings };
    },
  };
}

describe('App: failing closed', () => {
  const api = apiBoundary();

  it('a GitHub error while reading the tree fails every Check Run, saying what failed and how to re-run', async () => {
    const t = await createTestApp({ checks: TEST_CHECKS.slice(0, 2) });
    mockStart(api.scope);
    api.scope
      .get(`${R}/git/trees/${HEAD}`)
      .query(true)
      .reply(502, { message: 'Server Error' }, { 'x-github-request-id': 'ABC:123' });
    api.scope
      .get(`${R}/compare/${BASE}...${HEAD}`)
      .query(true)
      .optionally()
      .reply(200, { merge_base_commit: { sha: BASE }, files: [] });
    api.scope.post(`${R}/check-runs`).times(2).reply(201, { id: 1 });
    await t.deliver('pull_request', example('pull_request', 'opened'));
    const bodies = writes(api.served).map((w) => w.body);
    expect(bodies.map((b) => [b.name, b.status, b.conclusion])).toEqual([
      ['autopack/workspace-structure', 'completed', 'failure'],
      ['autopack/drift', 'completed', 'failure'],
    ]);
    expect(bodies[0].output.title).toBe('GitHub API error: nothing was judged');
    expect(bodies[0].output.summary).toContain(
      `GitHub API GET ${R}/git/trees/${HEAD} failed with HTTP 502`,
    );
    expect(bodies[0].output.summary).toContain('**Re-run**');
    expect(t.records[0]!.outcome).toBe('api-error');
  });

  it('when the lookup of existing runs fails, failed runs are still written (never missing)', async () => {
    const t = await createTestApp({ checks: TEST_CHECKS.slice(0, 2) });
    nockToken(api.scope, 1);
    api.scope.get(`${R}/contents/.github%2Fautopack.yml`).query({ ref: BASE }).reply(404, {});
    api.scope
      .get(`${R}/commits/${HEAD}/check-runs`)
      .query(true)
      .reply(503, { message: 'Service Unavailable' });
    api.scope.post(`${R}/check-runs`).times(2).reply(201, { id: 1 });
    await t.deliver('pull_request', example('pull_request', 'opened'));
    expect(api.scope.isDone()).toBe(true);
    const bodies = writes(api.served).map((w) => w.body);
    expect(bodies.map((b) => [b.name, b.conclusion])).toEqual([
      ['autopack/workspace-structure', 'failure'],
      ['autopack/drift', 'failure'],
    ]);
    expect(bodies[0].output.summary).toContain(`/commits/${HEAD}/check-runs failed with HTTP 503`);
  });

  it('a content read that fails fails the evaluation, even though the port answers "unreadable"', async () => {
    const t = await createTestApp({ checks: [TEST_CHECKS[1]!] });
    mockStart(api.scope);
    mockTreeAndCompare(api.scope);
    api.scope.get(`${R}/git/blobs/${head.shaOf('README.md')}`).reply(500, { message: 'boom' });
    api.scope.post(`${R}/check-runs`).reply(201, { id: 1 });
    await t.deliver('pull_request', example('pull_request', 'opened'));
    const [b] = writes(api.served).map((w) => w.body);
    expect(b).toMatchObject({ name: 'autopack/drift', conclusion: 'failure' });
    expect(b.output.summary).toContain(
      `/git/blobs/${head.shaOf('README.md')} failed with HTTP 500`,
    );
  });

  it('a secondary rate limit is reported as one, with when to re-run', async () => {
    const t = await createTestApp({ checks: [TEST_CHECKS[0]!] });
    mockStart(api.scope);
    api.scope
      .get(`${R}/git/trees/${HEAD}`)
      .query(true)
      .reply(200, { sha: HEAD, truncated: false, tree: head.tree });
    api.scope.get(`${R}/compare/${BASE}...${HEAD}`).query(true).reply(
      403,
      {
        message:
          'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      },
      { 'retry-after': '60' },
    );
    api.scope.post(`${R}/check-runs`).reply(201, { id: 1 });
    await t.deliver('pull_request', example('pull_request', 'opened'));
    const [b] = writes(api.served).map((w) => w.body);
    expect(b.conclusion).toBe('failure');
    expect(b.output.summary).toContain('secondary rate limit was hit (retry after 60 s)');
  });

  it('an evaluation that does not finish in time ends timed_out, never missing', async () => {
    const t = await createTestApp({ checks: [TEST_CHECKS[0]!], timeoutMs: 200 });
    mockStart(api.scope);
    api.scope
      .get(`${R}/git/trees/${HEAD}`)
      .query(true)
      .delay(5_000)
      .reply(200, { sha: HEAD, truncated: false, tree: head.tree });
    api.scope
      .get(`${R}/compare/${BASE}...${HEAD}`)
      .query(true)
      .delay(5_000)
      .reply(200, { merge_base_commit: { sha: BASE }, files: [] });
    api.scope.post(`${R}/check-runs`).reply(201, { id: 1 });
    await t.deliver('pull_request', example('pull_request', 'opened'));
    const [b] = writes(api.served).map((w) => w.body);
    expect(b).toMatchObject({
      name: 'autopack/workspace-structure',
      status: 'completed',
      conclusion: 'timed_out',
    });
    expect(b.output.title).toBe('Evaluation timed out');
    expect(t.records[0]!.outcome).toBe('timeout');
  });

  it('a slow evaluation opens in_progress runs first, then completes the same runs (no duplicates)', async () => {
    const t = await createTestApp({ checks: TEST_CHECKS.slice(0, 2), inProgressAfterMs: 0 });
    mockStart(api.scope);
    api.scope
      .get(`${R}/git/trees/${HEAD}`)
      .query(true)
      .delay(300)
      .reply(200, { sha: HEAD, truncated: false, tree: head.tree });
    api.scope
      .get(`${R}/compare/${BASE}...${HEAD}`)
      .query(true)
      .reply(200, { merge_base_commit: { sha: BASE }, files: [] });
    api.scope
      .get(`${R}/git/blobs/${head.shaOf('README.md')}`)
      .reply(200, blobBody('# Hello\nFIXME\n', head.shaOf('README.md')));
    let id = 40;
    api.scope
      .post(`${R}/check-runs`)
      .times(2)
      .reply(201, () => ({ id: ++id }));
    api.scope.patch(`${R}/check-runs/41`).reply(200, {});
    api.scope.patch(`${R}/check-runs/42`).reply(200, {});
    await t.deliver('pull_request', example('pull_request', 'opened'));
    expect(api.scope.isDone()).toBe(true);
    expect(
      writes(api.served).map((w) => [
        w.method,
        w.path.replace(R, ''),
        w.body.status,
        w.body.conclusion ?? null,
      ]),
    ).toEqual([
      ['POST', '/check-runs', 'in_progress', null],
      ['POST', '/check-runs', 'in_progress', null],
      ['PATCH', '/check-runs/41', 'completed', 'failure'],
      ['PATCH', '/check-runs/42', 'completed', 'failure'],
    ]);
  });

  it('annotations: at most 50 by default (one write per run), the summary says how many were left out', async () => {
    const t = await createTestApp({ checks: [manyFindings(120)] });
    mockStart(api.scope);
    mockTreeAndCompare(api.scope);
    api.scope.post(`${R}/check-runs`).reply(201, { id: 9 });
    await t.deliver('pull_request', example('pull_request', 'opened'));
    const w = writes(api.served);
    expect(w).toHaveLength(1);
    const out = w[0]!.body.output;
    expect(out.annotations).toHaveLength(50);
    // Errors first: 80 errors exist, so the 50 shown are all errors.
    expect(
      out.annotations.every((a: { annotation_level: string }) => a.annotation_level === 'failure'),
    ).toBe(true);
    expect(out.summary).toContain('50 of 120 annotations are shown');
    expect(out.summary).toContain('`check-runs.max-annotations`: 50');
    expect(out.summary.length).toBeLessThanOrEqual(65_535);
  });

  it('annotations beyond 50 are sent 50 per request when check-runs.max-annotations allows them', async () => {
    const t = await createTestApp({ checks: [manyFindings(120)] });
    mockStart(api.scope, 'extends: autopack:recommended\ncheck-runs:\n  max-annotations: 1000\n');
    mockTreeAndCompare(api.scope);
    api.scope.post(`${R}/check-runs`).reply(201, { id: 9 });
    api.scope.patch(`${R}/check-runs/9`).times(2).reply(200, {});
    await t.deliver('pull_request', example('pull_request', 'opened'));
    expect(api.scope.isDone()).toBe(true);
    const w = writes(api.served);
    expect(w.map((x) => [x.method, x.body.output.annotations.length])).toEqual([
      ['POST', 50],
      ['PATCH', 50],
      ['PATCH', 20],
    ]);
    expect(w[0]!.body.output.summary).not.toContain('annotations are shown');
  });

  it('annotations GitHub refuses (422) are dropped on a second attempt that says so; the run is not lost', async () => {
    const t = await createTestApp({ checks: [TEST_CHECKS[0]!] });
    mockStart(api.scope);
    mockTreeAndCompare(api.scope);
    api.scope.post(`${R}/check-runs`).reply(422, { message: 'Invalid annotation path' });
    api.scope.post(`${R}/check-runs`).reply(201, { id: 3 });
    await t.deliver('pull_request', example('pull_request', 'opened'));
    const w = writes(api.served);
    expect(w).toHaveLength(2);
    expect(w[1]!.body.output.annotations).toBeUndefined();
    expect(w[1]!.body.conclusion).toBe('failure');
    expect(w[1]!.body.output.summary).toContain('GitHub refused this Check Run');
  });
});

describe('App: large changes, big trees, shared caches', () => {
  const api = apiBoundary();

  /** A check that reports how many files the change has, so the test can see them. */
  const countChanged: Check = {
    id: 'sot',
    title: 'count',
    rules: [],
    async run({ snapshot }) {
      const c = snapshot.change!;
      return {
        findings: [],
        summary: `changed=${c.files.length} renamed=${c.files.filter((f) => f.status === 'renamed').length}`,
      };
    },
  };

  function bigCommit(n: number, edit = (i: number) => `file ${i}\n`): FakeCommit {
    const files: Record<string, string> = {};
    for (let i = 0; i < n; i++) files[`src/f${String(i).padStart(4, '0')}.txt`] = edit(i);
    return commit(files);
  }

  it('over 300 changed files: the compare list is complete only up to 300, so every pulls/files page is read', async () => {
    const t = await createTestApp({ checks: [countChanged] });
    const h = bigCommit(350, (i) => `changed ${i}\n`);
    const listed = h.tree.map((e) => ({
      filename: e.path,
      status: 'modified',
      sha: e.sha,
      additions: 1,
      deletions: 1,
    }));
    mockStart(api.scope);
    api.scope
      .get(`${R}/git/trees/${HEAD}`)
      .query(true)
      .reply(200, { sha: HEAD, truncated: false, tree: h.tree });
    api.scope
      .get(`${R}/compare/${BASE}...${HEAD}`)
      .query(true)
      .reply(200, {
        status: 'ahead',
        merge_base_commit: { sha: BASE },
        files: listed.slice(0, 300),
      });
    for (let page = 1; page <= 4; page++) {
      const link: Record<string, string> =
        page < 4
          ? { link: `<${API}${R}/pulls/2/files?per_page=100&page=${page + 1}>; rel="next"` }
          : {};
      api.scope
        .get(`${R}/pulls/2/files`)
        .query(page === 1 ? { per_page: '100' } : { per_page: '100', page: String(page) })
        .reply(200, listed.slice((page - 1) * 100, page * 100), link);
    }
    api.scope.post(`${R}/check-runs`).reply(201, { id: 1 });
    await t.deliver('pull_request', example('pull_request', 'opened'));
    expect(api.scope.isDone()).toBe(true);
    expect(writes(api.served)[0]!.body.output.summary).toContain('changed=350 renamed=0');
    expect(t.records[0]!.changeSource).toBe('pull-files');
  });

  it('beyond the 3,000-file cap of pulls/files the trees are diffed (renames paired by blob), with no listing at all', async () => {
    const t = await createTestApp({ checks: [countChanged] });
    const b = bigCommit(3200);
    const h = bigCommit(3200, (i) => `edited ${i}\n`);
    // One rename: same content, new path.
    const renamedEntry = { ...b.tree[0]!, path: 'moved/f0000.txt' };
    const headTree = [renamedEntry, ...h.tree.slice(1)];
    const p = example('pull_request', 'opened');
    p.pull_request.changed_files = 3200;
    mockStart(api.scope);
    api.scope
      .get(`${R}/git/trees/${HEAD}`)
      .query(true)
      .reply(200, { sha: HEAD, truncated: false, tree: headTree });
    api.scope
      .get(`${R}/compare/${BASE}...${HEAD}`)
      .query(true)
      .reply(200, {
        status: 'ahead',
        merge_base_commit: { sha: BASE },
        files: headTree
          .slice(0, 300)
          .map((e) => ({ filename: e.path, status: 'modified', sha: e.sha })),
      });
    api.scope
      .get(`${R}/git/trees/${BASE}`)
      .query(true)
      .reply(200, { sha: BASE, truncated: false, tree: b.tree });
    api.scope.post(`${R}/check-runs`).reply(201, { id: 1 });
    await t.deliver('pull_request', p);
    expect(api.scope.isDone()).toBe(true);
    expect(api.served.some((s) => s.path.includes('/pulls/2/files'))).toBe(false);
    expect(writes(api.served)[0]!.body.output.summary).toContain('changed=3200 renamed=1');
    expect(t.records[0]!.changeSource).toBe('tree-diff');
  });

  it('a truncated recursive tree is completed by walking its subtrees', async () => {
    const t = await createTestApp({ checks: [TEST_CHECKS[0]!] });
    mockStart(api.scope);
    const docs = 'd'.repeat(40);
    const src = 'e'.repeat(40);
    api.scope
      .get(`${R}/git/trees/${HEAD}`)
      .query({ recursive: '1' })
      .reply(200, {
        sha: HEAD,
        truncated: true,
        tree: [{ path: 'README.md', mode: '100644', type: 'blob', sha: '1'.repeat(40), size: 3 }],
      });
    api.scope
      .get(`${R}/git/trees/${HEAD}`)
      .query({})
      .reply(200, {
        sha: HEAD,
        truncated: false,
        tree: [
          { path: 'README.md', mode: '100644', type: 'blob', sha: '1'.repeat(40), size: 3 },
          { path: 'docs', mode: '040000', type: 'tree', sha: docs },
          { path: 'src', mode: '040000', type: 'tree', sha: src },
        ],
      });
    api.scope
      .get(`${R}/git/trees/${docs}`)
      .query({ recursive: '1' })
      .reply(200, {
        sha: docs,
        truncated: false,
        tree: [{ path: 'a.bak', mode: '100644', type: 'blob', sha: '2'.repeat(40), size: 1 }],
      });
    api.scope
      .get(`${R}/git/trees/${src}`)
      .query({ recursive: '1' })
      .reply(200, {
        sha: src,
        truncated: false,
        tree: [
          { path: 'lib', mode: '040000', type: 'tree', sha: '9'.repeat(40) },
          { path: 'lib/b.bak', mode: '100644', type: 'blob', sha: '3'.repeat(40), size: 1 },
        ],
      });
    api.scope
      .get(`${R}/compare/${BASE}...${HEAD}`)
      .query(true)
      .reply(200, { merge_base_commit: { sha: BASE }, files: [] });
    api.scope.post(`${R}/check-runs`).reply(201, { id: 1 });
    await t.deliver('pull_request', example('pull_request', 'opened'));
    expect(api.scope.isDone()).toBe(true);
    const paths = writes(api.served)[0]!.body.output.annotations.map(
      (a: { path: string }) => a.path,
    );
    expect(paths).toEqual(['docs/a.bak', 'src/lib/b.bak']);
  });

  it('a blob is requested once per process, whatever pull request or installation asks (content-addressed cache)', async () => {
    const caches = createCaches();
    const t = await createTestApp({ checks: [TEST_CHECKS[1]!], caches });
    const R2 = '/repos/Other/Repo';
    mockStart(api.scope);
    mockTreeAndCompare(api.scope);
    api.scope
      .get(`${R}/git/blobs/${head.shaOf('README.md')}`)
      .reply(200, blobBody('# Hello\nFIXME\n', head.shaOf('README.md')));
    api.scope.post(`${R}/check-runs`).reply(201, { id: 1 });
    // The same README blob in another repository of another installation.
    mockStart(api.scope, undefined, 99, R2);
    mockTreeAndCompare(api.scope, head, R2);
    api.scope.post(`${R2}/check-runs`).reply(201, { id: 2 });
    await t.deliver('pull_request', example('pull_request', 'opened'));
    const other = example('pull_request', 'opened');
    other.installation.id = 99;
    other.repository = {
      ...other.repository,
      name: 'Repo',
      full_name: 'Other/Repo',
      owner: { ...other.repository.owner, login: 'Other' },
    };
    await t.deliver('pull_request', other);
    expect(api.scope.isDone()).toBe(true);
    expect(api.served.filter((s) => s.path.includes('/git/blobs/'))).toHaveLength(1);
    expect(caches.blobs.stats).toMatchObject({ misses: 1, hits: 1 });
    expect(
      api.served.filter((s) => s.method === 'POST' && s.path.endsWith('/check-runs')),
    ).toHaveLength(2);
  });

  it('a re-evaluation by pull request number reads the pull request conditionally: the second read is a free 304', async () => {
    const t = await createTestApp({ checks: [TEST_CHECKS[0]!] });
    const pr = {
      number: 2,
      state: 'open',
      head: { sha: HEAD, ref: 'changes' },
      base: { sha: BASE, ref: 'master' },
    };
    nockToken(api.scope, 1);
    api.scope.get(`${R}/pulls/2`).reply(200, pr, { etag: '"pr-2-v1"' });
    api.scope.get(`${R}/contents/.github%2Fautopack.yml`).query({ ref: BASE }).reply(404, {});
    api.scope
      .get(`${R}/commits/${HEAD}/check-runs`)
      .query(true)
      .reply(200, { total_count: 0, check_runs: [] }, { etag: '"runs-v1"' });
    mockTreeAndCompare(api.scope);
    api.scope.post(`${R}/check-runs`).reply(201, { id: 8 });
    // Second re-evaluation: the pull request and the run list are re-validated (304 for the PR).
    api.scope
      .get(`${R}/pulls/2`)
      .matchHeader('if-none-match', '"pr-2-v1"')
      .reply(304, '', { etag: '"pr-2-v1"' });
    api.scope
      .get(`${R}/commits/${HEAD}/check-runs`)
      .query(true)
      .matchHeader('if-none-match', '"runs-v1"')
      .reply(200, {
        total_count: 1,
        check_runs: [
          {
            id: 8,
            name: 'autopack/workspace-structure',
            head_sha: HEAD,
            status: 'completed',
            conclusion: 'failure',
            external_id: `autopack:pr=2;base=${BASE}`,
            app: { id: APP_ID },
            output: { annotations_count: 1 },
          },
        ],
      });
    api.scope.post(`${R}/check-runs`).reply(201, { id: 9 });
    const request = {
      installationId: 1,
      repo: { owner: 'Codertocat', repo: 'Hello-World' },
      pullNumber: 2,
      reason: 'test: approval',
    };
    t.app.deps.requestEvaluation(request);
    await t.app.deps.idle();
    t.app.deps.requestEvaluation(request);
    await t.app.deps.idle();
    expect(api.scope.isDone()).toBe(true);
    expect(t.records.map((r) => [r.outcome, r.notModified])).toEqual([
      ['published', 0],
      ['published', 1],
    ]);
    // The forced re-evaluation supersedes the annotated run with a new one (annotations cannot be removed).
    expect(writes(api.served).map((w) => w.method)).toEqual(['POST', 'POST']);
  });

  it('a cold head switches to one archive download after a few blob misses; archived files are checked by blob SHA', async () => {
    const t = await createTestApp({ checks: [TEST_CHECKS[1]!] });
    const docs: Record<string, string> = {};
    for (let i = 0; i < 40; i++)
      docs[`docs/page-${String(i).padStart(2, '0')}.md`] =
        `# Page ${i}\n${i === 30 ? 'FIXME here\n' : ''}`;
    const cold = commit(docs);
    // The archive holds every file, but one rewritten (as export-subst would): it must not be trusted.
    const tampered = 'docs/page-35.md';
    const archived = Object.fromEntries(
      cold.tree.map((e) => [
        e.path,
        e.path === tampered ? 'rewritten by export-subst\n' : cold.blobs.get(e.sha)!,
      ]),
    );
    const archive = await tarGz('Codertocat-Hello-World-ec26c3e', archived);
    mockStart(api.scope);
    mockTreeAndCompare(api.scope, cold);
    const order = [...cold.tree].sort((a, b) => (a.path < b.path ? -1 : 1));
    for (const e of order.slice(0, 8))
      api.scope.get(`${R}/git/blobs/${e.sha}`).reply(200, blobBody(cold.blobs.get(e.sha)!, e.sha));
    api.scope
      .get(`${R}/tarball/${HEAD}`)
      .reply(200, archive, { 'content-type': 'application/x-gzip' });
    const t35 = cold.shaOf(tampered);
    api.scope.get(`${R}/git/blobs/${t35}`).reply(200, blobBody(cold.blobs.get(t35)!, t35));
    api.scope.post(`${R}/check-runs`).reply(201, { id: 1 });
    await t.deliver('pull_request', example('pull_request', 'opened'));
    expect(api.scope.isDone()).toBe(true);
    expect(api.served.filter((x) => x.path.includes('/git/blobs/'))).toHaveLength(9);
    expect(api.served.filter((x) => x.path.includes('/tarball/'))).toHaveLength(1);
    const [b] = writes(api.served).map((w) => w.body);
    expect(
      b.output.annotations.map((a: { path: string; start_line: number }) => [a.path, a.start_line]),
    ).toEqual([['docs/page-30.md', 2]]);
    expect(t.records[0]!.archiveSeeded).toBe(31);
  });

  it('a cold head whose checks read every file (bulkReads) downloads its archive at once, with no blob requests', async () => {
    const t = await createTestApp({ checks: [{ ...TEST_CHECKS[1]!, bulkReads: () => true }] });
    const docs: Record<string, string> = {};
    for (let i = 0; i < 300; i++)
      docs[`docs/page-${String(i).padStart(3, '0')}.md`] =
        `# Page ${i}\n${i === 123 ? 'FIXME here\n' : ''}`;
    const cold = commit(docs);
    const archive = await tarGz(
      'Codertocat-Hello-World-ec26c3e',
      Object.fromEntries(cold.tree.map((e) => [e.path, cold.blobs.get(e.sha)!])),
    );
    mockStart(api.scope);
    mockTreeAndCompare(api.scope, cold);
    api.scope
      .get(`${R}/tarball/${HEAD}`)
      .reply(200, archive, { 'content-type': 'application/x-gzip' });
    api.scope.post(`${R}/check-runs`).reply(201, { id: 1 });
    await t.deliver('pull_request', example('pull_request', 'opened'));
    expect(api.scope.isDone()).toBe(true);
    expect(api.served.filter((x) => x.path.includes('/git/blobs/'))).toHaveLength(0);
    expect(api.served.filter((x) => x.path.includes('/tarball/'))).toHaveLength(1);
    const [b] = writes(api.served).map((w) => w.body);
    expect(
      b.output.annotations.map((a: { path: string; start_line: number }) => [a.path, a.start_line]),
    ).toEqual([['docs/page-123.md', 2]]);
    expect(t.records[0]!.archiveSeeded).toBe(300);
  });
});
