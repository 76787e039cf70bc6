/**
 * Typed errors for GitHub API calls. Every module under github/ wraps what Octokit throws
 * (`RequestError` from `@octokit/request-error`, or a network / timeout failure) into a
 * {@link GitHubAPIError}, so the shells can tell "not found" from "rate limited" from "GitHub is
 * down" without parsing messages, and can say to a user what happened and what to do next.
 *
 * Source: GitHub REST API, "Rate limits for the REST API" (the `x-ratelimit-*` and `retry-after`
 * response headers, and the "secondary rate limit" error message) and "Troubleshooting" (304 Not
 * Modified for conditional requests).
 */
import { redact } from '../checks/redact.js';

/** Rate-limit facts GitHub sent with a response (all optional: an error may carry none). */
export interface RateLimitInfo {
  /** `x-ratelimit-limit`: requests allowed in the window. */
  limit?: number;
  /** `x-ratelimit-remaining`: requests left in the window. */
  remaining?: number;
  /** `x-ratelimit-reset`: when the window resets. */
  resetAt?: Date;
  /** `x-ratelimit-resource`, e.g. `core`. */
  resource?: string;
  /** `retry-after` in seconds (sent with secondary rate limits and some 429s). */
  retryAfterSeconds?: number;
}

/** What kind of failure this was. */
export type GitHubErrorKind =
  /** GitHub answered with an HTTP error status. */
  | 'http'
  /** The primary rate limit is exhausted (403/429 with `x-ratelimit-remaining: 0`). */
  | 'rate-limit'
  /** A secondary (abuse) rate limit: back off for `retryAfterSeconds`. */
  | 'secondary-rate-limit'
  /** The request did not complete in time. */
  | 'timeout'
  /** No HTTP answer at all (connection refused, DNS, reset). */
  | 'network';

/**
 * A GitHub API call failed. `status` is the HTTP status (0 when no response came back); the
 * message names the method and path and never contains credentials (it passes the redactor).
 */
export class GitHubAPIError extends Error {
  override readonly name = 'GitHubAPIError';

  constructor(
    message: string,
    readonly status: number,
    readonly kind: GitHubErrorKind,
    readonly method: string,
    /** The request path (no host, no query string). */
    readonly path: string,
    readonly rateLimit: RateLimitInfo,
    /** `x-github-request-id`, for a support ticket. */
    readonly requestId?: string,
    options?: { cause?: unknown },
  ) {
    super(redact(message), options);
  }

  /** True for 404 (and 410): the object does not exist or the App cannot see it. */
  get isNotFound(): boolean {
    return this.status === 404 || this.status === 410;
  }

  /** True when retrying later may succeed (5xx, timeouts, network, rate limits). */
  get isTransient(): boolean {
    return this.kind !== 'http' || this.status >= 500 || this.status === 429 || this.status === 408;
  }

  /** A sentence a user can act on: what failed, and what to do next. */
  describe(): string {
    const what = `GitHub API ${this.method} ${this.path} failed`;
    switch (this.kind) {
      case 'rate-limit':
        return `${what}: the rate limit is exhausted${
          this.rateLimit.resetAt ? ` until ${this.rateLimit.resetAt.toISOString()}` : ''
        }. Re-run this check after that.`;
      case 'secondary-rate-limit':
        return `${what}: GitHub's secondary rate limit was hit${
          this.rateLimit.retryAfterSeconds
            ? ` (retry after ${this.rateLimit.retryAfterSeconds} s)`
            : ''
        }. Re-run this check in a few minutes.`;
      case 'timeout':
        return `${what}: the request timed out. Re-run this check; if it keeps failing, check githubstatus.com.`;
      case 'network':
        return `${what}: GitHub could not be reached (${this.message}). Re-run this check.`;
      default:
        return `${what} with HTTP ${this.status}: ${this.message}. ${
          this.isTransient ? 'Re-run this check.' : 'Check the App permissions and installation.'
        }`;
    }
  }
}

/** The shape of Octokit's RequestError that this module reads (duck-typed: no import needed). */
interface RequestErrorLike {
  status: number;
  message: string;
  request?: { method?: string; url?: string };
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
  cause?: unknown;
}

function isRequestErrorLike(e: unknown): e is RequestErrorLike {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as { status?: unknown }).status === 'number' &&
    typeof (e as { message?: unknown }).message === 'string'
  );
}

function num(v: string | number | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** Reads the rate-limit headers of a response (lower-case header names, as Octokit gives them). */
export function rateLimitOf(
  headers: Record<string, string | number | undefined> | undefined,
): RateLimitInfo {
  if (!headers) return {};
  const reset = num(headers['x-ratelimit-reset']);
  return {
    limit: num(headers['x-ratelimit-limit']),
    remaining: num(headers['x-ratelimit-remaining']),
    resetAt: reset === undefined ? undefined : new Date(reset * 1000),
    resource: headers['x-ratelimit-resource'] as string | undefined,
    retryAfterSeconds: num(headers['retry-after']),
  };
}

function pathOf(url: string | undefined): string {
  if (!url) return '(unknown)';
  try {
    return new URL(url, 'http://github.invalid').pathname;
  } catch {
    return url.split('?')[0] ?? url;
  }
}

/**
 * Converts anything an Octokit call threw into a GitHubAPIError (an existing GitHubAPIError is
 * returned as is). `method` and `path` label the call when the error does not carry its request.
 */
export function toGitHubAPIError(e: unknown, method = 'GET', path = '(unknown)'): GitHubAPIError {
  if (e instanceof GitHubAPIError) return e;
  if (isRequestErrorLike(e)) {
    const headers = e.response?.headers;
    const rateLimit = rateLimitOf(headers);
    const m = (e.request?.method ?? method).toUpperCase();
    const p = e.request?.url ? pathOf(e.request.url) : path;
    const requestId = headers?.['x-github-request-id'] as string | undefined;
    const cause = e.cause as { name?: string } | undefined;
    let kind: GitHubErrorKind = 'http';
    let status = e.status;
    if (
      cause?.name === 'TimeoutError' ||
      (e as { name?: string }).name === 'TimeoutError' ||
      /timed? ?out|aborted due to timeout/i.test(e.message)
    ) {
      kind = 'timeout';
      status = 0;
    } else if (!e.response && e.status === 500) {
      // @octokit/request reports a fetch failure (no response at all) as status 500.
      kind = 'network';
      status = 0;
    } else if ((e.status === 403 || e.status === 429) && /secondary rate limit/i.test(e.message)) {
      kind = 'secondary-rate-limit';
    } else if ((e.status === 403 || e.status === 429) && rateLimit.remaining === 0) {
      kind = 'rate-limit';
    }
    return new GitHubAPIError(e.message, status, kind, m, p, rateLimit, requestId, { cause: e });
  }
  const err = e as Error | undefined;
  const timeout = err?.name === 'TimeoutError' || err?.name === 'AbortError';
  return new GitHubAPIError(
    err?.message ?? String(e),
    0,
    timeout ? 'timeout' : 'network',
    method,
    path,
    {},
    undefined,
    { cause: e },
  );
}

/**
 * Runs one API call and rethrows any failure as a GitHubAPIError labelled with `method` and
 * `path` (used by every module under github/).
 */
export async function callGitHub<T>(
  method: string,
  path: string,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toGitHubAPIError(e, method, path);
  }
}

/**
 * True when `e` came from a GitHub API call (a GitHubAPIError, or Octokit's RequestError with its
 * request), as opposed to a bug or bad input in Autopack itself.
 */
export function isGitHubError(e: unknown): boolean {
  return (
    e instanceof GitHubAPIError ||
    (isRequestErrorLike(e) && (e as RequestErrorLike).request !== undefined)
  );
}

/** True when `e` is Octokit's error for a 304 Not Modified answer to a conditional request. */
export function isNotModified(e: unknown): boolean {
  return isRequestErrorLike(e) && e.status === 304;
}
