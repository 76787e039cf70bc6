/**
 * Runs the bundled Action (dist/index.js) the way the GitHub Actions runner does: a child
 * `node` process with `INPUT_*` (action.yml defaults, overridden per test), `GITHUB_EVENT_NAME`,
 * `GITHUB_EVENT_PATH` (a real webhook payload written to a file), `GITHUB_WORKSPACE`,
 * `GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`, `RUNNER_TEMP`, and `GITHUB_API_URL` pointing at a local
 * HTTP server on 127.0.0.1 that plays the GitHub REST API and records every request.
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BUNDLE = path.join(REPO_ROOT, 'dist', 'index.js');

/** One request the fake API received. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/repos/o/r/issues`. */
  path: string;
  query: URLSearchParams;
  body: unknown;
  headers: IncomingMessage['headers'];
}

/** What a route answers. */
export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A route: method and path (exact string, or a RegExp on the path), and its answer. */
export interface Route {
  method: string;
  path: string | RegExp;
  reply: (req: RecordedRequest, server: FakeGitHub) => Reply;
}

/** The fake GitHub API. */
export interface FakeGitHub {
  url: string;
  requests: RecordedRequest[];
  /** Requests matching method and path (a string matches exactly, a RegExp tests the path). */
  calls(method: string, p: string | RegExp): RecordedRequest[];
  /** Requests no route answered (each got a 404). */
  unmatched: RecordedRequest[];
  close(): Promise<void>;
}

/** Starts the fake API on 127.0.0.1 (a free port). */
export async function startFakeGitHub(routes: Route[]): Promise<FakeGitHub> {
  const requests: RecordedRequest[] = [];
  const unmatched: RecordedRequest[] = [];
  const state: { fake?: FakeGitHub } = {};
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = undefined;
      if (raw) {
        try {
          body = JSON.parse(raw);
        } catch {
          body = raw;
        }
      }
      const rec: RecordedRequest = {
        method: req.method ?? 'GET',
        path: decodeURIComponent(url.pathname),
        query: url.searchParams,
        body,
        headers: req.headers,
      };
      requests.push(rec);
      const route = routes.find(
        (r) =>
          r.method === rec.method &&
          (typeof r.path === 'string' ? r.path === rec.path : r.path.test(rec.path)),
      );
      let reply: Reply;
      if (!route) {
        unmatched.push(rec);
        reply = { status: 404, body: { message: 'Not Found (no route in the fake API)' } };
      } else {
        try {
          reply = route.reply(rec, state.fake!);
        } catch (e) {
          reply = { status: 500, body: { message: (e as Error).message } };
        }
      }
      res.writeHead(reply.status ?? 200, {
        'content-type': 'application/json; charset=utf-8',
        ...reply.headers,
      });
      res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const fake: FakeGitHub = {
    url: `http://127.0.0.1:${port}`,
    requests,
    unmatched,
    calls: (method, p) =>
      requests.filter(
        (r) => r.method === method && (typeof p === 'string' ? r.path === p : p.test(r.path)),
      ),
    close: () =>
      new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
  state.fake = fake;
  return fake;
}

/**
 * A paginated list answer, as GitHub sends one: the page named by `page` (default 1) of
 * `per_page` (default 30) items, with a `link` header naming the next and last pages.
 */
export function paginated(
  items: readonly unknown[],
  req: RecordedRequest,
  server: FakeGitHub,
): Reply {
  const perPage = Number(req.query.get('per_page') ?? 30);
  const page = Number(req.query.get('page') ?? 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const headers: Record<string, string> = {};
  if (page < last) {
    const link = (n: number) => {
      const q = new URLSearchParams(req.query);
      q.set('page', String(n));
      return `${server.url}${req.path}?${q.toString()}`;
    };
    headers.link = `<${link(page + 1)}>; rel="next", <${link(last)}>; rel="last"`;
  }
  return { body: items.slice((page - 1) * perPage, page * perPage), headers };
}

/** A workflow-command annotation the step printed. */
export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  file?: string;
  line?: number;
  col?: number;
  title?: string;
}

/** What one run of the bundle produced. */
export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  annotations: Annotation[];
  /** The JSON report the `report` output names (parsed), when it was written. */
  report?: {
    results: Array<{
      checkId: string;
      conclusion: string;
      findings: Array<Record<string, unknown>>;
    }>;
  } & Record<string, unknown>;
  /** The SARIF log the `sarif` output names (parsed), when it was written. */
  sarif?: { version: string; runs: Array<{ results: Array<Record<string, unknown>> }> };
}

/** Options for {@link runAction}. */
export interface RunOptions {
  eventName: string;
  payload: unknown;
  workspace: string;
  /** Input overrides by action.yml name (`fail-on`, ...). */
  inputs?: Record<string, string>;
  api?: FakeGitHub;
  sha?: string;
  ref?: string;
  /** `owner/repo` (default: the payload's repository, else `Codertocat/Hello-World`). */
  repository?: string;
  env?: Record<string, string>;
  /** The bundle to run (default dist/index.js of this repository). */
  bundle?: string;
}

let actionDefaults: Record<string, string> | undefined;

/** The inputs' defaults from action.yml, as the runner passes them (`${{ github.token }}` → a test token). */
export async function actionYmlDefaults(): Promise<Record<string, string>> {
  if (actionDefaults) return actionDefaults;
  const doc = parseYaml(await readFile(path.join(REPO_ROOT, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { default?: string }>;
  };
  actionDefaults = {};
  for (const [name, spec] of Object.entries(doc.inputs)) {
    const d = spec.default ?? '';
    actionDefaults[name] = d === '${{ github.token }}' ? 'test-token-not-a-secret' : String(d);
  }
  return actionDefaults;
}

/** Runs dist/index.js once as the runner would, and collects what it wrote. */
export async function runAction(opts: RunOptions): Promise<ActionRun> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'autopack-action-run-'));
  try {
    const eventPath = path.join(tmp, 'event.json');
    const outputPath = path.join(tmp, 'github_output');
    const summaryPath = path.join(tmp, 'step_summary');
    await writeFile(eventPath, JSON.stringify(opts.payload));
    await writeFile(outputPath, '');
    await writeFile(summaryPath, '');
    const payloadRepo = (opts.payload as { repository?: { full_name?: string } }).repository
      ?.full_name;
    const inputs = { ...(await actionYmlDefaults()), ...opts.inputs };
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: tmp,
      LANG: 'C.UTF-8',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_EVENT_NAME: opts.eventName,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_WORKSPACE: opts.workspace,
      GITHUB_OUTPUT: outputPath,
      GITHUB_STEP_SUMMARY: summaryPath,
      GITHUB_REPOSITORY: opts.repository ?? payloadRepo ?? 'Codertocat/Hello-World',
      GITHUB_SHA: opts.sha ?? '',
      GITHUB_REF: opts.ref ?? '',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_RUN_ID: '4242',
      RUNNER_TEMP: tmp,
      ...(opts.api ? { GITHUB_API_URL: opts.api.url } : { GITHUB_API_URL: 'http://127.0.0.1:9' }),
      ...opts.env,
    };
    for (const [name, value] of Object.entries(inputs))
      env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
    const { code, stdout, stderr } = await spawnNode([opts.bundle ?? BUNDLE], {
      cwd: opts.workspace,
      env,
    });
    const outputs = parseOutputFile(await readFile(outputPath, 'utf8'));
    const readJson = async (p: string | undefined) =>
      p ? JSON.parse(await readFile(p, 'utf8')) : undefined;
    return {
      code,
      stdout,
      stderr,
      outputs,
      summary: await readFile(summaryPath, 'utf8'),
      annotations: parseAnnotations(stdout),
      report: await readJson(outputs.report),
      sarif: await readJson(outputs.sarif),
    };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Runs `node <args>` asynchronously (the fake API lives in this process, so no sync spawn). */
export function spawnNode(
  args: string[],
  opts: { cwd: string; env: Record<string, string> },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
  });
}

/** Parses `GITHUB_OUTPUT` (`name<<DELIM\nvalue\nDELIM` records, as @actions/core writes them). */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]!);
    if (m) {
      const [, name, delim] = m;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i]!);
      out[name!] = value.join('\n');
    } else {
      const eq = lines[i]!.indexOf('=');
      if (eq > 0) out[lines[i]!.slice(0, eq)] = lines[i]!.slice(eq + 1);
    }
  }
  return out;
}

const unescapeData = (s: string) =>
  s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
const unescapeProp = (s: string) => unescapeData(s).replace(/%3A/g, ':').replace(/%2C/g, ',');

/** Parses the `::error file=…,line=…::message` workflow commands in stdout. */
export function parseAnnotations(stdout: string): Annotation[] {
  const out: Annotation[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const m = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!m) continue;
    const a: Annotation = { level: m[1] as Annotation['level'], message: unescapeData(m[3] ?? '') };
    for (const kv of (m[2] ?? '').split(',').filter(Boolean)) {
      const eq = kv.indexOf('=');
      const k = kv.slice(0, eq);
      const v = unescapeProp(kv.slice(eq + 1));
      if (k === 'file') a.file = v;
      else if (k === 'line') a.line = Number(v);
      else if (k === 'col') a.col = Number(v);
      else if (k === 'title') a.title = v;
    }
    out.push(a);
  }
  return out;
}

/** A real webhook payload from @octokit/webhooks-examples (deep-copied), by event and action. */
export async function examplePayload(
  event: string,
  action?: string,
  index = 0,
): Promise<Record<string, unknown>> {
  const all = JSON.parse(
    await readFile(
      path.join(REPO_ROOT, 'node_modules/@octokit/webhooks-examples/api.github.com/index.json'),
      'utf8',
    ),
  ) as Array<{ name: string; examples: Array<Record<string, unknown>> }>;
  const examples = all.find((e) => e.name === event)?.examples ?? [];
  const matching = action === undefined ? examples : examples.filter((e) => e.action === action);
  const found = matching[index];
  if (!found) throw new Error(`no ${event}${action ? `.${action}` : ''} example payload #${index}`);
  return structuredClone(found);
}
