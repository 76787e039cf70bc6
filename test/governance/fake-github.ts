/**
 * An in-memory pull request served through nock at the HTTP boundary: exactly the REST endpoints
 * governance calls, answering from state the test controls (and that the bot's own writes
 * change: a posted comment appears in the next listing). Every request is logged as
 * `METHOD /path?query`, so tests assert the exact requests and their count. Anything not served
 * here is refused by `nock.disableNetConnect()`.
 */
import nock from 'nock';
import { expect } from 'vitest';

export const API = 'https://api.github.com';
export const OWNER = 'Codertocat';
export const REPO = 'Hello-World';
export const R = `/repos/${OWNER}/${REPO}`;
export const BOT = 'autopack[bot]';
export const BASE_SHA = 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e';
export const HEAD_SHA = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';

export interface FakeFile {
  filename: string;
  status: string;
  sha?: string;
  previous_filename?: string;
  additions?: number;
  deletions?: number;
}

interface StoredComment {
  id: number;
  body: string;
  user: { login: string; type: string };
  created_at: string;
  updated_at: string;
  html_url: string;
}

/** What a permission lookup answers: a role, or an HTTP error status. */
export type FakePermission =
  'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none' | { status: number };

export class FakePR {
  number = 1;
  author = 'Codertocat';
  labels: string[] = [];
  baseRef = 'main';
  baseSha = BASE_SHA;
  headSha = HEAD_SHA;
  files: FakeFile[] = [];
  /** Files at the base commit (the policy, CODEOWNERS), by path. */
  baseFiles: Record<string, string> = {};
  comments: StoredComment[] = [];
  reviews: Array<{
    id: number;
    user: { login: string; type: string };
    state: string;
    commit_id: string;
    submitted_at: string;
    html_url: string;
  }> = [];
  permissions: Record<string, FakePermission> = {};
  /** team `org/slug` → login → `active` | `pending` | an HTTP error status. */
  memberships: Record<string, Record<string, 'active' | 'pending' | number>> = {};
  /** team `org/slug` → members, for the listing. */
  teamMembers: Record<string, string[]> = {};
  collaborators: Array<{ login: string; role: string }> | { status: number } = [];
  /** Every request, in order. */
  log: string[] = [];
  /** Bodies written. */
  checkRuns: Array<Record<string, unknown>> = [];
  reactions: Array<{ commentId: number; content: string }> = [];
  private nextId = 5000;
  private clock = Date.parse('2024-05-01T10:00:00Z');

  /** The next timestamp (each call one minute later). */
  tick(): string {
    this.clock += 60_000;
    return new Date(this.clock).toISOString().replace('.000Z', 'Z');
  }

  /** Adds a human comment as GitHub would store it; returns it in the REST / webhook shape. */
  addComment(login: string, body: string, type = 'User'): StoredComment {
    const id = this.nextId++;
    const at = this.tick();
    const c = {
      id,
      body,
      user: { login, type },
      created_at: at,
      updated_at: at,
      html_url: `https://github.com/${OWNER}/${REPO}/pull/${this.number}#issuecomment-${id}`,
    };
    this.comments.push(c);
    return c;
  }

  /** The requests logged since the last call (and clears the log). */
  take(): string[] {
    const l = this.log;
    this.log = [];
    return l;
  }

  /** The last bot comment. */
  lastBotComment(): StoredComment | undefined {
    return [...this.comments].reverse().find((c) => c.user.login === BOT);
  }

  /**
   * Adapts a `(uri, body)` handler to nock 15's reply function, which receives the fetch
   * `Request` (one parameter: two would be taken for a callback).
   */
  private wrap(fn: (uri: string, body: nock.Body) => [number, unknown, Record<string, string>?]) {
    return async (req: Request) => {
      const url = new URL(req.url);
      const text = req.method === 'GET' ? '' : await req.text();
      return fn(url.pathname + url.search, text ? (JSON.parse(text) as nock.Body) : '');
    };
  }

  /** Installs persistent interceptors on `scope` answering from this state. */
  install(scope: nock.Scope): void {
    const log = (method: string, uri: string) =>
      this.log.push(`${method} ${decodeURIComponent(uri)}`);
    const page = <T>(uri: string, items: T[]): [number, T[], Record<string, string>] => {
      const u = new URL(uri, API);
      const per = Number(u.searchParams.get('per_page') ?? 30);
      const p = Number(u.searchParams.get('page') ?? 1);
      const slice = items.slice((p - 1) * per, p * per);
      const headers: Record<string, string> = {};
      if (p * per < items.length) {
        u.searchParams.set('page', String(p + 1));
        headers.link = `<${API}${u.pathname}${u.search}>; rel="next"`;
      }
      return [200, slice, headers];
    };
    scope
      .persist()
      .get(`${R}/pulls/${this.number}`)
      .reply(
        this.wrap((uri: string) => {
          log('GET', uri);
          return [
            200,
            {
              number: this.number,
              state: 'open',
              user: { login: this.author, type: 'User' },
              labels: this.labels.map((name) => ({ name })),
              base: { ref: this.baseRef, sha: this.baseSha },
              head: { sha: this.headSha, ref: 'feature' },
              html_url: `https://github.com/${OWNER}/${REPO}/pull/${this.number}`,
            },
          ];
        }),
      );
    scope
      .persist()
      .get(new RegExp(`^${R}/contents/`))
      .query(true)
      .reply(
        this.wrap((uri: string) => {
          log('GET', uri);
          const u = new URL(uri, API);
          const path = decodeURIComponent(u.pathname.slice(`${R}/contents/`.length));
          if (u.searchParams.get('ref') !== this.baseSha) return [404, { message: 'Not Found' }];
          const text = this.baseFiles[path];
          if (text === undefined) return [404, { message: 'Not Found' }];
          const buf = Buffer.from(text);
          return [
            200,
            {
              type: 'file',
              path,
              sha: `blob-${path}`,
              size: buf.length,
              encoding: 'base64',
              content: buf.toString('base64'),
            },
          ];
        }),
      );
    scope
      .persist()
      .get(new RegExp(`^${R}/compare/`))
      .query(true)
      .reply(
        this.wrap((uri: string) => {
          log('GET', uri);
          return [
            200,
            { status: 'ahead', merge_base_commit: { sha: this.baseSha }, files: this.files },
          ];
        }),
      );
    scope
      .persist()
      .get(`${R}/issues/${this.number}/comments`)
      .query(true)
      .reply(
        this.wrap((uri: string) => {
          log('GET', uri);
          return page(uri, this.comments);
        }),
      );
    scope
      .persist()
      .post(`${R}/issues/${this.number}/comments`)
      .reply(
        this.wrap((uri: string, body: nock.Body) => {
          log('POST', uri);
          const c = this.addComment(BOT, (body as { body: string }).body, 'Bot');
          return [201, c];
        }),
      );
    scope
      .persist()
      .patch(new RegExp(`^${R}/issues/comments/\\d+$`))
      .reply(
        this.wrap((uri: string, body: nock.Body) => {
          log('PATCH', uri);
          const id = Number(uri.split('/').pop());
          const c = this.comments.find((x) => x.id === id)!;
          c.body = (body as { body: string }).body;
          c.updated_at = this.tick();
          return [200, c];
        }),
      );
    scope
      .persist()
      .post(new RegExp(`^${R}/issues/comments/\\d+/reactions$`))
      .reply(
        this.wrap((uri: string, body: nock.Body) => {
          log('POST', uri);
          this.reactions.push({
            commentId: Number(uri.split('/').at(-2)),
            content: (body as { content: string }).content,
          });
          return [201, { id: 1, content: (body as { content: string }).content }];
        }),
      );
    scope
      .persist()
      .get(new RegExp(`^${R}/collaborators/[^/]+/permission$`))
      .reply(
        this.wrap((uri: string) => {
          log('GET', uri);
          const login = uri.split('/').at(-2)!;
          const p = this.permissions[login.toLowerCase()] ?? 'none';
          if (typeof p === 'object') return [p.status, { message: 'upstream error' }];
          const legacy = p === 'maintain' ? 'write' : p === 'triage' ? 'read' : p;
          return [
            200,
            { permission: legacy, role_name: p, user: { login, permissions: booleans(p) } },
          ];
        }),
      );
    scope
      .persist()
      .get(`${R}/collaborators`)
      .query(true)
      .reply(
        this.wrap((uri: string) => {
          log('GET', uri);
          if (!Array.isArray(this.collaborators))
            return [this.collaborators.status, { message: 'error' }];
          return page(
            uri,
            this.collaborators.map((c) => ({
              login: c.login,
              role_name: c.role,
              permissions: booleans(c.role),
            })),
          );
        }),
      );
    scope
      .persist()
      .get(/^\/orgs\/[^/]+\/teams\/[^/]+\/memberships\/[^/]+$/)
      .reply(
        this.wrap((uri: string) => {
          log('GET', uri);
          const [, , org, , slug, , login] = uri.split('/');
          const s = this.memberships[`${org}/${slug}`.toLowerCase()]?.[login!.toLowerCase()];
          if (typeof s === 'number') return [s, { message: 'error' }];
          if (!s) return [404, { message: 'Not Found' }];
          return [200, { state: s, role: 'member' }];
        }),
      );
    scope
      .persist()
      .get(/^\/orgs\/[^/]+\/teams\/[^/]+\/members$/)
      .query(true)
      .reply(
        this.wrap((uri: string) => {
          log('GET', uri);
          const [, , org, , slug] = new URL(uri, API).pathname.split('/');
          return page(
            uri,
            (this.teamMembers[`${org}/${slug}`.toLowerCase()] ?? []).map((login) => ({ login })),
          );
        }),
      );
    scope
      .persist()
      .get(`${R}/pulls/${this.number}/reviews`)
      .query(true)
      .reply(
        this.wrap((uri: string) => {
          log('GET', uri);
          return page(uri, this.reviews);
        }),
      );
    scope
      .persist()
      .post(`${R}/check-runs`)
      .reply(
        this.wrap((uri: string, body: nock.Body) => {
          log('POST', uri);
          this.checkRuns.push(body as Record<string, unknown>);
          return [201, { id: 700 + this.checkRuns.length }];
        }),
      );
  }

  /** The latest governance Check Run written. */
  lastRun(): {
    conclusion: string;
    output: { title: string; summary: string };
    actions?: unknown[];
    head_sha: string;
  } {
    const run = this.checkRuns.at(-1);
    expect(run, 'a Check Run was written').toBeDefined();
    return run as never;
  }
}

function booleans(role: string) {
  const rank = ['none', 'read', 'triage', 'write', 'maintain', 'admin'].indexOf(role);
  return {
    pull: rank >= 1,
    triage: rank >= 2,
    push: rank >= 3,
    maintain: rank >= 4,
    admin: rank >= 5,
  };
}
