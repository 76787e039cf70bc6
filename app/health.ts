/**
 * Liveness and readiness.
 *
 * - `GET /healthz`: 200 while the process serves HTTP (no GitHub call).
 * - `GET /readyz`: 200 only when the App can authenticate to GitHub: `GET /app` with the App's
 *   JWT succeeds (a wrong App id, a revoked key or an unreachable GitHub answer 503). The answer is
 *   cached briefly (30 s after a success, 5 s after a failure), so a probe every few seconds costs
 *   GitHub at most two requests a minute.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { redact } from '../checks/redact.js';
import type { GitHubClient } from '../github/client.js';
import { getAuthenticatedApp, type AppIdentity } from '../github/app.js';
import { toGitHubAPIError } from '../github/errors.js';

/** The result of one readiness probe. */
export interface ProbeResult {
  ok: boolean;
  identity?: AppIdentity;
  /** What failed, for the `/readyz` body and logs (redacted). */
  error?: string;
  /** When GitHub was last asked (ms since epoch). */
  checkedAt: number;
}

/** Options of an {@link AppAuthProbe}. */
export interface ProbeOptions {
  /** A JWT-authenticated client (Probot's `app.auth()` without an installation id). */
  appClient: () => Promise<GitHubClient>;
  /** How long a success is reused (ms, default 30,000). */
  okTtlMs?: number;
  /** How long a failure is reused (ms, default 5,000). */
  failTtlMs?: number;
  now?: () => number;
}

/** Asks GitHub who the App is, with a short cache and one request in flight at a time. */
export class AppAuthProbe {
  private last?: ProbeResult;
  private inflight?: Promise<ProbeResult>;
  private known?: AppIdentity;

  constructor(private readonly opts: ProbeOptions) {}

  /** A fresh-enough probe result. Never rejects. */
  probe(): Promise<ProbeResult> {
    const now = (this.opts.now ?? Date.now)();
    const ttl = this.last?.ok ? (this.opts.okTtlMs ?? 30_000) : (this.opts.failTtlMs ?? 5_000);
    if (this.last && now - this.last.checkedAt < ttl) return Promise.resolve(this.last);
    this.inflight ??= this.ask(now).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** The App's identity (its bot login for governance); rejects when GitHub never confirmed it. */
  async identity(): Promise<AppIdentity> {
    if (this.known) return this.known;
    const r = await this.probe();
    if (r.identity) return r.identity;
    throw new Error(r.error ?? 'the App identity is unknown');
  }

  private async ask(now: number): Promise<ProbeResult> {
    try {
      const identity = await getAuthenticatedApp(await this.opts.appClient());
      this.known = identity;
      this.last = { ok: true, identity, checkedAt: now };
    } catch (e) {
      this.last = {
        ok: false,
        error: redact(toGitHubAPIError(e, 'GET', '/app').describe()),
        checkedAt: now,
      };
    }
    return this.last;
  }
}

function json(res: ServerResponse, status: number, body: unknown): true {
  res
    .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    .end(JSON.stringify(body));
  return true;
}

/**
 * A Probot HTTP handler answering `/healthz` and `/readyz` (GET and HEAD); false for anything
 * else, so the next handler runs.
 */
export function healthHandler(probe: AppAuthProbe, started = Date.now()) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = (req.url ?? '').split('?')[0];
    if (path === '/healthz') {
      return json(res, 200, {
        status: 'alive',
        uptimeSeconds: Math.round((Date.now() - started) / 1000),
      });
    }
    if (path === '/readyz') {
      const r = await probe.probe();
      return r.ok
        ? json(res, 200, {
            status: 'ready',
            app: r.identity?.slug,
            checkedAt: new Date(r.checkedAt).toISOString(),
          })
        : json(res, 503, {
            status: 'not ready',
            error: r.error,
            checkedAt: new Date(r.checkedAt).toISOString(),
          });
    }
    return false;
  };
}
