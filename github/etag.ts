/**
 * Conditional GET requests. GitHub answers `If-None-Match: <etag>` with 304 Not Modified when
 * the resource did not change, and a 304 is not counted against the primary rate limit
 * (REST API docs, "Use conditional requests if appropriate"). Callers keep the last ETag and
 * body in an {@link ETagStore}; a 304 is served from it.
 */
import type { GitHubClient } from './client.js';
import { callGitHub, isNotModified } from './errors.js';

/** One remembered response: its ETag and its parsed body. */
export interface ETagEntry {
  etag: string;
  data: unknown;
}

/** Where conditional responses are remembered (the App uses a byte-bounded LRU). */
export interface ETagStore {
  get(key: string): ETagEntry | undefined;
  set(key: string, entry: ETagEntry): void;
}

/** What a conditional GET gave: the body, and whether it came from a 304. */
export interface ConditionalResult<T> {
  data: T;
  /** True when GitHub answered 304 and `data` is the remembered body. */
  notModified: boolean;
  headers: Record<string, string | number | undefined>;
}

/**
 * GETs `route` with `params`, sending `If-None-Match` when `store` remembers an ETag for the
 * same route and parameters. Rejects with GitHubAPIError for any failure other than 304.
 */
export async function conditionalGet<T>(
  client: GitHubClient,
  route: string,
  params: Record<string, unknown>,
  store: ETagStore | undefined,
): Promise<ConditionalResult<T>> {
  const key = `${route} ${JSON.stringify(params)}`;
  const known = store?.get(key);
  const path = pathFor(route, params);
  return callGitHub('GET', path, async () => {
    try {
      const res = await client.request(route, {
        ...params,
        headers: known ? { 'if-none-match': known.etag } : {},
      } as never);
      const headers = (res.headers ?? {}) as Record<string, string | number | undefined>;
      const etag = headers.etag as string | undefined;
      if (store && etag) store.set(key, { etag, data: res.data });
      return { data: res.data as T, notModified: false, headers };
    } catch (e) {
      if (known && isNotModified(e)) {
        const headers = ((e as { response?: { headers?: Record<string, string> } }).response
          ?.headers ?? {}) as Record<string, string | number | undefined>;
        return { data: known.data as T, notModified: true, headers };
      }
      throw e;
    }
  });
}

/** Expands `{name}` placeholders of a route for error messages, e.g. `/repos/o/r/pulls/1`. */
export function pathFor(route: string, params: Record<string, unknown>): string {
  const path = route.replace(/^[A-Z]+ /, '');
  return path.replace(/\{([^}]+)\}/g, (_m, name: string) =>
    encodeURIComponent(String(params[name] ?? `{${name}}`)),
  );
}
