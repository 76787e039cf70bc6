/**
 * The App's process entry: `npm start` (= `node lib/app/server.js`, after `npm run build`).
 *
 * Reads Probot's environment (app/env.ts), refuses to start in production without a webhook
 * secret, and serves on one port:
 * - `POST $WEBHOOK_PATH` (default `/api/github/webhooks`): HMAC-verified webhooks (Probot);
 * - `GET /healthz`, `GET /readyz` (app/health.ts); `GET /ping` (Probot).
 *
 * GitHub requests go through Probot's Octokit with retries (`@octokit/plugin-retry`: 3 retries on
 * 5xx) and throttling (`@octokit/plugin-throttling`: writes of one installation about 1 s apart,
 * comments 3 s apart) switched ON; a secondary rate limit is waited out for the `retry-after`
 * GitHub sends (twice at most), never hammered; each request has a time limit.
 *
 * Outside production and without App credentials it starts Probot's setup flow instead, which
 * registers a new GitHub App from app.yml (see docs/app-deployment.md).
 *
 * SIGTERM / SIGINT: stop accepting webhooks, let running evaluations publish (up to 25 s), exit.
 */
import { createServer as createNetServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { pino, type Logger } from 'pino';
import { Probot, ProbotOctokit, Server, run } from 'probot';
import { redact } from '../checks/redact.js';
import { createCaches } from './caches.js';
import { EnvError, readAppEnv, type AppEnv } from './env.js';
import { healthHandler } from './health.js';
import autopack, { setupAutopack, type AutopackApp } from './index.js';
import { createArchiveReader, mainThreadArchiveReader } from './archive-reader.js';
import { warmUpEngine } from './warmup.js';
import { CHECKS } from '../checks/registry.js';

/** A started server. */
export interface RunningServer {
  server: Server;
  port: number;
  app: AutopackApp;
  /** Stops accepting webhooks, waits for running evaluations (at most `graceMs`), closes. */
  stop(graceMs?: number): Promise<void>;
}

type ThrottleOptions = { method: string; url: string };
type LogLike = { warn(msg: string): void };

/**
 * Probot's Octokit with Autopack's rate-limit policy: a secondary rate limit is retried after the
 * `retry-after` GitHub sends, at most twice; a primary limit is waited out only when it resets
 * within a minute (otherwise the request fails and the Check Run says when to re-run).
 */
export const AutopackOctokit = ProbotOctokit.defaults(
  (instanceOptions: Record<string, unknown>) => {
    const throttle = (instanceOptions.throttle ?? {}) as Record<string, unknown>;
    if (throttle.enabled === false) return instanceOptions;
    return {
      ...instanceOptions,
      throttle: {
        ...throttle,
        onSecondaryRateLimit: (
          retryAfter: number,
          options: ThrottleOptions,
          octokit: { log: LogLike },
          retryCount: number,
        ) => {
          octokit.log.warn(
            `secondary rate limit on ${options.method} ${options.url}: waiting ${retryAfter} s (retry ${retryCount + 1} of 2)`,
          );
          return retryCount < 2;
        },
        onRateLimit: (
          retryAfter: number,
          options: ThrottleOptions,
          octokit: { log: LogLike },
          retryCount: number,
        ) => {
          const retry = retryCount < 1 && retryAfter <= 60;
          octokit.log.warn(
            `rate limit exhausted on ${options.method} ${options.url}: ${retry ? `waiting ${retryAfter} s` : `resets in ${retryAfter} s, giving up`}`,
          );
          return retry;
        },
      },
    };
  },
);

/** `fetch` with a time limit per request (an abort becomes a GitHubAPIError of kind `timeout`). */
export function fetchWithTimeout(ms: number): typeof fetch {
  return (input, init) => {
    const timeout = AbortSignal.timeout(ms);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return fetch(input, { ...init, signal });
  };
}

/** A port the OS reports free on `host` (for `PORT=0`). */
function freePort(host = 'localhost'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createNetServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Creates the logger: pino, JSON lines on stdout, credentials in headers censored. */
export function createLogger(env: AppEnv): Logger {
  return pino({
    level: env.logLevel,
    name: 'probot',
    messageKey: 'msg',
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-hub-signature"]',
        'req.headers["x-hub-signature-256"]',
        'headers.authorization',
      ],
      censor: '[REDACTED]',
    },
  });
}

/** Starts the App from the environment. Rejects with EnvError for an unusable environment. */
export async function startServer(
  envVars: NodeJS.ProcessEnv = process.env,
): Promise<RunningServer | undefined> {
  const env = readAppEnv(envVars);
  if (env.setupMode) {
    // Probot's manifest flow: open the printed URL to register the App from app.yml.
    await run(autopack);
    return undefined;
  }
  const log = createLogger(env);
  if (env.insecureDevelopmentSecret) {
    log.warn(
      'WEBHOOK_SECRET is not set: using Probot\'s "development" secret. Never do this in production.',
    );
  }
  let handles: AutopackApp | undefined;
  const archiveReader = env.tuning.archiveThread ? createArchiveReader() : mainThreadArchiveReader;
  const server = new Server({
    Probot: Probot.defaults({
      appId: env.appId,
      privateKey: env.privateKey,
      secret: env.webhookSecret,
      baseUrl: env.baseUrl,
      log: log as never,
      Octokit: AutopackOctokit,
      ...(env.redisUrl ? { redisConfig: env.redisUrl } : {}),
    }),
    // Probot's Server treats port 0 as "default 3000": pick the free port here instead.
    port: env.port === 0 ? await freePort(env.host) : env.port,
    host: env.host,
    webhookPath: env.webhookPath,
    log: log as never,
    request: { fetch: fetchWithTimeout(env.tuning.requestTimeoutMs) },
    enableStaticFiles: false,
  });
  await server.load((app, { addHandler }) => {
    handles = setupAutopack(app, {
      appId: env.appId,
      caches: createCaches(env.tuning.cacheLimits),
      concurrency: env.tuning.concurrency,
      debounceMs: env.tuning.debounceMs,
      inProgressAfterMs: env.tuning.inProgressAfterMs,
      timeoutMs: env.tuning.timeoutMs,
      archiveReader,
    });
    addHandler(healthHandler(handles.probe));
  });
  // Compile the checks' code before the first webhook (see app/warmup.ts).
  const warmMs = await warmUpEngine(CHECKS, 3, archiveReader);
  log.info(
    { autopack: 'warmed-up', ms: warmMs, archiveThread: archiveReader.thread },
    `autopack: engine warmed up in ${warmMs} ms; archives are read on the ${archiveReader.thread} thread`,
  );
  await server.start();
  const app = handles!;
  log.info(
    {
      autopack: 'listening',
      port: server.port,
      webhookPath: env.webhookPath,
      baseUrl: env.baseUrl,
    },
    `autopack: listening on port ${server.port}`,
  );
  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 25_000) =>
    (stopping ??= (async () => {
      await server.stop().catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        app.deps.idle(),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, graceMs);
        }),
      ]);
      clearTimeout(timer);
      await archiveReader.close();
    })());
  return { server, port: server.port, app, stop };
}

async function main(): Promise<void> {
  let running: RunningServer | undefined;
  try {
    running = await startServer();
  } catch (e) {
    const msg = e instanceof EnvError ? e.message : ((e as Error).stack ?? String(e));
    process.stderr.write(`autopack: cannot start: ${redact(msg)}\n`);
    process.exit(1);
  }
  if (!running) return;
  const shutdown = (signal: string) => {
    process.stderr.write(`autopack: ${signal}: finishing running evaluations\n`);
    void running.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  void main();
}
