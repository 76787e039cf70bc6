/**
 * Starts the real App server (app/server.ts) as a child process for the end-to-end test: the
 * TypeScript entry is bundled with esbuild (packages stay external, resolved from node_modules)
 * into node_modules/.cache, below the package root so that the shipped policies and schemas are
 * found as they are from lib/. Logs (pino JSON lines) are collected for assertions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUT_DIR = path.join(ROOT, 'node_modules', '.cache', 'autopack-e2e');

/** Bundles app/server.ts; resolves the bundle's path. */
export async function bundleServer(): Promise<string> {
  mkdirSync(OUT_DIR, { recursive: true });
  const outfile = path.join(OUT_DIR, 'server.mjs');
  await bundleEntry(path.join(ROOT, 'app', 'server.ts'), outfile);
  // The archive worker beside the server, as lib/app/archive-worker.js beside lib/app/*.js.
  await bundleArchiveWorker(OUT_DIR);
  return outfile;
}

/** Bundles one TypeScript entry into an ES module (packages external, resolved from node_modules). */
async function bundleEntry(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    sourcemap: 'inline',
    logLevel: 'error',
  });
}

/**
 * Bundles app/archive-worker.ts into `dir`/archive-worker.js (with a package.json marking `dir`
 * as ES modules, since it sits under node_modules/); resolves the worker's URL.
 */
export async function bundleArchiveWorker(dir: string): Promise<URL> {
  mkdirSync(dir, { recursive: true });
  const outfile = path.join(dir, 'archive-worker.js');
  await bundleEntry(path.join(ROOT, 'app', 'archive-worker.ts'), outfile);
  writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
  return pathToFileURL(outfile);
}

/** A throwaway RSA key for the App (PKCS#1 PEM, as GitHub issues them). */
export function throwawayPrivateKey(): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
}

/** One parsed log line of the server. */
export type LogLine = Record<string, unknown> & { msg?: string };

/** A running server process. */
export interface ServerProcess {
  port: number;
  child: ChildProcess;
  logs: LogLine[];
  stderr: string[];
  /** Resolves with the first log line (already seen or future) for which `pred` holds. */
  waitForLog(pred: (l: LogLine) => boolean, timeoutMs?: number, what?: string): Promise<LogLine>;
  /** SIGTERM, then resolves the exit code. */
  stop(): Promise<number | null>;
}

/** Spawns `node <bundle>` with `env` and waits until it listens. */
export async function startServerProcess(
  bundle: string,
  env: Record<string, string>,
): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--enable-source-maps', bundle], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  const stderr: string[] = [];
  let waiters: Array<() => void> = [];
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString('utf8');
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        logs.push({ msg: line });
      }
      for (const w of [...waiters]) w();
    }
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr.push(d.toString('utf8'));
    for (const w of [...waiters]) w();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const waitForLog = (pred: (l: LogLine) => boolean, timeoutMs = 20_000, what = 'a log line') =>
    new Promise<LogLine>((resolve, reject) => {
      const check = () => {
        const hit = logs.find(pred);
        if (hit) {
          clearTimeout(timer);
          waiters = waiters.filter((w) => w !== check);
          resolve(hit);
        }
      };
      const timer = setTimeout(() => {
        waiters = waiters.filter((w) => w !== check);
        reject(new Error(`server: timed out waiting for ${what}; stderr: ${stderr.join('')}`));
      }, timeoutMs);
      waiters.push(check);
      void exited.then((code) => {
        if (waiters.includes(check)) {
          clearTimeout(timer);
          waiters = waiters.filter((w) => w !== check);
          reject(
            new Error(`server exited (${code}) while waiting for ${what}: ${stderr.join('')}`),
          );
        }
      });
      check();
    });
  const listening = await waitForLog(
    (l) => l.autopack === 'listening',
    20_000,
    'the server to listen',
  );
  return {
    port: Number(listening.port),
    child,
    logs,
    stderr,
    waitForLog,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Runs the bundle to completion (for start-up failures); resolves exit code and stderr. */
export function runToExit(
  bundle: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bundle], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    child.once('exit', (code) => resolve({ code, stderr: err }));
  });
}

/** POSTs a webhook signed with `secret` (X-Hub-Signature-256), as GitHub delivers it. */
export async function sendWebhook(
  port: number,
  secret: string,
  name: string,
  payload: unknown,
  delivery: string,
  webhookPath = '/api/github/webhooks',
): Promise<number> {
  const body = JSON.stringify(payload);
  const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  const res = await fetch(`http://127.0.0.1:${port}${webhookPath}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': name,
      'x-github-delivery': delivery,
      'x-hub-signature-256': signature,
      'user-agent': 'GitHub-Hookshot/e2e',
    },
    body,
  });
  await res.arrayBuffer();
  return res.status;
}
