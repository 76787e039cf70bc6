/**
 * The App through Probot with real webhook payloads; GitHub mocked with nock at the HTTP boundary
 * (`nock.disableNetConnect()`), every request asserted by method, path, body and count.
 */
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { inputProviders } from '../../app/providers.js';
import {
  APP_ID,
  blobBody,
  changedFiles,
  commit,
  createTestApp,
  example,
  apiBoundary,
  lines,
  nockToken,
  type FakeCommit,
  type Served,
} from './helpers.js';

const OWNER = 'Codertocat';
const REPO = 'Hello-World';
const R = `/repos/${OWNER}/${REPO}`;
const BASE = 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e';
const HEAD = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';
const CONFIG = '.github%2Fautopack.yml';

const base = commit({
  'README.md': '# Hello\n',
  'LEDGER.md': '- one\n',
  'docs/guide.md': 'A guide.\n',
});
const head = commit({
  'README.md': '# Hello\nFIXME: finish the intro\n',
  'LEDGER.md': '- one\n- two\n',
  'docs/guide.md': 'A guide.\n',
  'old.bak': 'stale\n',
});

interface PRMocks {
  config?: string | null;
  existing?: unknown[];
  headSha?: string;
  installationId?: number;
}

/** Mocks one evaluation of PR #2 (token, policy at base, existing runs, tree, compare, content). */
function mockEvaluation(scope: nock.Scope, m: PRMocks = {}): void {
  const headSha = m.headSha ?? HEAD;
  nockToken(scope, m.installationId ?? 1);
  if (m.config === undefined || m.config === null)
    scope.get(`${R}/contents/${CONFIG}`).query({ ref: BASE }).reply(404, { message: 'Not Found' });
  else
    scope
      .get(`${R}/contents/${CONFIG}`)
      .query({ ref: BASE })
      .reply(200, { type: 'file', ...blobBody(m.config, 'c0ffee'.padEnd(40, '0')) });
  scope
    .get(`${R}/commits/${headSha}/check-runs`)
    .query({ filter: 'latest', per_page: '100', app_id: String(APP_ID) })
    .reply(
      200,
      { total_count: (m.existing ?? []).length, check_runs: m.existing ?? [] },
      { etag: `"runs-${headSha}"` },
    );
}

function mockSnapshot(scope: nock.Scope, h: FakeCommit = head, headSha = HEAD): void {
  scope
    .get(`${R}/git/trees/${headSha}`)
    .query({ recursive: '1' })
    .reply(200, { sha: headSha, truncated: false, tree: h.tree });
  scope
    .get(`${R}/compare/${BASE}...${headSha}`)
    .query({ per_page: '1' })
    .reply(200, {
      status: 'ahead',
      merge_base_commit: { sha: BASE },
      files: changedFiles(base, h),
    });
}

function mockReads(scope: nock.Scope, h: FakeCommit = head): void {
  // drift reads the two Markdown files; sot reads LEDGER.md at the head and at the merge base.
  for (const p of ['README.md', 'docs/guide.md', 'LEDGER.md']) {
    const sha = h.shaOf(p);
    scope.get(`${R}/git/blobs/${sha}`).reply(200, blobBody(h.blobs.get(sha)!, sha));
  }
  const baseLedger = base.shaOf('LEDGER.md');
  scope
    .get(`${R}/contents/LEDGER.md`)
    .query({ ref: BASE })
    .reply(200, { type: 'file', ...blobBody(base.blobs.get(baseLedger)!, baseLedger) });
}

function mockCreate(scope: nock.Scope, times: number): void {
  let id = 900;
  scope
    .post(`${R}/check-runs`)
    .times(times)
    .reply(201, () => ({ id: ++id }));
}

function posts(served: Served[]) {
  return served
    .filter((s) => s.method === 'POST' && s.path === `${R}/check-runs`)
    .map((s) => s.body);
}

describe('App: pull request evaluation', () => {
  const api = apiBoundary();

  it('pull_request.opened: reads what the checks need once, writes each Check Run once, completed', async () => {
    const t = await createTestApp();
    mockEvaluation(api.scope);
    mockSnapshot(api.scope);
    mockReads(api.scope);
    mockCreate(api.scope, 4);
    await t.deliver('pull_request', example('pull_request', 'opened'));
    expect(api.scope.isDone()).toBe(true);
    expect(lines(api.served).sort()).toEqual(
      [
        'POST /app/installations/1/access_tokens',
        `GET ${R}/contents/.github/autopack.yml?ref=${BASE}`,
        `GET ${R}/commits/${HEAD}/check-runs?filter=latest&per_page=100&app_id=${APP_ID}`,
        `GET ${R}/git/trees/${HEAD}?recursive=1`,
        `GET ${R}/compare/${BASE}...${HEAD}?per_page=1`,
        `GET ${R}/git/blobs/${head.shaOf('README.md')}`,
        `GET ${R}/git/blobs/${head.shaOf('docs/guide.md')}`,
        `GET ${R}/git/blobs/${head.shaOf('LEDGER.md')}`,
        `GET ${R}/contents/LEDGER.md?ref=${BASE}`,
        `POST ${R}/check-runs`,
        `POST ${R}/check-runs`,
        `POST ${R}/check-runs`,
        `POST ${R}/check-runs`,
      ].sort(),
    );
    const bodies = posts(api.served);
    expect(bodies.map((b) => [b.name, b.head_sha, b.status, b.conclusion])).toEqual([
      ['autopack/workspace-structure', HEAD, 'completed', 'failure'],
      ['autopack/drift', HEAD, 'completed', 'failure'],
      ['autopack/sot', HEAD, 'completed', 'success'],
      ['autopack/governance', HEAD, 'completed', 'success'],
    ]);
    for (const b of bodies) expect(b.external_id).toBe(`autopack:pr=2;base=${BASE}`);
    expect(bodies[0].output.title).toBe('1 error');
    expect(bodies[0].output.annotations).toEqual([
      {
        path: 'old.bak',
        start_line: 1,
        end_line: 1,
        annotation_level: 'failure',
        message: 'old.bak is a backup file\n\nFix old.bak.',
        title: 'workspace-structure/forbidden-path',
      },
    ]);
    expect(bodies[1].output.annotations).toEqual([
      expect.objectContaining({
        path: 'README.md',
        start_line: 2,
        end_line: 2,
        start_column: 1,
        end_column: 1,
      }),
    ]);
    // The ledger grew (- one → - one, - two): base content came from the merge base.
    expect(bodies[2].output.summary).toContain('ledger: base text, head text');
    expect(bodies[2].output.annotations).toBeUndefined();
    expect(bodies[3].output.summary).toContain('no protected paths changed');
    // Reads and writes of the evaluation itself (the installation token exchange is not counted).
    expect(t.records.map((r) => [r.outcome, r.reads, r.writes, r.changeSource])).toEqual([
      ['published', 8, 4, 'compare'],
    ]);
  });

  it('the same event again in the same process requests nothing', async () => {
    const t = await createTestApp();
    mockEvaluation(api.scope);
    mockSnapshot(api.scope);
    mockReads(api.scope);
    mockCreate(api.scope, 4);
    const payload = example('pull_request', 'opened');
    await t.deliver('pull_request', payload, 'same-delivery');
    const count = api.served.length;
    await t.deliver('pull_request', payload, 'same-delivery');
    expect(api.served.length).toBe(count);
    expect(t.records.map((r) => r.outcome)).toEqual(['published', 'skipped-duplicate']);
  });

  it('a redelivery after a restart finds the completed runs by name and writes nothing', async () => {
    const t = await createTestApp();
    const existing = ['workspace-structure', 'drift', 'sot', 'governance'].map((id, i) => ({
      id: 500 + i,
      name: `autopack/${id}`,
      head_sha: HEAD,
      status: 'completed',
      conclusion: 'success',
      external_id: `autopack:pr=2;base=${BASE}`,
      app: { id: APP_ID },
      output: { annotations_count: 0 },
    }));
    mockEvaluation(api.scope, { existing });
    await t.deliver('pull_request', example('pull_request', 'opened'));
    expect(api.scope.isDone()).toBe(true);
    expect(lines(api.served).sort()).toEqual(
      [
        'POST /app/installations/1/access_tokens',
        `GET ${R}/contents/.github/autopack.yml?ref=${BASE}`,
        `GET ${R}/commits/${HEAD}/check-runs?filter=latest&per_page=100&app_id=${APP_ID}`,
      ].sort(),
    );
    expect(t.records[0]!.outcome).toBe('skipped-existing');
  });

  it('a partly published head (a crash between writes) completes only the missing runs', async () => {
    const t = await createTestApp();
    const existing = [
      {
        id: 501,
        name: 'autopack/workspace-structure',
        head_sha: HEAD,
        status: 'completed',
        conclusion: 'failure',
        external_id: `autopack:pr=2;base=${BASE}`,
        app: { id: APP_ID },
        output: { annotations_count: 1 },
      },
      {
        id: 502,
        name: 'autopack/drift',
        head_sha: HEAD,
        status: 'in_progress',
        conclusion: null,
        external_id: `autopack:pr=2;base=${BASE}`,
        app: { id: APP_ID },
        output: { annotations_count: 0 },
      },
    ];
    mockEvaluation(api.scope, { existing });
    mockSnapshot(api.scope);
    mockReads(api.scope);
    mockCreate(api.scope, 3);
    api.scope.patch(`${R}/check-runs/502`).reply(200, { id: 502 });
    await t.deliver('pull_request', example('pull_request', 'opened'));
    expect(api.scope.isDone()).toBe(true);
    const writes = api.served.filter(
      (s) => s.method !== 'GET' && !s.path.includes('access_tokens'),
    );
    // The in-progress run is completed in place; the completed one carrying annotations is
    // superseded by a new run (annotations cannot be removed from a run); the rest are created.
    expect(writes.map((w) => `${w.method} ${w.path} ${w.body.name ?? ''}`)).toEqual([
      `POST ${R}/check-runs autopack/workspace-structure`,
      `PATCH ${R}/check-runs/502 `,
      `POST ${R}/check-runs autopack/sot`,
      `POST ${R}/check-runs autopack/governance`,
    ]);
    expect(writes[1]!.body).toMatchObject({ status: 'completed', conclusion: 'failure' });
  });

  it('events for one pull request arriving together are coalesced into one evaluation of the newest head', async () => {
    const t = await createTestApp();
    const HEAD2 = 'b'.repeat(40);
    const HEAD3 = 'c'.repeat(40);
    const head3 = commit({
      'README.md': '# Hello\n',
      'LEDGER.md': '- one\n- two\n- three\n',
      'docs/guide.md': 'A guide.\n',
    });
    const sync = (sha: string, minute: number) => {
      const p = example('pull_request', 'synchronize');
      p.pull_request.head.sha = sha;
      p.pull_request.updated_at = `2019-05-15T15:2${minute}:00Z`;
      return p;
    };
    // The first event starts at once; the two that follow wait and merge: only HEAD3 is evaluated next.
    nockToken(api.scope, 1);
    api.scope.get(`${R}/contents/${CONFIG}`).query({ ref: BASE }).reply(404, {});
    api.scope
      .get(`${R}/commits/${HEAD}/check-runs`)
      .query(true)
      .reply(200, { total_count: 0, check_runs: [] });
    api.scope
      .get(`${R}/commits/${HEAD3}/check-runs`)
      .query(true)
      .reply(200, { total_count: 0, check_runs: [] });
    mockSnapshot(api.scope, head3, HEAD3);
    for (const p of ['README.md', 'docs/guide.md', 'LEDGER.md']) {
      api.scope
        .get(`${R}/git/blobs/${head3.shaOf(p)}`)
        .reply(200, blobBody(head3.blobs.get(head3.shaOf(p))!, head3.shaOf(p)));
    }
    api.scope
      .get(`${R}/contents/LEDGER.md`)
      .query({ ref: BASE })
      .reply(200, { type: 'file', ...blobBody('- one\n', base.shaOf('LEDGER.md')) });
    mockCreate(api.scope, 4);
    await Promise.all([
      t.probot.receive({ id: 'd1', name: 'pull_request', payload: sync(HEAD, 1) } as never),
      t.probot.receive({ id: 'd2', name: 'pull_request', payload: sync(HEAD2, 2) } as never),
      t.probot.receive({ id: 'd3', name: 'pull_request', payload: sync(HEAD3, 3) } as never),
    ]);
    await t.app.deps.idle();
    expect(api.scope.isDone()).toBe(true);
    expect(t.records.map((r) => [r.target.headSha, r.outcome])).toEqual([
      [HEAD, 'superseded'],
      [HEAD3, 'published'],
    ]);
    expect(t.records[1]!.reasons).toEqual(['pull_request.synchronize', 'pull_request.synchronize']);
    // HEAD's tree was never read, HEAD2 was never touched, and only HEAD3 got Check Runs.
    expect(api.served.some((s) => s.path.includes(HEAD2))).toBe(false);
    expect(api.served.some((s) => s.path.includes(`/git/trees/${HEAD}`))).toBe(false);
    expect(new Set(posts(api.served).map((b) => b.head_sha))).toEqual(new Set([HEAD3]));
  });

  it('reads the policy from the base: an invalid base config fails every run with its line, and nothing else is read', async () => {
    const t = await createTestApp();
    mockEvaluation(api.scope, {
      config: 'extends: autopack:recommended\ncheck-runs:\n  mode: sometimes\n',
    });
    mockCreate(api.scope, 4);
    await t.deliver('pull_request', example('pull_request', 'opened'));
    expect(api.scope.isDone()).toBe(true);
    expect(api.served.some((s) => s.path.includes('/git/') || s.path.includes('/compare/'))).toBe(
      false,
    );
    const bodies = posts(api.served);
    expect(bodies.map((b) => b.name)).toEqual([
      'autopack/workspace-structure',
      'autopack/drift',
      'autopack/sot',
      'autopack/governance',
    ]);
    for (const b of bodies) {
      expect(b).toMatchObject({ status: 'completed', conclusion: 'failure', head_sha: HEAD });
      expect(b.output.title).toBe('Invalid configuration: .github/autopack.yml:3');
      expect(b.output.summary).toContain('check-runs.mode');
      expect(b.output.summary).toContain('per-check, combined');
      expect(b.output.annotations).toEqual([
        expect.objectContaining({
          path: '.github/autopack.yml',
          start_line: 3,
          end_line: 3,
          annotation_level: 'failure',
        }),
      ]);
    }
    expect(t.records[0]!.outcome).toBe('config-error');
  });

  it('a policy change in the pull request itself does not take effect (base policy judges it)', async () => {
    const t = await createTestApp();
    const headWithPolicy = commit({
      ...Object.fromEntries(head.tree.map((e) => [e.path, head.blobs.get(e.sha)!])),
      '.github/autopack.yml': 'workspace-structure:\n  enabled: false\n',
    });
    mockEvaluation(api.scope, { config: 'extends: autopack:recommended\n' });
    mockSnapshot(api.scope, headWithPolicy);
    mockReads(api.scope, headWithPolicy);
    mockCreate(api.scope, 4);
    await t.deliver('pull_request', example('pull_request', 'opened'));
    const bodies = posts(api.served);
    expect(bodies.map((b) => [b.name, b.conclusion])).toEqual([
      ['autopack/workspace-structure', 'failure'],
      ['autopack/drift', 'failure'],
      ['autopack/sot', 'success'],
      ['autopack/governance', 'action_required'],
    ]);
    expect(bodies[3].output.title).toBe('Action required');
  });

  it('combined mode: autopack/governance plus one autopack/checks run', async () => {
    const t = await createTestApp();
    mockEvaluation(api.scope, {
      config: 'extends: autopack:recommended\ncheck-runs:\n  mode: combined\n',
    });
    mockSnapshot(api.scope);
    mockReads(api.scope);
    mockCreate(api.scope, 2);
    await t.deliver('pull_request', example('pull_request', 'opened'));
    expect(api.scope.isDone()).toBe(true);
    const bodies = posts(api.served);
    expect(bodies.map((b) => [b.name, b.conclusion, b.output.title])).toEqual([
      ['autopack/governance', 'success', 'No findings'],
      ['autopack/checks', 'failure', '2 errors (2 of 3 checks)'],
    ]);
    expect(bodies[1].output.summary).toContain('`autopack/workspace-structure`');
    expect(bodies[1].output.summary).toContain('`autopack/sot`');
    expect(bodies[1].output.annotations.map((a: { path: string }) => a.path).sort()).toEqual([
      'README.md',
      'old.bak',
    ]);
  });

  it('input providers feed the engine (governance sees what its provider returns)', async () => {
    const provider = async () => ({ testApproved: true }) as never;
    inputProviders.push(provider);
    try {
      const t = await createTestApp();
      const headWithPolicy = commit({
        ...Object.fromEntries(head.tree.map((e) => [e.path, head.blobs.get(e.sha)!])),
        '.github/autopack.yml': 'extends: autopack:recommended\n',
      });
      mockEvaluation(api.scope);
      mockSnapshot(api.scope, headWithPolicy);
      mockReads(api.scope, headWithPolicy);
      mockCreate(api.scope, 4);
      await t.deliver('pull_request', example('pull_request', 'opened'));
      expect(posts(api.served).find((b) => b.name === 'autopack/governance')?.conclusion).toBe(
        'success',
      );
    } finally {
      inputProviders.splice(inputProviders.indexOf(provider), 1);
    }
  });
});
