/**
 * The App's environment: Probot's standard variables, read the way Probot reads them
 * (`probot/lib/bin/read-env-options.js`), plus Autopack's tuning variables. Bad values are
 * refused with a message naming the variable; nothing falls back silently in production.
 *
 * Probot's variables: `APP_ID`, `PRIVATE_KEY` (PEM, `\n`-escaped or base64) or `PRIVATE_KEY_PATH`,
 * `WEBHOOK_SECRET`, `PORT` (3000), `HOST` (localhost), `WEBHOOK_PATH` (/api/github/webhooks),
 * `GHE_HOST` and `GHE_PROTOCOL` (https; the API is then `<protocol>://<host>/api/v3`),
 * `LOG_LEVEL` (info; logs are JSON lines), `NODE_ENV`, and `REDIS_URL`
 * (optional: Probot then keeps the throttling plugin's write pacing in Redis, shared by replicas).
 */
import { getPrivateKey } from '@probot/get-private-key';
import { cacheLimitsFromEnv, type CacheLimits } from './caches.js';

/** The environment is unusable; the message names the variable and what to do. */
export class EnvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvError';
  }
}

/** Autopack's tuning knobs (all optional; defaults in docs/app-deployment.md). */
export interface AppTuning {
  /** `AUTOPACK_CONCURRENCY`: evaluations at once (default 2: the engine is CPU-bound on one thread). */
  concurrency: number;
  /** `AUTOPACK_COALESCE_MS`: hold a pull request's first event this long to merge followers (default 0). */
  debounceMs: number;
  /** `AUTOPACK_IN_PROGRESS_AFTER_MS`: open `in_progress` runs for slower evaluations (default 10000). */
  inProgressAfterMs: number;
  /** `AUTOPACK_EVALUATION_TIMEOUT_MS`: give up and fail the runs `timed_out` (default 120000). */
  timeoutMs: number;
  /** `AUTOPACK_REQUEST_TIMEOUT_MS`: one GitHub request's time limit (default 30000). */
  requestTimeoutMs: number;
  /**
   * `AUTOPACK_ARCHIVE_THREAD`: read cold heads' archives on a worker thread (`on`, the default) or
   * on the main thread (`off`).
   */
  archiveThread: boolean;
  /** `AUTOPACK_BLOB_CACHE_MB`, `AUTOPACK_TREE_CACHE_MB`, `AUTOPACK_SMALL_CACHE_MB`. */
  cacheLimits: CacheLimits;
}

/** Everything app/server.ts needs to start. */
export interface AppEnv {
  production: boolean;
  /** No App credentials outside production: Probot's setup flow registers the App from app.yml. */
  setupMode: boolean;
  appId: number;
  privateKey: string;
  webhookSecret: string;
  /** True when WEBHOOK_SECRET was not set and Probot's development secret is used. */
  insecureDevelopmentSecret: boolean;
  port: number;
  host?: string;
  webhookPath: string;
  /** The REST API base URL: `https://api.github.com`, or `<GHE_PROTOCOL>://<GHE_HOST>/api/v3`. */
  baseUrl: string;
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  /** `REDIS_URL` (Probot): share the write pacing of the throttling plugin across replicas. */
  redisUrl?: string;
  tuning: AppTuning;
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

function int(env: NodeJS.ProcessEnv, name: string, dflt: number, min: number): number {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min)
    throw new EnvError(`${name} must be an integer ≥ ${min}, got "${v}"`);
  return n;
}

function onOff(env: NodeJS.ProcessEnv, name: string, dflt: boolean): boolean {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  if (v === 'on') return true;
  if (v === 'off') return false;
  throw new EnvError(`${name} must be "on" or "off", got "${v}"`);
}

/** Reads and checks the environment. Throws EnvError with a message naming the variable. */
export function readAppEnv(env: NodeJS.ProcessEnv = process.env): AppEnv {
  const production = env.NODE_ENV === 'production';
  const secret = env.WEBHOOK_SECRET ?? '';
  if (production && secret === '') {
    throw new EnvError(
      'WEBHOOK_SECRET is not set. In production Autopack refuses to start without it: every webhook must be ' +
        'verified (X-Hub-Signature-256). Set it to the secret configured on the GitHub App.',
    );
  }
  let privateKey: string | undefined;
  try {
    privateKey = getPrivateKey({ env })?.toString() || undefined;
  } catch (e) {
    throw new EnvError(`PRIVATE_KEY / PRIVATE_KEY_PATH: ${(e as Error).message}`);
  }
  const appIdText = env.APP_ID ?? '';
  const setupMode = !production && (appIdText === '' || !privateKey);
  let appId = 0;
  if (!setupMode) {
    if (!/^\d+$/.test(appIdText))
      throw new EnvError(`APP_ID must be the numeric GitHub App id, got "${appIdText}"`);
    if (!privateKey) {
      throw new EnvError(
        'PRIVATE_KEY or PRIVATE_KEY_PATH must give the GitHub App private key (PEM).',
      );
    }
    appId = Number(appIdText);
  }
  const level = (env.LOG_LEVEL ?? 'info').toLowerCase();
  if (!(LEVELS as readonly string[]).includes(level)) {
    throw new EnvError(`LOG_LEVEL must be one of ${LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  }
  const protocol = env.GHE_PROTOCOL || 'https';
  if (protocol !== 'https' && protocol !== 'http')
    throw new EnvError(`GHE_PROTOCOL must be https or http, got "${protocol}"`);
  const webhookPath = env.WEBHOOK_PATH || '/api/github/webhooks';
  if (!webhookPath.startsWith('/'))
    throw new EnvError(`WEBHOOK_PATH must start with "/", got "${webhookPath}"`);
  let cacheLimits: CacheLimits;
  try {
    cacheLimits = cacheLimitsFromEnv(env);
  } catch (e) {
    throw new EnvError((e as Error).message);
  }
  return {
    production,
    setupMode,
    appId,
    privateKey: privateKey ?? '',
    webhookSecret: secret || 'development',
    insecureDevelopmentSecret: secret === '',
    port: int(env, 'PORT', 3000, 0),
    host: env.HOST || undefined,
    webhookPath,
    baseUrl: env.GHE_HOST ? `${protocol}://${env.GHE_HOST}/api/v3` : 'https://api.github.com',
    logLevel: level as AppEnv['logLevel'],
    redisUrl: env.REDIS_URL || undefined,
    tuning: {
      concurrency: int(env, 'AUTOPACK_CONCURRENCY', 2, 1),
      debounceMs: int(env, 'AUTOPACK_COALESCE_MS', 0, 0),
      inProgressAfterMs: int(env, 'AUTOPACK_IN_PROGRESS_AFTER_MS', 10_000, 0),
      timeoutMs: int(env, 'AUTOPACK_EVALUATION_TIMEOUT_MS', 120_000, 1_000),
      requestTimeoutMs: int(env, 'AUTOPACK_REQUEST_TIMEOUT_MS', 30_000, 100),
      archiveThread: onOff(env, 'AUTOPACK_ARCHIVE_THREAD', true),
      cacheLimits,
    },
  };
}
