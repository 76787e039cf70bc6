/**
 * Test helpers for the App: a Probot instance with retry and throttling OFF (Probot's advice for
 * tests), real webhook payloads from @octokit/webhooks-examples, fake commits (trees and blobs
 * with real git blob SHAs), a nock recorder of every request, and small real checks that exercise
 * what the App feeds the engine (file list, lazy content, changed files, base content, inputs).
 */
import { afterEach, beforeEach, expect } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
/* eslint-disable @typescript-eslint/no-explicit-any -- webhook payloads and response bodies are free-form JSON, mutated by tests */
import { createRequire } from 'node:module';
import nock from 'nock';
import { pino } from 'pino';
import { Probot, ProbotOctokit } from 'probot';
import type { Check, Finding } from '../../checks/model.js';
import { fingerprint } from '../../checks/fingerprint.js';
import { createCaches, type AppCaches } from '../../app/caches.js';
import type { EvaluationRecord } from '../../app/evaluate.js';
import { setupAutopack, type AutopackApp, type AutopackAppOptions } from '../../app/index.js';
import { inputProviders, type InputProvider } from '../../app/providers.js';
import { checkRunActionProviders, type CheckRunActionProvider } from '../../app/publish.js';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { gitBlobSha } from './fake-github.js';

/**
 * A gzip'd tar as GitHub's codeload serves it: each file under `<top>/` (a directory entry first).
 */
export async function tarGz(top: string, files: Record<string, string>): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => void chunks.push(c as Buffer));
  const ended = new Promise<void>((resolve) => p.on('end', () => resolve()));
  p.entry({ name: `${top}/`, type: 'directory' });
  for (const [name, text] of Object.entries(files))
    p.entry({ name: `${top}/${name}` }, Buffer.from(text));
  p.finalize();
  await ended;
  return gzipSync(Buffer.concat(chunks));
}

export const API = 'https://api.github.com';
export const APP_ID = 31337;

let key: string | undefined;
/** A throwaway RSA key (generated once per test file). */
export function privateKey(): string {
  key ??= generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs1', format: 'pem' })
    .toString();
  return key;
}

interface WebhookDefinition {
  name: string;
  examples: Array<Record<string, any>>;
}
let definitions: WebhookDefinition[] | undefined;

/** A webhook payload from @octokit/webhooks-examples (a deep copy), by event, action and filter. */
export function example<T = Record<string, any>>(
  name: string,
  action: string | undefined,
  pred: (p: Record<string, any>) => boolean = () => true,
): T {
  definitions ??= createRequire(import.meta.url)(
    '@octokit/webhooks-examples/api.github.com/index.json',
  ) as WebhookDefinition[];
  const def = definitions.find((d) => d.name === name);
  const ex = (def?.examples as unknown as Array<Record<string, any>> | undefined)?.find(
    (x) => x.action === action && x.installation !== undefined && pred(x),
  );
  if (!ex) throw new Error(`no ${name}.${action} example with an installation`);
  return structuredClone(ex) as T;
}

/** A fake commit: its recursive tree entries and blob contents by SHA. */
export interface FakeCommit {
  tree: Array<{ path: string; mode: string; type: 'blob'; sha: string; size: number }>;
  blobs: Map<string, string>;
  shaOf(path: string): string;
}

/** Builds a commit from path → text. */
export function commit(files: Record<string, string>): FakeCommit {
  const tree: FakeCommit['tree'] = [];
  const blobs = new Map<string, string>();
  const byPath = new Map<string, string>();
  for (const [path, text] of Object.entries(files)) {
    const buf = Buffer.from(text, 'utf8');
    const sha = gitBlobSha(buf);
    blobs.set(sha, text);
    byPath.set(path, sha);
    tree.push({ path, mode: '100644', type: 'blob', sha, size: buf.length });
  }
  return {
    tree,
    blobs,
    shaOf: (p) => {
      const s = byPath.get(p);
      if (!s) throw new Error(`no ${p} in the commit`);
      return s;
    },
  };
}

/** The body GitHub returns for a blob. */
export function blobBody(text: string, sha: string) {
  return {
    sha,
    size: Buffer.byteLength(text),
    encoding: 'base64',
    content: Buffer.from(text).toString('base64'),
  };
}

/** One request nock served. */
export interface Served {
  method: string;
  /** Path with query string, as requested. */
  path: string;
  body?: any;
  headers: Record<string, string | string[] | undefined>;
}

/** Requests nock could not match (a test expecting exact requests asserts this stays empty). */
export const unmatched: string[] = [];
nock.emitter.on(
  'no match',
  (req: { method?: string; url?: string; path?: string; href?: string }) => {
    unmatched.push(`${req.method ?? '?'} ${req.url ?? req.href ?? req.path ?? '?'}`);
  },
);

/** Records every request of a nock scope, in order (and clears {@link unmatched}). */
export function record(scope: nock.Scope): Served[] {
  unmatched.length = 0;
  const served: Served[] = [];
  // nock 15 emits the intercepted fetch Request (url, method, headers) and the body text.
  scope.on('request', (req: Request, _interceptor: unknown, body: string) => {
    const url = new URL(req.url);
    served.push({
      method: req.method,
      path: url.pathname + url.search,
      body: body ? JSON.parse(body) : undefined,
      headers: Object.fromEntries(req.headers.entries()),
    });
  });
  return served;
}

/** What {@link apiBoundary} hands a describe block: fresh for each test. */
export interface ApiBoundary {
  /** The nock scope on {@link API}: a test adds the exact requests it expects. */
  scope: nock.Scope;
  /** Every request the scope served, in order. */
  served: Served[];
}

/**
 * The HTTP boundary of the App's unit tests, registered as vitest hooks of the calling describe
 * block: before each test the provider registries are isolated, the network is closed and a new
 * recorded nock scope is made; after it, nock is reset and the test fails if any request went
 * unmatched.
 */
export function apiBoundary(): ApiBoundary {
  const api = {} as ApiBoundary;
  let restore: () => void = () => {};
  beforeEach(() => {
    restore = isolateProviders();
    nock.disableNetConnect();
    api.scope = nock(API);
    api.served = record(api.scope);
  });
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
    restore();
    expect(unmatched).toEqual([]);
  });
  return api;
}

/** `METHOD path` lines of served requests (query strings kept), for exact assertions. */
export function lines(served: Served[]): string[] {
  return served.map((s) => `${s.method} ${decodeURIComponent(s.path)}`);
}

/**
 * Empties the App's provider registries (input providers, requested-action providers) for a
 * test, so that the shell is tested with exactly the checks and inputs the test gives it (the
 * providers registered by other modules, e.g. governance, have their own tests). Returns the
 * function that restores them.
 */
export function isolateProviders(): () => void {
  const inputs: InputProvider[] = inputProviders.splice(0);
  const actions: CheckRunActionProvider[] = checkRunActionProviders.splice(0);
  return () => {
    inputProviders.splice(0, inputProviders.length, ...inputs);
    checkRunActionProviders.splice(0, checkRunActionProviders.length, ...actions);
  };
}

/** A test App: Probot (retry/throttle off) with Autopack set up, and its evaluation records. */
export interface TestApp {
  probot: Probot;
  app: AutopackApp;
  caches: AppCaches;
  records: EvaluationRecord[];
  /** Delivers a webhook, then waits until every evaluation it caused has finished. */
  deliver(name: string, payload: unknown, id?: string): Promise<void>;
}

let deliveries = 0;

/**
 * Probot's Octokit with retry and throttling OFF. A function is needed: Probot merges its own
 * throttle options over object defaults (so `defaults({ throttle: { enabled: false } })` would
 * leave throttling on, pacing writes 1 s apart).
 */
export const TestOctokit = ProbotOctokit.defaults((o: Record<string, any>) => ({
  ...o,
  retry: { ...o.retry, enabled: false },
  throttle: { ...o.throttle, enabled: false },
}));

/** Creates a test App with the given options (checks default to {@link TEST_CHECKS}). */
export async function createTestApp(options: Partial<AutopackAppOptions> = {}): Promise<TestApp> {
  const records: EvaluationRecord[] = [];
  const caches = options.caches ?? createCaches();
  const probot = new Probot({
    appId: APP_ID,
    privateKey: privateKey(),
    Octokit: TestOctokit,
    log: pino({ level: 'silent' }) as never,
  });
  let app!: AutopackApp;
  await probot.load((p) => {
    app = setupAutopack(p, {
      appId: APP_ID,
      caches,
      checks: TEST_CHECKS,
      inProgressAfterMs: 600_000,
      ...options,
      onEvaluated: (r) => {
        records.push(r);
        options.onEvaluated?.(r);
      },
    });
  });
  return {
    probot,
    app,
    caches,
    records,
    deliver: async (name, payload, id) => {
      await probot.receive({ id: id ?? `delivery-${++deliveries}`, name, payload } as never);
      await app.deps.idle();
    },
  };
}

/** Nocks the installation token exchange (the App's JWT for an installation token). */
export function nockToken(scope: nock.Scope, installationId: number): nock.Scope {
  return scope.post(`/app/installations/${installationId}/access_tokens`).reply(201, {
    token: `ghs_test${installationId}`,
    expires_at: new Date(Date.now() + 3600_000).toISOString(),
  });
}

function finding(
  check: Check['id'],
  ruleId: string,
  message: string,
  path?: string,
  line?: number,
  column?: number,
): Finding {
  return {
    checkId: check,
    ruleId,
    severity: 'error',
    message,
    ...(path ? { path } : {}),
    ...(line ? { line } : {}),
    ...(column ? { column } : {}),
    help: `Fix ${path ?? 'it'}.`,
    fingerprint: fingerprint(check, ruleId, path ?? '', String(line ?? 0)),
  };
}

/**
 * Real checks that use the snapshot the way the engine's checks do, with results that are easy to
 * predict: paths only (backups), lazy content (FIXME lines in Markdown), base content (an
 * append-only LEDGER.md) and the change set (governance: the policy file changed).
 */
export const TEST_CHECKS: Check[] = [
  {
    id: 'workspace-structure',
    title: 'Backups',
    rules: [],
    async run({ snapshot }) {
      return {
        findings: snapshot.files
          .filter((f) => f.path.endsWith('.bak'))
          .map((f) =>
            finding('workspace-structure', 'forbidden-path', `${f.path} is a backup file`, f.path),
          ),
      };
    },
  },
  {
    id: 'drift',
    title: 'FIXME in docs',
    rules: [],
    async run({ snapshot }) {
      const findings: Finding[] = [];
      for (const f of snapshot.files.filter((x) => x.path.endsWith('.md'))) {
        const c = await snapshot.read(f.path);
        if (c.kind !== 'text') continue;
        c.text.split('\n').forEach((l, i) => {
          const col = l.indexOf('FIXME');
          if (col >= 0)
            findings.push(
              finding('drift', 'fixme', `FIXME left in ${f.path}`, f.path, i + 1, col + 1),
            );
        });
      }
      return { findings };
    },
  },
  {
    id: 'sot',
    title: 'Append-only ledger',
    rules: [],
    async run({ snapshot }) {
      const change = snapshot.change;
      if (!change || !snapshot.hasFile('LEDGER.md')) return { findings: [] };
      const [base, head] = await Promise.all([
        change.readBase('LEDGER.md'),
        snapshot.read('LEDGER.md'),
      ]);
      if (base.kind === 'text' && head.kind === 'text' && !head.text.startsWith(base.text)) {
        return {
          findings: [finding('sot', 'append-only', 'LEDGER.md lost entries', 'LEDGER.md', 1)],
        };
      }
      return { findings: [], summary: `ledger: base ${base.kind}, head ${head.kind}` };
    },
  },
  {
    id: 'governance',
    title: 'Governance',
    rules: [],
    async run({ snapshot, inputs }) {
      const touched = snapshot.change?.files.some(
        (f) => f.path === '.github/autopack.yml' || f.previousPath === '.github/autopack.yml',
      );
      const approved = (inputs as { testApproved?: boolean }).testApproved === true;
      if (touched && !approved)
        return {
          findings: [],
          conclusion: 'action_required',
          summary: 'the policy file changed: approval required',
        };
      return { findings: [], summary: 'no protected paths changed' };
    },
  },
];

/** The `files` GitHub lists for base...head (added / modified / removed, by path and blob SHA). */
export function changedFiles(base: FakeCommit, head: FakeCommit) {
  const b = new Map(base.tree.map((e) => [e.path, e.sha]));
  const h = new Map(head.tree.map((e) => [e.path, e.sha]));
  const out: Array<{
    filename: string;
    status: string;
    sha: string;
    additions: number;
    deletions: number;
  }> = [];
  for (const [p, sha] of h) {
    if (!b.has(p)) out.push({ filename: p, status: 'added', sha, additions: 1, deletions: 0 });
    else if (b.get(p) !== sha)
      out.push({ filename: p, status: 'modified', sha, additions: 1, deletions: 0 });
  }
  for (const [p, sha] of b)
    if (!h.has(p)) out.push({ filename: p, status: 'removed', sha, additions: 0, deletions: 1 });
  return out.sort((x, y) => (x.filename < y.filename ? -1 : 1));
}
