/**
 * The App's pure parts: the coalescing scheduler, Check Run planning (summaries, annotations,
 * conclusions, redaction), the tree diff, GitHub error typing, the environment, and readiness.
 */
import { createServer } from 'node:http';
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import type { Check, CheckResult, Finding, Report } from '../../checks/model.js';
import { diffTrees } from '../../app/changes.js';
import { EnvError, readAppEnv } from '../../app/env.js';
import { AppAuthProbe, healthHandler } from '../../app/health.js';
import { mergeRequests, supersedes, type EvaluationRequest } from '../../app/events.js';
import {
  annotationOf,
  planFailureRuns,
  planResultRuns,
  worstConclusion,
} from '../../app/publish.js';
import { CoalescingScheduler } from '../../app/scheduler.js';
import { warmUpEngine } from '../../app/warmup.js';
import { toGitHubAPIError } from '../../github/errors.js';
import { downloadArchive, readArchive, type ArchiveFile } from '../../github/tarball.js';
import { API, TestOctokit, privateKey, tarGz } from './helpers.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('CoalescingScheduler', () => {
  type Job = { key: string; head: string; n: number };
  function make(concurrency = 1) {
    const started: Job[] = [];
    const gates = new Map<number, ReturnType<typeof deferred>>();
    const superseded: boolean[] = [];
    const s = new CoalescingScheduler<Job>({
      concurrency,
      run: async (job, control) => {
        started.push(job);
        const g = deferred();
        gates.set(job.n, g);
        await g.promise;
        superseded.push(control.superseded());
      },
      merge: (_w, incoming) => incoming,
      isSuperseded: (r, w) => r.head !== w.head,
      onError: () => undefined,
    });
    return { s, started, gates, superseded };
  }

  it('runs one job per key at a time; later jobs of the key merge into one, and the running one learns it is superseded', async () => {
    const { s, started, gates, superseded } = make();
    expect(s.submit('pr1', { key: 'pr1', head: 'a', n: 1 })).toBe('queued');
    await Promise.resolve();
    expect(s.submit('pr1', { key: 'pr1', head: 'b', n: 2 })).toBe('queued');
    expect(s.submit('pr1', { key: 'pr1', head: 'c', n: 3 })).toBe('merged');
    await new Promise((r) => setImmediate(r));
    expect(started.map((j) => j.head)).toEqual(['a']);
    gates.get(1)!.resolve();
    await new Promise((r) => setImmediate(r));
    expect(started.map((j) => j.head)).toEqual(['a', 'c']);
    gates.get(3)!.resolve();
    await s.onIdle();
    expect(superseded).toEqual([true, false]);
    expect(s.stats).toMatchObject({ submitted: 3, merged: 1, started: 2 });
  });

  it('different keys run in parallel up to the concurrency; waiting keys start in arrival order', async () => {
    const { s, started, gates } = make(2);
    for (const [i, k] of ['x', 'y', 'z'].entries()) s.submit(k, { key: k, head: 'h', n: i });
    await new Promise((r) => setImmediate(r));
    expect(started.map((j) => j.key)).toEqual(['x', 'y']);
    gates.get(1)!.resolve();
    await new Promise((r) => setImmediate(r));
    expect(started.map((j) => j.key)).toEqual(['x', 'y', 'z']);
    gates.get(0)!.resolve();
    gates.get(2)!.resolve();
    await s.onIdle();
    expect(s.running).toBe(0);
  });

  it('a job that released its slot (only writes left) lets another key start; its own key stays busy', async () => {
    const started: string[] = [];
    const writesDone = deferred();
    const s = new CoalescingScheduler<{ key: string; n: number }>({
      concurrency: 1,
      run: async (job, control) => {
        started.push(`${job.key}${job.n}`);
        if (job.key === 'a' && job.n === 1) {
          control.release();
          await writesDone.promise;
        }
      },
      merge: (_w, incoming) => incoming,
      isSuperseded: () => false,
      onError: () => undefined,
    });
    s.submit('a', { key: 'a', n: 1 });
    s.submit('b', { key: 'b', n: 1 });
    await new Promise((r) => setImmediate(r));
    s.submit('a', { key: 'a', n: 2 });
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual(['a1', 'b1']);
    expect(s.running).toBe(1);
    writesDone.resolve();
    await s.onIdle();
    expect(started).toEqual(['a1', 'b1', 'a2']);
  });

  it('a newer head of the same key starts while the old head only writes; the same head waits', async () => {
    const events: string[] = [];
    const writes = new Map([1, 2, 4].map((n) => [n, deferred()]));
    const s = new CoalescingScheduler<{ key: string; head: number; n: number }>({
      concurrency: 1,
      run: async (job, control) => {
        events.push(`start ${job.key}${job.head}#${job.n}`);
        control.release();
        await writes.get(job.n)?.promise;
        events.push(`end ${job.key}${job.head}#${job.n}`);
      },
      merge: (_w, incoming) => incoming,
      isSuperseded: (running, waiting) => waiting.head > running.head,
      onError: () => undefined,
    });
    s.submit('a', { key: 'a', head: 1, n: 1 });
    await new Promise((r) => setImmediate(r));
    // Head 2 arrives while head 1 writes: it starts at once.
    s.submit('a', { key: 'a', head: 2, n: 2 });
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual(['start a1#1', 'start a2#2']);
    // A redelivery of head 2 waits until head 2's writes end.
    s.submit('a', { key: 'a', head: 2, n: 3 });
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual(['start a1#1', 'start a2#2']);
    writes.get(1)!.resolve();
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual(['start a1#1', 'start a2#2', 'end a1#1']);
    // ...until a newer head is merged into it: then it starts without waiting.
    s.submit('a', { key: 'a', head: 3, n: 4 });
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual(['start a1#1', 'start a2#2', 'end a1#1', 'start a3#4']);
    writes.get(2)!.resolve();
    writes.get(4)!.resolve();
    await s.onIdle();
    expect(events).toEqual([
      'start a1#1',
      'start a2#2',
      'end a1#1',
      'start a3#4',
      'end a2#2',
      'end a3#4',
    ]);
  });

  it('a failing job is reported and the queue goes on', async () => {
    const errors: unknown[] = [];
    const s = new CoalescingScheduler<number>({
      run: async (n) => {
        if (n === 1) throw new Error('boom');
      },
      merge: (_a, b) => b,
      isSuperseded: () => false,
      onError: (e) => errors.push(e),
    });
    s.submit('a', 1);
    s.submit('b', 2);
    await s.onIdle();
    expect(errors.map((e) => (e as Error).message)).toEqual(['boom']);
  });
});

describe('merging evaluation requests', () => {
  const req = (
    head: string,
    updatedAt: string,
    extra: Partial<EvaluationRequest> = {},
  ): EvaluationRequest => ({
    target: {
      kind: 'pull_request',
      installationId: 1,
      repo: { owner: 'o', repo: 'r' },
      pullNumber: 1,
      headSha: head,
      baseSha: 'b',
      updatedAt,
    },
    force: false,
    reasons: [head],
    deliveries: [head],
    firstReceivedAt: Number(updatedAt.slice(-2)),
    receivedAt: Number(updatedAt.slice(-2)),
    ...extra,
  });

  it('keeps the newest head by updated_at even when deliveries arrive out of order; force and scopes add up', () => {
    const newer = req('h2', '2024-01-01T00:00:20', { only: ['governance'] });
    const older = req('h1', '2024-01-01T00:00:10', { force: true, only: ['drift'] });
    const m = mergeRequests(newer, older);
    expect(m.target.headSha).toBe('h2');
    expect(m.force).toBe(true);
    expect(m.only).toEqual(['governance', 'drift']);
    expect(m.reasons).toEqual(['h2', 'h1']);
    expect(m.firstReceivedAt).toBe(10);
    // An unscoped request widens the merge to every check.
    expect(mergeRequests(newer, req('h3', '2024-01-01T00:00:30')).only).toBeUndefined();
  });

  it('only a newer head (or base) supersedes a running evaluation', () => {
    const running = req('h1', '2024-01-01T00:00:10');
    expect(supersedes(running, req('h1', '2024-01-01T00:00:11'))).toBe(false);
    expect(supersedes(running, req('h2', '2024-01-01T00:00:11'))).toBe(true);
    expect(supersedes(running, req('h0', '2024-01-01T00:00:05'))).toBe(false);
  });
});

function result(
  checkId: CheckResult['checkId'],
  findings: Finding[],
  conclusion: CheckResult['conclusion'] = findings.length ? 'failure' : 'success',
): CheckResult {
  return { checkId, title: checkId, conclusion, findings, durationMs: 1 };
}

function finding(i: number, extra: Partial<Finding> = {}): Finding {
  return {
    checkId: 'drift',
    ruleId: 'r',
    severity: 'error',
    message: `m${i}`,
    path: `p${i}.md`,
    line: i + 1,
    fingerprint: `f${i}`,
    ...extra,
  };
}

const report = (results: CheckResult[]): Report => ({
  tool: { name: 'autopack', version: '0' },
  source: 'test',
  results,
  totals: { error: 0, warning: 0, notice: 0 },
});

describe('planning Check Runs', () => {
  const opts = {
    mode: 'per-check' as const,
    maxAnnotations: 50,
    repo: { owner: 'o', repo: 'r' },
    headSha: 'h',
  };

  it('keeps every summary within 65,535 characters, with a note, however many findings', () => {
    const many = Array.from({ length: 5000 }, (_, i) =>
      finding(i, { message: `a long message ${'x'.repeat(200)} ${i}` }),
    );
    const [run] = planResultRuns(report([result('drift', many)]), opts);
    expect(run!.summary.length).toBeLessThanOrEqual(65_535);
    expect(run!.summary).toMatch(/more finding\(s\) not shown/);
    expect(run!.summary).toContain('50 of 5000 annotations are shown');
    expect(run!.annotations).toHaveLength(50);
  });

  it('redacts secrets in annotations, titles and summaries', () => {
    const secret = 'ghp_' + 'A'.repeat(36);
    const [run] = planResultRuns(
      report([
        result('drift', [
          finding(0, { message: `token ${secret} leaked`, help: `rotate ${secret}` }),
        ]),
      ]),
      opts,
    );
    expect(JSON.stringify(run)).not.toContain(secret);
    expect(run!.annotations[0]!.message).toContain('[REDACTED]');
    const [failed] = planFailureRuns(['autopack/drift'], {
      conclusion: 'failure',
      title: `x ${secret}`,
      summary: `y ${secret}`,
    });
    expect(JSON.stringify(failed)).not.toContain(secret);
  });

  it('turns findings into annotations the Checks API accepts (columns only on one line; lines default to 1)', () => {
    expect(annotationOf(finding(0, { line: undefined }))).toMatchObject({
      start_line: 1,
      end_line: 1,
    });
    expect(annotationOf(finding(0, { line: 3, endLine: 5, column: 2 }))).not.toHaveProperty(
      'start_column',
    );
    expect(annotationOf(finding(0, { line: 3, column: 2, endColumn: 9 }))).toMatchObject({
      start_column: 2,
      end_column: 9,
    });
    expect(annotationOf(finding(0, { path: undefined }))).toBeUndefined();
    expect(annotationOf(finding(0, { severity: 'notice' }))!.annotation_level).toBe('notice');
  });

  it('combined mode: governance alone, everything else in one run with the worst conclusion', () => {
    const runs = planResultRuns(
      report([
        result('workspace-structure', []),
        result('governance', [], 'action_required'),
        result('drift', [finding(1, { severity: 'warning' })], 'success'),
      ]),
      { ...opts, mode: 'combined' },
    );
    expect(runs.map((r) => [r.name, r.conclusion, r.title])).toEqual([
      ['autopack/governance', 'action_required', 'Action required'],
      ['autopack/checks', 'success', '1 warning (2 checks passed)'],
    ]);
    expect(worstConclusion(['success', 'neutral', 'action_required', 'failure', 'skipped'])).toBe(
      'failure',
    );
    expect(worstConclusion([])).toBe('success');
  });
});

describe('diffTrees', () => {
  const f = (path: string, blobSha: string, mode = '100644') => ({
    path,
    size: 1,
    kind: 'file' as const,
    blobSha,
    mode,
  });
  it('finds added, removed, modified, mode-only changes and exact renames', () => {
    const base = [f('a', '1'), f('b', '2'), f('c', '3'), f('d', '4')];
    const head = [f('a', '1', '100755'), f('b', '9'), f('moved/c', '3'), f('e', '5')];
    expect(diffTrees(base, head)).toEqual([
      { path: 'a', status: 'changed', blobSha: '1' },
      { path: 'b', status: 'modified', blobSha: '9' },
      { path: 'd', status: 'removed' },
      { path: 'e', status: 'added', blobSha: '5' },
      { path: 'moved/c', status: 'renamed', previousPath: 'c', blobSha: '3' },
    ]);
  });
});

describe('GitHub errors', () => {
  const requestError = (status: number, message: string, headers: Record<string, string> = {}) =>
    Object.assign(new Error(message), {
      status,
      request: {
        method: 'GET',
        url: 'https://api.github.com/repos/o/r/git/trees/x?recursive=1',
        headers: { authorization: 'token ghs_secret' },
      },
      response: { status, headers, data: { message } },
    });

  it('tells rate limits, secondary limits, timeouts, network failures and HTTP errors apart', () => {
    const reset = String(Math.floor(Date.UTC(2030, 0, 1) / 1000));
    const primary = toGitHubAPIError(
      requestError(403, 'API rate limit exceeded', {
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': reset,
      }),
    );
    expect(primary).toMatchObject({
      kind: 'rate-limit',
      status: 403,
      path: '/repos/o/r/git/trees/x',
      method: 'GET',
    });
    expect(primary.rateLimit).toMatchObject({
      remaining: 0,
      resetAt: new Date(Number(reset) * 1000),
    });
    expect(primary.describe()).toContain('until 2030-01-01T00:00:00.000Z');
    const secondary = toGitHubAPIError(
      requestError(403, 'You have exceeded a secondary rate limit', { 'retry-after': '30' }),
    );
    expect(secondary.kind).toBe('secondary-rate-limit');
    expect(secondary.rateLimit.retryAfterSeconds).toBe(30);
    expect(toGitHubAPIError(requestError(404, 'Not Found')).isNotFound).toBe(true);
    const timeout = toGitHubAPIError(
      Object.assign(new Error('The operation was aborted due to timeout'), {
        status: 500,
        request: { method: 'GET', url: '/x' },
      }),
    );
    expect(timeout.kind).toBe('timeout');
    const network = toGitHubAPIError(
      Object.assign(new Error('connect ECONNREFUSED'), {
        status: 500,
        request: { method: 'GET', url: '/x' },
      }),
    );
    expect(network.kind).toBe('network');
    expect(toGitHubAPIError(requestError(502, 'Bad Gateway')).isTransient).toBe(true);
  });
});

describe('environment', () => {
  const key = privateKey();
  it('refuses production without a webhook secret, and names what is wrong', () => {
    expect(() => readAppEnv({ NODE_ENV: 'production', APP_ID: '1', PRIVATE_KEY: key })).toThrow(
      /WEBHOOK_SECRET is not set/,
    );
    expect(() =>
      readAppEnv({ NODE_ENV: 'production', WEBHOOK_SECRET: 's', PRIVATE_KEY: key }),
    ).toThrow(EnvError);
    expect(() => readAppEnv({ NODE_ENV: 'production', WEBHOOK_SECRET: 's', APP_ID: '1' })).toThrow(
      /PRIVATE_KEY/,
    );
    expect(() => readAppEnv({ APP_ID: '1', PRIVATE_KEY: key, PORT: 'eighty' })).toThrow(
      /PORT must be an integer/,
    );
    expect(() => readAppEnv({ APP_ID: '1', PRIVATE_KEY: key, LOG_LEVEL: 'loud' as never })).toThrow(
      /LOG_LEVEL/,
    );
  });

  it('reads Probot’s variables: GHE host and protocol become the API base URL', () => {
    const env = readAppEnv({
      NODE_ENV: 'production',
      APP_ID: '42',
      PRIVATE_KEY: key,
      WEBHOOK_SECRET: 's',
      PORT: '8080',
      WEBHOOK_PATH: '/hooks',
      GHE_HOST: 'github.example.com',
      LOG_LEVEL: 'debug',
    });
    expect(env).toMatchObject({
      appId: 42,
      port: 8080,
      webhookPath: '/hooks',
      baseUrl: 'https://github.example.com/api/v3',
      logLevel: 'debug',
    });
    expect(
      readAppEnv({ APP_ID: '1', PRIVATE_KEY: key, GHE_HOST: '127.0.0.1:9', GHE_PROTOCOL: 'http' })
        .baseUrl,
    ).toBe('http://127.0.0.1:9/api/v3');
    expect(readAppEnv({})).toMatchObject({ setupMode: true, insecureDevelopmentSecret: true });
  });
});

describe('readiness', () => {
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it('/readyz is 200 only when GET /app with the JWT succeeds; answers are cached briefly', async () => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    const scope = nock(API)
      .get('/app')
      .reply(401, { message: 'A JSON web token could not be decoded' })
      .get('/app')
      .reply(200, { id: 42, slug: 'autopack', name: 'Autopack' });
    let now = 1_000_000;
    const octokit = new TestOctokit({ auth: { appId: 42, privateKey: privateKey() } });
    const probe = new AppAuthProbe({ appClient: async () => octokit as never, now: () => now });
    const server = createServer(async (req, res) => {
      if (!(await healthHandler(probe)(req, res))) res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const get = async (p: string) => {
      const r = await fetch(`http://127.0.0.1:${port}${p}`);
      return [r.status, (await r.json()) as Record<string, string>] as const;
    };
    try {
      expect(await get('/healthz')).toEqual([200, expect.objectContaining({ status: 'alive' })]);
      const [status, body] = await get('/readyz');
      expect(status).toBe(503);
      expect(body.error).toContain('GET /app failed with HTTP 401');
      now += 1_000; // within the 5 s failure cache: GitHub is not asked again
      expect((await get('/readyz'))[0]).toBe(503);
      now += 5_000;
      expect(await get('/readyz')).toEqual([
        200,
        expect.objectContaining({ status: 'ready', app: 'autopack' }),
      ]);
      now += 10_000; // within the 30 s success cache
      expect((await get('/readyz'))[0]).toBe(200);
      expect(scope.isDone()).toBe(true);
      expect((await probe.identity()).botLogin).toBe('autopack[bot]');
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      server.close();
    }
  });
});

describe('downloadArchive + readArchive (GET tarball)', () => {
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  const archive = (files: Record<string, string>) => tarGz('o-r-abc1234', files);

  const repo = { owner: 'o', repo: 'r' };
  const client = () => new TestOctokit({ auth: 'token' }) as never;

  it('hands over every file under the top directory, skipping those over the size limit', async () => {
    nock.disableNetConnect();
    const files: Record<string, string> = { 'big.txt': 'x'.repeat(100) };
    for (let i = 0; i < 600; i++) files[`src/f${i}.ts`] = `export const v${i} = ${i};\n`;
    const scope = nock(API)
      .get('/repos/o/r/tarball/abc')
      .reply(200, await archive(files), { 'content-type': 'application/x-gzip' });
    const seen = new Map<string, string>();
    const n = await readArchive(
      await downloadArchive(client(), repo, 'abc'),
      50,
      (f: ArchiveFile) => seen.set(f.path, f.content.toString('utf8')),
    );
    expect(scope.isDone()).toBe(true);
    expect(n).toBe(600);
    expect(seen.size).toBe(600);
    expect(seen.get('src/f599.ts')).toBe('export const v599 = 599;\n');
    expect(seen.has('big.txt')).toBe(false);
  });

  it('rejects a corrupt archive (the caller falls back to blobs)', async () => {
    nock.disableNetConnect();
    nock(API)
      .get('/repos/o/r/tarball/abc')
      .reply(200, Buffer.from('not gzip at all'), { 'content-type': 'application/x-gzip' });
    await expect(
      downloadArchive(client(), repo, 'abc').then((bytes) => readArchive(bytes, 1024, () => {})),
    ).rejects.toThrow();
  });
});

describe('engine warm-up', () => {
  it('runs the checks on the built-in sample, once per round, reading its files', async () => {
    const seen: string[] = [];
    const probe: Check = {
      id: 'drift',
      title: 'probe',
      rules: [],
      async run({ snapshot }) {
        const readme = await snapshot.read('README.md');
        seen.push(`${snapshot.source} ${snapshot.files.length} ${readme.kind}`);
        return { findings: [] };
      },
    };
    const ms = await warmUpEngine([probe], 2);
    expect(seen).toEqual(['autopack:warm-up 10 text', 'autopack:warm-up 10 text']);
    expect(ms).toBeGreaterThanOrEqual(0);
  });

  it('never rejects: a failing check only makes the first webhook slower', async () => {
    const broken: Check = {
      id: 'drift',
      title: 'broken',
      rules: [],
      run: async () => {
        throw new Error('boom');
      },
    };
    await expect(warmUpEngine([broken], 1)).resolves.toBeGreaterThanOrEqual(0);
  });
});
