/**
 * End to end: the real server process (app/server.ts, bundled), real HMAC-signed webhooks over
 * HTTP, and GitHub served by a local fake on 127.0.0.1 (GHE_HOST / GHE_PROTOCOL=http). Probot's
 * retry and throttling are ON, as in production (NODE_ENV=production). Assertions are on what the
 * fake GitHub received: Check Run names, head SHA, conclusions, annotations, and request counts.
 * The checks are the real registry's (workspace-structure and actions-pinning enabled by the
 * repository's policy; the others switched off there).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGitHub } from './fake-github.js';
import { example } from './helpers.js';
import {
  bundleServer,
  runToExit,
  sendWebhook,
  startServerProcess,
  throwawayPrivateKey,
  type ServerProcess,
} from './server-process.js';

const APP_ID = 4242;
const SECRET = 'e2e-webhook-secret';
const OWNER = 'Codertocat';
const REPO = 'Hello-World';
const BASE = 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e';
const HEAD = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';
const MAIN_NEXT = '6113728f27ae82c7b1a177c8d03f9e96e0adf246';

const POLICY = [
  'extends: autopack:recommended',
  'drift:',
  '  enabled: false',
  'sot:',
  '  enabled: false',
  'governance:',
  '  enabled: false',
  'security-baseline:',
  '  enabled: false',
  '',
].join('\n');

const PINNED = [
  'name: ci',
  'on: push',
  'permissions:',
  '  contents: read',
  'jobs:',
  '  build:',
  '    runs-on: ubuntu-latest',
  '    steps:',
  '      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2',
  '',
].join('\n');

const CLEAN: Record<string, string> = {
  'README.md': '# Hello World\n',
  LICENSE: 'MIT License\n',
  'SECURITY.md': 'Report vulnerabilities to security@example.com.\n',
  '.github/CODEOWNERS': '* @Codertocat\n',
  '.github/workflows/ci.yml': PINNED,
  '.github/autopack.yml': POLICY,
};

describe('App end to end (real server process, fake GitHub on 127.0.0.1)', () => {
  const fake = new FakeGitHub({ appId: APP_ID });
  let bundle: string;
  let server: ServerProcess;
  let env: Record<string, string>;

  beforeAll(async () => {
    bundle = await bundleServer();
    const port = await fake.listen();
    // Base: a clean repository. Head of PR #2: adds a backup file and unpins the action.
    fake.addCommit(`${OWNER}/${REPO}`, BASE, CLEAN);
    fake.addCommit(`${OWNER}/${REPO}`, HEAD, {
      ...CLEAN,
      'notes.bak': 'old notes\n',
      '.github/workflows/ci.yml': PINNED.replace(/checkout@\S+ # v4\.2\.2/, 'checkout@v4'),
      // The PR tries to switch the checks off: the policy is read from the base, so this is ignored.
      '.github/autopack.yml':
        'workspace-structure:\n  enabled: false\nactions-pinning:\n  enabled: false\n',
    });
    fake.addCommit(`${OWNER}/${REPO}`, MAIN_NEXT, CLEAN);
    fake.addPull(`${OWNER}/${REPO}`, {
      number: 2,
      headSha: HEAD,
      baseSha: BASE,
      baseRef: 'master',
      headRef: 'changes',
    });
    // A second repository whose default-branch policy does not validate (unknown key, line 3).
    fake.addCommit(`${OWNER}/Broken`, MAIN_NEXT, {
      ...CLEAN,
      '.github/autopack.yml':
        'extends: autopack:recommended\nworkspace-structure:\n  no-such-key: true\ndrift:\n  enabled: false\nsot:\n  enabled: false\ngovernance:\n  enabled: false\nsecurity-baseline:\n  enabled: false\n',
    });
    env = {
      NODE_ENV: 'production',
      APP_ID: String(APP_ID),
      PRIVATE_KEY: throwawayPrivateKey(),
      WEBHOOK_SECRET: SECRET,
      PORT: '0',
      HOST: '127.0.0.1',
      GHE_HOST: `127.0.0.1:${port}`,
      GHE_PROTOCOL: 'http',
      LOG_LEVEL: 'info',
    };
    server = await startServerProcess(bundle, env);
  });

  afterAll(async () => {
    await server?.stop();
    await fake.close();
  });

  it('answers /healthz, and /readyz after authenticating to GitHub as the App (GET /app with a JWT)', async () => {
    const health = await fetch(`http://127.0.0.1:${server.port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'alive' });
    const ready = await fetch(`http://127.0.0.1:${server.port}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', app: 'autopack' });
    expect(fake.requests.filter((r) => r.method === 'GET' && r.path === '/app')).toHaveLength(1);
  });

  it('rejects a webhook with a wrong signature and evaluates nothing', async () => {
    const before = fake.requests.length;
    const status = await sendWebhook(
      server.port,
      'not-the-secret',
      'pull_request',
      example('pull_request', 'opened'),
      'bad-sig-1',
    );
    expect(status).toBeGreaterThanOrEqual(400);
    expect(fake.requests.length).toBe(before);
  });

  it('pull_request.opened: one completed Check Run per enabled check on the head, policy from the base', async () => {
    const payload = example('pull_request', 'opened');
    expect(payload.repository.full_name).toBe(`${OWNER}/${REPO}`);
    expect(await sendWebhook(server.port, SECRET, 'pull_request', payload, 'delivery-pr-1')).toBe(
      200,
    );
    await fake.waitFor(
      () =>
        fake.latestRuns(`${OWNER}/${REPO}`, HEAD).filter((r) => r.status === 'completed').length ===
        2,
      20_000,
      'two runs on the head',
    );

    const runs = fake
      .latestRuns(`${OWNER}/${REPO}`, HEAD)
      .sort((a, b) => a.name.localeCompare(b.name));
    expect(runs.map((r) => [r.name, r.head_sha, r.status, r.conclusion])).toEqual([
      ['autopack/actions-pinning', HEAD, 'completed', 'failure'],
      ['autopack/workspace-structure', HEAD, 'completed', 'failure'],
    ]);
    const pinning = runs[0]!;
    expect(pinning.annotations).toEqual([
      expect.objectContaining({
        path: '.github/workflows/ci.yml',
        start_line: 9,
        end_line: 9,
        annotation_level: 'failure',
        title: 'actions-pinning/unpinned-action',
      }),
    ]);
    const ws = runs[1]!;
    expect(ws.annotations).toEqual([
      expect.objectContaining({
        path: 'notes.bak',
        start_line: 1,
        annotation_level: 'failure',
        title: 'workspace-structure/forbidden-path',
      }),
    ]);
    expect(ws.output.summary).toContain('notes.bak');
    // Written once each: created completed, no in_progress round trip, no update.
    for (const r of runs) {
      expect(r.writes).toHaveLength(1);
      expect(r.writes[0]).toMatchObject({
        status: 'completed',
        head_sha: HEAD,
        external_id: `autopack:pr=2;base=${BASE}`,
      });
    }
    // The policy came from the base commit, never from the head (which switches both checks off).
    const policyReads = fake.requests.filter(
      (r) => r.path === `/repos/${OWNER}/${REPO}/contents/.github/autopack.yml`,
    );
    expect(policyReads.map((r) => r.query.ref)).toEqual([BASE]);
    // Exactly the reads an evaluation needs: token, policy, existing runs, tree, compare, blobs read.
    const repoReads = fake.requests.filter(
      (r) => r.method === 'GET' && r.path.startsWith(`/repos/${OWNER}/${REPO}/`),
    );
    const kinds = repoReads.map((r) =>
      r.path.replace(`/repos/${OWNER}/${REPO}`, '').replace(/[0-9a-f]{40}/g, '<sha>'),
    );
    expect(kinds.filter((k) => k === '/git/trees/<sha>')).toHaveLength(1);
    expect(kinds.filter((k) => k.startsWith('/compare/'))).toHaveLength(1);
    expect(kinds.filter((k) => k === '/commits/<sha>/check-runs')).toHaveLength(1);
    const blobPaths = kinds.filter((k) => k.startsWith('/git/blobs/'));
    expect(
      new Set(repoReads.filter((r) => r.path.includes('/git/blobs/')).map((r) => r.path)).size,
    ).toBe(blobPaths.length);
  });

  it('a redelivered webhook after a restart writes nothing: the runs on GitHub are found by name', async () => {
    await server.stop();
    server = await startServerProcess(bundle, env);
    const writesBefore = fake.requests.filter((r) => r.method !== 'GET').length;
    const runsBefore = fake.checkRuns.length;
    expect(
      await sendWebhook(
        server.port,
        SECRET,
        'pull_request',
        example('pull_request', 'opened'),
        'delivery-pr-1',
      ),
    ).toBe(200);
    const line = await server.waitForLog(
      (l) => l.autopack === 'evaluated',
      20_000,
      'the redelivery to be evaluated',
    );
    expect(line.outcome).toBe('skipped-existing');
    expect(fake.checkRuns.length).toBe(runsBefore);
    // Only the installation token may be written (POST access_tokens is auth, not a Check Run).
    const newWrites = fake.requests.filter((r) => r.method !== 'GET').slice(writesBefore);
    expect(newWrites.every((r) => r.path.endsWith('/access_tokens'))).toBe(true);
  });

  it('push to the default branch: Check Runs on the new head; a 502 is retried and a secondary rate limit waited out', async () => {
    const payload = example('push', undefined, (p) => p.ref === 'refs/heads/master');
    expect(payload.after).toBe(MAIN_NEXT);
    const treePath = new RegExp(`^/repos/${OWNER}/${REPO}/git/trees/${MAIN_NEXT}$`);
    const runsPath = new RegExp(`^/repos/${OWNER}/${REPO}/check-runs$`);
    fake.faults.push({
      method: 'GET',
      path: treePath,
      status: 502,
      times: 1,
      message: 'Bad Gateway',
    });
    fake.faults.push({
      method: 'POST',
      path: runsPath,
      status: 403,
      times: 1,
      message:
        'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      headers: { 'retry-after': '1' },
    });
    expect(await sendWebhook(server.port, SECRET, 'push', payload, 'delivery-push-1')).toBe(200);
    await fake.waitFor(
      () =>
        fake.latestRuns(`${OWNER}/${REPO}`, MAIN_NEXT).filter((r) => r.completedAt).length === 2,
      20_000,
      'runs on the pushed head',
    );
    const runs = fake
      .latestRuns(`${OWNER}/${REPO}`, MAIN_NEXT)
      .sort((a, b) => a.name.localeCompare(b.name));
    expect(runs.map((r) => [r.name, r.conclusion, r.annotations.length])).toEqual([
      ['autopack/actions-pinning', 'success', 0],
      ['autopack/workspace-structure', 'success', 0],
    ]);
    // Probot's retry re-asked for the tree after the 502; the throttling plugin waited out the
    // secondary rate limit's retry-after (1 s) before writing again, and each run exists once.
    const trees = fake.requests.filter((r) => treePath.test(r.path));
    expect(trees.map((r) => r.status)).toEqual([502, 200]);
    const posts = fake.requests.filter(
      (r) =>
        r.method === 'POST' &&
        runsPath.test(r.path) &&
        (r.body as { head_sha?: string }).head_sha === MAIN_NEXT,
    );
    expect(posts.map((r) => r.status)).toEqual([403, 201, 201]);
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(1000);
  });

  it('an invalid policy fails every Check Run with the error and its line', async () => {
    const payload = example('push', undefined, (p) => p.ref === 'refs/heads/master');
    payload.repository = { ...payload.repository, name: 'Broken', full_name: `${OWNER}/Broken` };
    payload.installation = { id: 77 };
    expect(await sendWebhook(server.port, SECRET, 'push', payload, 'delivery-push-broken')).toBe(
      200,
    );
    await fake.waitFor(
      () =>
        fake.requests.filter(
          (r) => r.method === 'POST' && r.path === `/repos/${OWNER}/Broken/check-runs`,
        ).length === 2,
      20_000,
      'two failed runs in the broken repository',
    );
    const posts = fake.requests.filter(
      (r) => r.method === 'POST' && r.path === `/repos/${OWNER}/Broken/check-runs`,
    );
    const bodies = posts.map(
      (p) =>
        p.body as Record<string, unknown> & {
          output: { title: string; summary: string; annotations: unknown[] };
        },
    );
    expect(bodies.map((b) => b.name).sort()).toEqual([
      'autopack/actions-pinning',
      'autopack/workspace-structure',
    ]);
    for (const b of bodies) {
      expect(b).toMatchObject({ status: 'completed', conclusion: 'failure', head_sha: MAIN_NEXT });
      expect(b.output.title).toBe('Invalid configuration: .github/autopack.yml:3');
      expect(b.output.summary).toContain('no-such-key');
      expect(b.output.annotations).toEqual([
        expect.objectContaining({
          path: '.github/autopack.yml',
          start_line: 3,
          annotation_level: 'failure',
        }),
      ]);
    }
    // Nothing beyond the policy was read: no tree, no blobs.
    expect(fake.requests.some((r) => r.path.startsWith(`/repos/${OWNER}/Broken/git/`))).toBe(false);
    expect(
      fake
        .latestRuns(`${OWNER}/Broken`, MAIN_NEXT)
        .map((r) => [r.name, r.conclusion])
        .sort(),
    ).toEqual([
      ['autopack/actions-pinning', 'failure'],
      ['autopack/workspace-structure', 'failure'],
    ]);
  });

  it('refuses to start in production without a webhook secret', async () => {
    const { WEBHOOK_SECRET: _omit, ...rest } = env;
    const { code, stderr } = await runToExit(bundle, rest);
    expect(code).toBe(1);
    expect(stderr).toContain('WEBHOOK_SECRET is not set');
  });
});
