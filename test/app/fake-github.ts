/**
 * A small GitHub REST API on 127.0.0.1 for the end-to-end test and the benchmark: the App reaches
 * it through `GHE_HOST=127.0.0.1:<port>` and `GHE_PROTOCOL=http` (Probot then uses
 * `http://127.0.0.1:<port>/api/v3`). It serves what an evaluation reads (installation tokens,
 * `GET /app`, contents, trees, blobs, compare, pull request files, check runs) from in-memory
 * commits, records every request, and keeps the Check Runs written to it, as GitHub would
 * (annotations appended on update). Conditional requests answer 304 on a matching ETag.
 *
 * For governance it is a small stateful pull request: issue comments (listed oldest first, every
 * page; a comment the App posts is authored by its bot user `<slug>[bot]`, so the ledger it
 * writes is listed back after a restart), comment edits and reactions, repository permissions
 * and collaborators, and team memberships. Pull request reviews are an empty list.
 *
 * Plain Node plus tar-stream (for archives), so that bench/app-burst.mjs can bundle it.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';

/** The git blob SHA of some content (`sha1("blob <len>\0" + content)`). */
export function gitBlobSha(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

/** One file of a fake commit. */
export interface FakeFile {
  sha: string;
  mode: string;
  content: Buffer;
}

/** A request the fake received. */
export interface RecordedRequest {
  method: string;
  /** Path without the `/api/v3` prefix and without the query string. */
  path: string;
  query: Record<string, string>;
  body?: unknown;
  status: number;
  /** ms since epoch, when the request arrived. */
  at: number;
  ifNoneMatch?: string;
  /** How long the fake took to answer (ms, from arrival to the response written). */
  ms?: number;
}

/** A Check Run as the fake stores it. */
export interface FakeCheckRun {
  id: number;
  /** `owner/repo`. */
  repo: string;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  external_id: string | null;
  output: { title?: string; summary?: string; annotations_count: number };
  annotations: Array<Record<string, unknown>>;
  actions?: unknown[];
  /** Every body written to this run, in order. */
  writes: unknown[];
  /** When the run was last written with status completed (ms since epoch). */
  completedAt?: number;
  createdAt: number;
}

/** An issue comment as the fake stores it (the REST shape, plus where it is). */
export interface FakeComment {
  id: number;
  /** `owner/repo`. */
  repo: string;
  issue: number;
  body: string;
  user: { login: string; type: string };
  created_at: string;
  updated_at: string;
  html_url: string;
}

/** A reaction added to an issue comment. */
export interface FakeReaction {
  repo: string;
  commentId: number;
  content: string;
  /** The login that reacted (the App's bot user for installation tokens). */
  by: string;
}

/** One write to a Check Run (a create or an update), in arrival order. */
export interface FakeCheckRunWrite {
  runId: number;
  repo: string;
  name: string;
  head_sha: string;
  method: 'POST' | 'PATCH';
  /** The run's status and conclusion after this write. */
  status: string;
  conclusion: string | null;
  title?: string;
}

/** A repository role as "Get repository permissions for a user" names it. */
export type FakeRole = 'admin' | 'maintain' | 'write' | 'triage' | 'read';

const ROLE_RANK: Record<FakeRole, number> = { read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };

/** The `permissions` booleans GitHub sends for a role. */
function permissionBooleans(role: FakeRole): Record<string, boolean> {
  const r = ROLE_RANK[role];
  return { admin: r >= 5, maintain: r >= 4, push: r >= 3, triage: r >= 2, pull: r >= 1 };
}

/** The legacy `permission` field (`admin`, `write` or `read`). */
function legacyPermission(role: FakeRole): string {
  return ROLE_RANK[role] >= 5 ? 'admin' : ROLE_RANK[role] >= 3 ? 'write' : 'read';
}

interface PullState {
  number: number;
  headSha: string;
  baseSha: string;
  baseRef: string;
  headRef: string;
  state: string;
  updatedAt: string;
  author?: string;
}

/** Options of {@link FakeGitHub}. */
export interface FakeGitHubOptions {
  appId: number;
  appSlug?: string;
  /** Cut recursive tree answers above this many entries (`truncated: true`), as GitHub does at 100,000. */
  treeEntryLimit?: number;
}

/** See the module comment. */
export class FakeGitHub {
  readonly requests: RecordedRequest[] = [];
  readonly checkRuns: FakeCheckRun[] = [];
  /** Every Check Run write (create or update), in arrival order. */
  readonly checkRunWrites: FakeCheckRunWrite[] = [];
  /** Issue comments of every repository, oldest first. */
  readonly comments: FakeComment[] = [];
  readonly reactions: FakeReaction[] = [];
  private nextCommentId = 2_000_000_001;
  /** `owner/repo` → login (lower-case) → role. */
  private readonly roles = new Map<string, Map<string, { login: string; role: FakeRole }>>();
  /** `org/slug` → login (lower-case) → membership. */
  private readonly teams = new Map<
    string,
    Map<string, { login: string; state: 'active' | 'pending' }>
  >();
  private readonly commits = new Map<string, Map<string, FakeFile>>();
  private readonly parents = new Map<string, string>();
  private readonly pulls = new Map<string, PullState>();
  private readonly blobs = new Map<string, Buffer>();
  /** Blob of each text seen, so commits sharing files share buffers (and hashing is done once). */
  private readonly byText = new Map<string, FakeFile>();
  private server?: Server;
  private nextRunId = 1000;
  private waiters: Array<() => void> = [];
  /** Paths (regular expressions) answered with this status instead, for fault injection. */
  readonly faults: Array<{
    method: string;
    path: RegExp;
    status: number;
    times: number;
    message?: string;
    headers?: Record<string, string>;
  }> = [];

  constructor(readonly opts: FakeGitHubOptions) {}

  /** Adds a commit with exactly these files (strings are UTF-8). Returns nothing; `sha` is yours to pick. */
  addCommit(
    repo: string,
    sha: string,
    files: Record<string, string | Buffer>,
    parent?: string,
  ): void {
    const tree = new Map<string, FakeFile>();
    for (const [path, body] of Object.entries(files)) {
      let file = typeof body === 'string' ? this.byText.get(body) : undefined;
      if (!file) {
        const content = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
        file = { sha: gitBlobSha(content), mode: '100644', content };
        this.blobs.set(file.sha, content);
        if (typeof body === 'string') this.byText.set(body, file);
      }
      tree.set(path, file);
    }
    this.commits.set(`${repo}@${sha}`, tree);
    if (parent) this.parents.set(`${repo}@${sha}`, parent);
  }

  /** Declares an open pull request. */
  addPull(repo: string, pr: Omit<PullState, 'state' | 'updatedAt'> & { updatedAt?: string }): void {
    this.pulls.set(`${repo}#${pr.number}`, {
      state: 'open',
      updatedAt: pr.updatedAt ?? new Date().toISOString(),
      ...pr,
    });
  }

  /**
   * Moves an open pull request to a new head (a push to its branch; the commit must have been
   * added), bumping its `updated_at`.
   */
  pushToPull(repo: string, number: number, headSha: string): void {
    const pr = this.pulls.get(`${repo}#${number}`);
    if (!pr) throw new Error(`fake GitHub: no pull request ${repo}#${number}`);
    if (!this.commits.has(`${repo}@${headSha}`))
      throw new Error(`fake GitHub: no commit ${headSha} in ${repo}`);
    pr.headSha = headSha;
    pr.updatedAt = new Date(Math.max(Date.now(), Date.parse(pr.updatedAt) + 1000)).toISOString();
  }

  /** The pull request as the fake holds it now (head, base, `updated_at`). */
  pull(repo: string, number: number): Readonly<PullState> | undefined {
    return this.pulls.get(`${repo}#${number}`);
  }

  /**
   * A person (or, with `type: 'Bot'`, another app) comments on issue or pull request `issue`, as
   * through the web UI. Resolves the stored comment (its REST shape is what a webhook carries).
   */
  addComment(repo: string, issue: number, login: string, body: string, type = 'User'): FakeComment {
    const now = new Date().toISOString();
    const id = this.nextCommentId++;
    const c: FakeComment = {
      id,
      repo,
      issue,
      body,
      user: { login, type },
      created_at: now,
      updated_at: now,
      html_url: `https://github.com/${repo}/pull/${issue}#issuecomment-${id}`,
    };
    this.comments.push(c);
    return c;
  }

  /** The comments on `issue`, oldest first. */
  commentsOn(repo: string, issue: number): FakeComment[] {
    return this.comments.filter((c) => c.repo === repo && c.issue === issue);
  }

  /** Gives `login` a role on `repo` (a collaborator, listed by the collaborators API). */
  setRole(repo: string, login: string, role: FakeRole): void {
    let m = this.roles.get(repo);
    if (!m) this.roles.set(repo, (m = new Map()));
    m.set(login.toLowerCase(), { login, role });
  }

  /** Makes `login` a member of `team` (`org/slug`). */
  addTeamMember(team: string, login: string, state: 'active' | 'pending' = 'active'): void {
    let m = this.teams.get(team.toLowerCase());
    if (!m) this.teams.set(team.toLowerCase(), (m = new Map()));
    m.set(login.toLowerCase(), { login, state });
  }

  /** Every write to runs named `name` on `repo`, in arrival order. */
  writesOf(repo: string, name: string): FakeCheckRunWrite[] {
    return this.checkRunWrites.filter((w) => w.repo === repo && w.name === name);
  }

  /** The login installation tokens act as (`<slug>[bot]`). */
  get botLogin(): string {
    return `${this.opts.appSlug ?? 'autopack'}[bot]`;
  }

  /** Starts listening on 127.0.0.1 (an ephemeral port); resolves the port. */
  async listen(): Promise<number> {
    this.server = createServer((req, res) => {
      void this.handle(req, res).catch((e: unknown) => {
        res
          .writeHead(500, { 'content-type': 'application/json' })
          .end(JSON.stringify({ message: String(e) }));
      });
    });
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const addr = this.server.address();
    return typeof addr === 'object' && addr ? addr.port : 0;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Resolves when `predicate` holds (checked after every request), or rejects after `timeoutMs`. */
  waitFor(predicate: () => boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`fake GitHub: timed out waiting for ${what}`));
      }, timeoutMs);
      const check = () => {
        if (predicate()) {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== check);
          resolve();
        }
      };
      this.waiters.push(check);
    });
  }

  /** The latest run of each name on a head of `repo` (`owner/name`), as GitHub's `filter=latest` shows them. */
  latestRuns(repo: string, headSha: string): FakeCheckRun[] {
    const byName = new Map<string, FakeCheckRun>();
    for (const r of this.checkRuns)
      if (r.repo === repo && r.head_sha === headSha) byName.set(r.name, r);
    return [...byName.values()];
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = decodeURIComponent(url.pathname.replace(/^\/api\/v3/, ''));
    const query = Object.fromEntries(url.searchParams.entries());
    const method = req.method ?? 'GET';
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const body = raw ? (JSON.parse(raw) as unknown) : undefined;
    const rec: RecordedRequest = { method, path, query, body, status: 0, at };
    const inm = req.headers['if-none-match'];
    if (typeof inm === 'string') rec.ifNoneMatch = inm;
    this.requests.push(rec);
    const send = (status: number, data: unknown, headers: Record<string, string> = {}) => {
      rec.status = status;
      rec.ms = Date.now() - at;
      const text = status === 304 ? '' : JSON.stringify(data);
      res
        .writeHead(status, {
          'content-type': 'application/json; charset=utf-8',
          'x-ratelimit-limit': '5000',
          'x-ratelimit-remaining': '4999',
          'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
          'x-ratelimit-resource': 'core',
          ...headers,
        })
        .end(text);
      this.notify();
    };
    const fault = this.faults.find((f) => f.times > 0 && f.method === method && f.path.test(path));
    if (fault) {
      fault.times--;
      return send(
        fault.status,
        { message: fault.message ?? 'Injected failure' },
        fault.headers ?? {},
      );
    }
    const withEtag = (data: unknown) => {
      const etag = `"${createHash('sha1').update(JSON.stringify(data)).digest('hex')}"`;
      if (rec.ifNoneMatch === etag) return send(304, undefined, { etag });
      return send(200, data, { etag });
    };

    let m: RegExpExecArray | null;
    if (
      method === 'GET' &&
      (m = /^\/_codeload\/([^/]+)\/([^/]+)\/tar\.gz\/([0-9a-f]+)$/.exec(path))
    ) {
      const archive = await this.archive(`${m[1]}/${m[2]}`, m[3]!);
      if (!archive) return send(404, { message: 'Not Found' });
      rec.status = 200;
      rec.ms = Date.now() - at;
      res
        .writeHead(200, {
          'content-type': 'application/x-gzip',
          'content-length': String(archive.length),
        })
        .end(archive);
      this.notify();
      return;
    }
    if (method === 'POST' && (m = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path))) {
      if (!/^Bearer /i.test(String(req.headers.authorization ?? '')))
        return send(401, { message: 'JWT required' });
      return send(201, {
        token: `ghs_fake${m[1]}`,
        expires_at: new Date(Date.now() + 3600_000).toISOString(),
        permissions: {},
      });
    }
    if (method === 'GET' && path === '/app') {
      if (!/^Bearer /i.test(String(req.headers.authorization ?? '')))
        return send(401, { message: 'JWT required' });
      return withEtag({
        id: this.opts.appId,
        slug: this.opts.appSlug ?? 'autopack',
        name: 'Autopack',
      });
    }
    const page = <T>(items: readonly T[]) => {
      const per = Math.min(100, Number(query.per_page ?? 30));
      const n = Number(query.page ?? 1);
      const last = Math.max(1, Math.ceil(items.length / per));
      const next = new URLSearchParams({ ...query, per_page: String(per), page: String(n + 1) });
      const link: Record<string, string> =
        n < last ? { link: `<http://127.0.0.1/api/v3${path}?${next.toString()}>; rel="next"` } : {};
      return send(200, items.slice((n - 1) * per, n * per), link);
    };
    if (
      method === 'GET' &&
      (m = /^\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/.exec(path))
    ) {
      const member = this.teams.get(`${m[1]}/${m[2]}`.toLowerCase())?.get(m[3]!.toLowerCase());
      if (!member) return send(404, { message: 'Not Found' });
      return send(200, { state: member.state, role: 'member' });
    }
    if (method === 'GET' && (m = /^\/orgs\/([^/]+)\/teams\/([^/]+)\/members$/.exec(path))) {
      const team = this.teams.get(`${m[1]}/${m[2]}`.toLowerCase());
      if (!team) return send(404, { message: 'Not Found' });
      return page(
        [...team.values()]
          .filter((t) => t.state === 'active')
          .map((t) => ({ login: t.login, type: 'User' })),
      );
    }
    if (!(m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)$/.exec(path)))
      return send(404, { message: 'Not Found' });
    const repo = `${m[1]}/${m[2]}`;
    const rest = m[3]!;

    if (method === 'GET' && (m = /^\/contents\/(.+)$/.exec(rest))) {
      const file = this.commits.get(`${repo}@${query.ref}`)?.get(m[1]!);
      if (!file) return send(404, { message: 'Not Found' });
      return send(200, {
        type: 'file',
        sha: file.sha,
        size: file.content.length,
        encoding: 'base64',
        content: file.content.toString('base64'),
      });
    }
    if (method === 'GET' && (m = /^\/git\/trees\/([0-9a-f]+)$/.exec(rest))) {
      return this.tree(repo, m[1]!, query.recursive === '1', send);
    }
    if (method === 'GET' && (m = /^\/tarball\/([0-9a-f]+)$/.exec(rest))) {
      if (!this.commits.has(`${repo}@${m[1]}`)) return send(404, { message: 'Not Found' });
      const host = req.headers.host ?? '127.0.0.1';
      return send(302, {}, { location: `http://${host}/_codeload/${repo}/tar.gz/${m[1]}` });
    }
    if (method === 'GET' && (m = /^\/git\/blobs\/([0-9a-f]{40})$/.exec(rest))) {
      const content = this.blobs.get(m[1]!);
      if (!content) return send(404, { message: 'Not Found' });
      return send(200, {
        sha: m[1],
        size: content.length,
        encoding: 'base64',
        content: content.toString('base64'),
      });
    }
    if (method === 'GET' && (m = /^\/compare\/([0-9a-f]+)\.\.\.([0-9a-f]+)$/.exec(rest))) {
      const base = this.commits.get(`${repo}@${m[1]}`);
      const head = this.commits.get(`${repo}@${m[2]}`);
      if (!base || !head) return send(404, { message: 'Not Found' });
      const files = diff(base, head);
      return send(200, {
        status: 'ahead',
        merge_base_commit: { sha: m[1] },
        total_commits: 1,
        commits: [],
        files: files.slice(0, 300),
      });
    }
    if (method === 'GET' && (m = /^\/pulls\/(\d+)\/files$/.exec(rest))) {
      const pr = this.pulls.get(`${repo}#${m[1]}`);
      if (!pr) return send(404, { message: 'Not Found' });
      const files = diff(
        this.commits.get(`${repo}@${pr.baseSha}`)!,
        this.commits.get(`${repo}@${pr.headSha}`)!,
      ).slice(0, 3000);
      const per = Number(query.per_page ?? 30);
      const page = Number(query.page ?? 1);
      const last = Math.max(1, Math.ceil(files.length / per));
      const link =
        page < last
          ? {
              link: `<http://127.0.0.1/api/v3/repos/${repo}/pulls/${m[1]}/files?per_page=${per}&page=${page + 1}>; rel="next"`,
            }
          : {};
      return send(200, files.slice((page - 1) * per, page * per), link as Record<string, string>);
    }
    if (method === 'GET' && (m = /^\/pulls\/(\d+)$/.exec(rest))) {
      const pr = this.pulls.get(`${repo}#${m[1]}`);
      if (!pr) return send(404, { message: 'Not Found' });
      const [owner, name] = repo.split('/');
      const repoView = { id: 1, name, full_name: repo, owner: { login: owner } };
      const changed = diff(
        this.commits.get(`${repo}@${pr.baseSha}`) ?? new Map(),
        this.commits.get(`${repo}@${pr.headSha}`) ?? new Map(),
      );
      return withEtag({
        number: pr.number,
        state: pr.state,
        draft: false,
        title: `Pull request #${pr.number}`,
        user: { login: pr.author ?? 'octocat', type: 'User' },
        labels: [],
        updated_at: pr.updatedAt,
        changed_files: changed.length,
        additions: changed.length,
        deletions: 0,
        head: { sha: pr.headSha, ref: pr.headRef, repo: repoView },
        base: { sha: pr.baseSha, ref: pr.baseRef, repo: repoView },
      });
    }
    if (method === 'GET' && /^\/pulls\/\d+\/reviews$/.test(rest)) return page([]);
    if ((m = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      const issue = Number(m[1]);
      if (method === 'GET') return page(this.commentsOn(repo, issue).map(commentView));
      if (method === 'POST') {
        const text = (body as { body?: unknown } | undefined)?.body;
        if (typeof text !== 'string' || !text) return send(422, { message: 'body is required' });
        if (text.length > 65_536)
          return send(422, { message: 'Body is too long (maximum is 65536 characters)' });
        // Written with an installation token: the author is the App's bot user.
        return send(201, commentView(this.addComment(repo, issue, this.botLogin, text, 'Bot')));
      }
    }
    if ((m = /^\/issues\/comments\/(\d+)(\/reactions)?$/.exec(rest))) {
      const c = this.comments.find((x) => x.repo === repo && x.id === Number(m![1]));
      if (!c) return send(404, { message: 'Not Found' });
      if (method === 'PATCH' && !m[2]) {
        const text = (body as { body?: unknown } | undefined)?.body;
        if (typeof text !== 'string' || !text) return send(422, { message: 'body is required' });
        c.body = text;
        c.updated_at = new Date().toISOString();
        return send(200, commentView(c));
      }
      if (method === 'POST' && m[2]) {
        const content = String((body as { content?: unknown } | undefined)?.content ?? '');
        if (
          !['+1', '-1', 'laugh', 'confused', 'heart', 'hooray', 'rocket', 'eyes'].includes(content)
        )
          return send(422, { message: `invalid reaction ${content}` });
        const by = this.botLogin;
        const seen = this.reactions.some(
          (r) => r.repo === repo && r.commentId === c.id && r.content === content && r.by === by,
        );
        if (!seen) this.reactions.push({ repo, commentId: c.id, content, by });
        return send(seen ? 200 : 201, { content, user: { login: by, type: 'Bot' } });
      }
    }
    if (method === 'GET' && (m = /^\/collaborators\/([^/]+)\/permission$/.exec(rest))) {
      const who = this.roles.get(repo)?.get(m[1]!.toLowerCase());
      // Not a collaborator here: GitHub answers 404 for a user it does not know.
      if (!who) return send(404, { message: 'Not Found' });
      return send(200, {
        permission: legacyPermission(who.role),
        role_name: who.role,
        user: { login: who.login, type: 'User', permissions: permissionBooleans(who.role) },
      });
    }
    if (method === 'GET' && rest === '/collaborators') {
      return page(
        [...(this.roles.get(repo)?.values() ?? [])].map((c) => ({
          login: c.login,
          type: 'User',
          role_name: c.role,
          permissions: permissionBooleans(c.role),
        })),
      );
    }
    if (method === 'GET' && (m = /^\/commits\/([^/]+)\/check-runs$/.exec(rest))) {
      let runs = this.latestRuns(repo, m[1]!);
      if (query.check_name) runs = runs.filter((r) => r.name === query.check_name);
      return withEtag({ total_count: runs.length, check_runs: runs.map((r) => this.runView(r)) });
    }
    if (method === 'POST' && rest === '/check-runs') {
      const b = body as Record<string, unknown> & {
        output?: { annotations?: Array<Record<string, unknown>> };
      };
      if (!b.name || !b.head_sha) return send(422, { message: 'name and head_sha are required' });
      const annotations = b.output?.annotations ?? [];
      if (annotations.length > 50)
        return send(422, { message: 'Only 50 annotations are allowed per request' });
      const run: FakeCheckRun = {
        id: this.nextRunId++,
        repo,
        name: String(b.name),
        head_sha: String(b.head_sha),
        status: String(b.status ?? 'queued'),
        conclusion: (b.conclusion as string) ?? null,
        external_id: (b.external_id as string) ?? null,
        output: {
          title: b.output && (b.output as { title?: string }).title,
          summary: b.output && (b.output as { summary?: string }).summary,
          annotations_count: annotations.length,
        },
        annotations: [...annotations],
        actions: b.actions as unknown[] | undefined,
        writes: [b],
        createdAt: Date.now(),
      };
      if (run.status === 'completed') run.completedAt = Date.now();
      this.checkRuns.push(run);
      this.noteWrite(run, 'POST');
      return send(201, this.runView(run));
    }
    if (method === 'PATCH' && (m = /^\/check-runs\/(\d+)$/.exec(rest))) {
      const run = this.checkRuns.find((r) => r.id === Number(m![1]) && r.repo === repo);
      if (!run) return send(404, { message: 'Not Found' });
      const b = body as Record<string, unknown> & {
        output?: { title?: string; summary?: string; annotations?: Array<Record<string, unknown>> };
      };
      const annotations = b.output?.annotations ?? [];
      if (annotations.length > 50)
        return send(422, { message: 'Only 50 annotations are allowed per request' });
      if (b.status) run.status = String(b.status);
      if (b.conclusion) {
        run.conclusion = String(b.conclusion);
        run.status = 'completed';
      }
      if (b.external_id !== undefined) run.external_id = b.external_id as string;
      if (b.output) {
        if (b.output.title !== undefined) run.output.title = b.output.title;
        if (b.output.summary !== undefined) run.output.summary = b.output.summary;
        run.annotations.push(...annotations);
        run.output.annotations_count = run.annotations.length;
      }
      if (b.actions) run.actions = b.actions as unknown[];
      run.writes.push(b);
      if (run.status === 'completed') run.completedAt = Date.now();
      this.noteWrite(run, 'PATCH');
      return send(200, this.runView(run));
    }
    return send(404, { message: `Not Found: ${method} ${path}` });
  }

  private tree(
    repo: string,
    sha: string,
    recursive: boolean,
    send: (s: number, d: unknown) => void,
  ): void {
    // A commit SHA names its whole tree; a "tree SHA" here is `<commit>:<dir>` hashed (see subtreeSha).
    const files = this.commits.get(`${repo}@${sha}`);
    const sub = this.subtrees.get(sha);
    const source = files
      ? { files, prefix: '' }
      : sub
        ? { files: this.commits.get(sub.commit)!, prefix: sub.prefix }
        : undefined;
    if (!source) return send(404, { message: 'Not Found' });
    const entries: Array<Record<string, unknown>> = [];
    const dirs = new Set<string>();
    for (const [path, f] of source.files) {
      if (!path.startsWith(source.prefix)) continue;
      const rel = path.slice(source.prefix.length);
      const slash = rel.indexOf('/');
      if (!recursive && slash >= 0) {
        dirs.add(rel.slice(0, slash));
        continue;
      }
      if (recursive) {
        let i = rel.indexOf('/');
        while (i >= 0) {
          dirs.add(rel.slice(0, i));
          i = rel.indexOf('/', i + 1);
        }
      }
      entries.push({ path: rel, mode: f.mode, type: 'blob', sha: f.sha, size: f.content.length });
    }
    const commitKey = files ? `${repo}@${sha}` : sub!.commit;
    for (const d of dirs) {
      entries.push({
        path: d,
        mode: '040000',
        type: 'tree',
        sha: this.subtreeSha(commitKey, source.prefix + d + '/'),
      });
    }
    const limit = this.opts.treeEntryLimit ?? 100_000;
    const truncated = recursive && entries.length > limit;
    send(200, { sha, truncated, tree: truncated ? entries.slice(0, limit) : entries });
  }

  private readonly archives = new Map<string, Buffer>();

  /**
   * Builds the archive of every commit now, as GitHub's codeload has them ready: the benchmark
   * calls this before its burst so that building archives in this process (on the App's CPUs)
   * is not counted as the App's latency.
   */
  async prepareArchives(): Promise<number> {
    let n = 0;
    for (const key of this.commits.keys()) {
      const at = key.lastIndexOf('@');
      if (await this.archive(key.slice(0, at), key.slice(at + 1))) n++;
    }
    return n;
  }

  /** The gzip'd tar GitHub's codeload serves for a commit (files under `<owner>-<repo>-<sha7>/`). */
  private async archive(repo: string, sha: string): Promise<Buffer | undefined> {
    const key = `${repo}@${sha}`;
    const files = this.commits.get(key);
    if (!files) return undefined;
    const cached = this.archives.get(key);
    if (cached) return cached;
    const top = `${repo.replace('/', '-')}-${sha.slice(0, 7)}/`;
    const p = pack();
    const chunks: Buffer[] = [];
    p.on('data', (c: unknown) => {
      chunks.push(c as Buffer);
    });
    const ended = new Promise<void>((resolve) => p.on('end', () => resolve()));
    p.entry({ name: top, type: 'directory' });
    for (const [path, f] of files) p.entry({ name: top + path, size: f.content.length }, f.content);
    p.finalize();
    await ended;
    const gz = gzipSync(Buffer.concat(chunks));
    this.archives.set(key, gz);
    return gz;
  }

  private readonly subtrees = new Map<string, { commit: string; prefix: string }>();

  private subtreeSha(commitKey: string, prefix: string): string {
    const sha = createHash('sha1').update(`${commitKey}:${prefix}`).digest('hex');
    this.subtrees.set(sha, { commit: commitKey, prefix });
    return sha;
  }

  private noteWrite(run: FakeCheckRun, method: 'POST' | 'PATCH'): void {
    this.checkRunWrites.push({
      runId: run.id,
      repo: run.repo,
      name: run.name,
      head_sha: run.head_sha,
      method,
      status: run.status,
      conclusion: run.conclusion,
      title: run.output.title,
    });
  }

  private runView(r: FakeCheckRun) {
    return {
      id: r.id,
      name: r.name,
      head_sha: r.head_sha,
      status: r.status,
      conclusion: r.conclusion,
      external_id: r.external_id,
      app: { id: this.opts.appId },
      output: {
        title: r.output.title ?? null,
        summary: r.output.summary ?? null,
        annotations_count: r.output.annotations_count,
      },
    };
  }
}

/** The REST shape of a stored comment. */
function commentView(c: FakeComment) {
  return {
    id: c.id,
    node_id: `IC_${c.id}`,
    html_url: c.html_url,
    body: c.body,
    user: c.user,
    created_at: c.created_at,
    updated_at: c.updated_at,
    author_association: 'NONE',
  };
}

function diff(
  base: Map<string, FakeFile>,
  head: Map<string, FakeFile>,
): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const [path, f] of head) {
    const b = base.get(path);
    if (!b)
      out.push({
        filename: path,
        status: 'added',
        sha: f.sha,
        additions: f.content.toString('utf8').split('\n').length,
        deletions: 0,
      });
    else if (b.sha !== f.sha)
      out.push({ filename: path, status: 'modified', sha: f.sha, additions: 1, deletions: 1 });
  }
  for (const [path, b] of base)
    if (!head.has(path))
      out.push({ filename: path, status: 'removed', sha: b.sha, additions: 0, deletions: 1 });
  return out.sort((x, y) => (String(x.filename) < String(y.filename) ? -1 : 1));
}
