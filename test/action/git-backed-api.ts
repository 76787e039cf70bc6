/**
 * Routes for the fake GitHub API that answer from a real git repository (the fixture): pull
 * request files, compare, contents, trees and blobs are computed with git from the fixture's
 * commits, so what the Action reads through the API is exactly what the repository holds.
 * Response shapes follow the GitHub REST API reference for each endpoint.
 */
import { execFileSync } from 'node:child_process';
import { paginated, type Route } from './harness.js';

/** The pull request the routes describe. */
export interface FakePull {
  number: number;
  baseRef: string;
  baseSha: string;
  headSha: string;
  author?: string;
}

function git(dir: string, args: string[]): Buffer {
  return execFileSync('git', args, {
    cwd: dir,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, LC_ALL: 'C' },
  });
}

const blobCache = new Map<string, Map<string, Buffer>>();

/** Every blob of the repository, read once with `git cat-file --batch-all-objects --batch`. */
function blobOf(dir: string, sha: string): Buffer {
  let all = blobCache.get(dir);
  if (!all) {
    all = new Map();
    const out = git(dir, ['cat-file', '--batch-all-objects', '--batch']);
    for (let i = 0; i < out.length;) {
      const nl = out.indexOf(0x0a, i);
      const [oid, type, size] = out.subarray(i, nl).toString('utf8').split(' ');
      const start = nl + 1;
      const end = start + Number(size);
      if (type === 'blob') all.set(oid!, out.subarray(start, end));
      i = end + 1;
    }
    blobCache.set(dir, all);
  }
  return all.get(sha) ?? git(dir, ['cat-file', 'blob', sha]);
}

const STATUS: Record<string, string> = {
  A: 'added',
  D: 'removed',
  M: 'modified',
  R: 'renamed',
  C: 'copied',
  T: 'changed',
};

const pullFilesCache = new Map<string, Array<Record<string, unknown>>>();

/** `GET pulls/{n}/files` items for base...head, from `git diff -M` (computed once per pair). */
export function pullFiles(dir: string, base: string, head: string): Array<Record<string, unknown>> {
  const key = `${dir} ${base} ${head}`;
  const cached = pullFilesCache.get(key);
  if (cached) return cached;
  const blobs = new Map<string, string>();
  for (const rec of git(dir, ['ls-tree', '-r', '-z', head])
    .toString('utf8')
    .split('\0')
    .filter(Boolean)) {
    const tab = rec.indexOf('\t');
    blobs.set(rec.slice(tab + 1), rec.slice(0, tab).split(/\s+/)[2]!);
  }
  const mergeBase = git(dir, ['merge-base', base, head]).toString().trim();
  const recs = git(dir, ['diff', '--name-status', '-z', '-M', mergeBase, head])
    .toString('utf8')
    .split('\0');
  const out: Array<Record<string, unknown>> = [];
  for (let i = 0; i < recs.length - 1;) {
    const code = recs[i++]!;
    const letter = code[0]!;
    const prev = letter === 'R' || letter === 'C' ? recs[i++] : undefined;
    const file = recs[i++]!;
    const status = STATUS[letter] ?? 'modified';
    const sha = status === 'removed' ? null : (blobs.get(file) ?? null);
    out.push({
      sha,
      filename: file,
      status,
      additions: 1,
      deletions: 0,
      changes: 1,
      ...(prev ? { previous_filename: prev } : {}),
    });
  }
  pullFilesCache.set(key, out);
  return out;
}

/** Routes for `owner/repo` answered from the repository at `dir`. */
export function gitBackedRoutes(
  dir: string,
  owner: string,
  repo: string,
  pull?: FakePull,
): Route[] {
  const base = `/repos/${owner}/${repo}`;
  const routes: Route[] = [
    {
      method: 'GET',
      path: new RegExp(`^${base}/compare/([0-9a-f]{40})\\.\\.\\.([0-9a-f]{40})$`),
      reply: (req) => {
        const [, a, b] = /compare\/([0-9a-f]{40})\.\.\.([0-9a-f]{40})$/.exec(req.path)!;
        const mergeBase = git(dir, ['merge-base', a!, b!]).toString().trim();
        // GitHub lists at most 300 files in a comparison.
        const files = pullFiles(dir, a!, b!).slice(0, 300);
        return {
          body: { status: 'ahead', merge_base_commit: { sha: mergeBase }, files, commits: [] },
        };
      },
    },
    {
      method: 'GET',
      path: new RegExp(`^${base}/contents/(.+)$`),
      reply: (req) => {
        const file = req.path.slice(`${base}/contents/`.length);
        const ref = req.query.get('ref') ?? 'HEAD';
        let entry: string;
        try {
          entry = git(dir, ['ls-tree', ref, '--', file]).toString().trim();
        } catch {
          return { status: 404, body: { message: 'No commit found for the ref' } };
        }
        if (!entry) return { status: 404, body: { message: 'Not Found' } };
        const [mode, , sha] = entry.split(/\s+/);
        const bytes = blobOf(dir, sha!);
        return {
          body: {
            type: mode === '120000' ? 'symlink' : 'file',
            encoding: 'base64',
            size: bytes.length,
            name: file.split('/').pop(),
            path: file,
            sha,
            content: bytes.toString('base64'),
          },
        };
      },
    },
    {
      method: 'GET',
      path: new RegExp(`^${base}/git/trees/([0-9a-f]{40})$`),
      reply: (req) => {
        const sha = req.path.split('/').pop()!;
        const recs = git(dir, ['ls-tree', '-r', '-z', '-l', sha])
          .toString('utf8')
          .split('\0')
          .filter(Boolean);
        const tree = recs.map((rec) => {
          const tab = rec.indexOf('\t');
          const [mode, type, blob, size] = rec.slice(0, tab).split(/\s+/);
          return {
            path: rec.slice(tab + 1),
            mode,
            type,
            sha: blob,
            ...(type === 'blob' ? { size: Number(size) } : {}),
          };
        });
        return { body: { sha, tree, truncated: false } };
      },
    },
    {
      method: 'GET',
      path: new RegExp(`^${base}/git/blobs/([0-9a-f]{40})$`),
      reply: (req) => {
        const sha = req.path.split('/').pop()!;
        const bytes = blobOf(dir, sha);
        return {
          body: { sha, size: bytes.length, encoding: 'base64', content: bytes.toString('base64') },
        };
      },
    },
  ];
  if (pull) {
    routes.push(
      {
        method: 'GET',
        path: `${base}/pulls/${pull.number}/files`,
        reply: (req, server) => paginated(pullFiles(dir, pull.baseSha, pull.headSha), req, server),
      },
      {
        method: 'GET',
        path: `${base}/pulls/${pull.number}`,
        reply: () => ({
          body: {
            number: pull.number,
            state: 'open',
            html_url: `https://github.com/${owner}/${repo}/pull/${pull.number}`,
            user: { login: pull.author ?? 'Codertocat', type: 'User' },
            labels: [],
            head: { sha: pull.headSha, ref: 'feature', repo: { full_name: `${owner}/${repo}` } },
            base: { sha: pull.baseSha, ref: pull.baseRef, repo: { full_name: `${owner}/${repo}` } },
            changed_files: pullFiles(dir, pull.baseSha, pull.headSha).length,
            draft: false,
          },
        }),
      },
    );
  }
  return routes;
}

/** Routes that accept Check Runs (create, then update) and number them from 1. */
export function checkRunRoutes(owner: string, repo: string): Route[] {
  let next = 1;
  return [
    {
      method: 'POST',
      path: `/repos/${owner}/${repo}/check-runs`,
      reply: (req) => ({ status: 201, body: { id: next++, ...(req.body as object) } }),
    },
    {
      method: 'PATCH',
      path: new RegExp(`^/repos/${owner}/${repo}/check-runs/\\d+$`),
      reply: (req) => ({
        body: { id: Number(req.path.split('/').pop()), ...(req.body as object) },
      }),
    },
  ];
}

/** A comment as GitHub stores it (the REST and webhook shape). */
export interface FakeComment {
  id: number;
  body: string;
  user: { login: string; type: string };
  created_at: string;
  updated_at: string;
  html_url: string;
}

/** The state the governance routes serve and change. */
export interface GovernanceState {
  /** Issue comments of the pull request, oldest first (replies are appended here). */
  comments: FakeComment[];
  /** Repository permission per login (`admin`, `maintain`, `write`, `triage`, `read`, `none`). */
  permissions: Record<string, string>;
  /** Reactions written, by comment id. */
  reactions: Array<{ commentId: number; content: string }>;
}

/**
 * The reads and writes of governance (github/governance/*): comments (list, create, update),
 * reactions, collaborator permission, collaborator listing. A created comment is authored by
 * `botLogin`, as GitHub attributes writes to the token's identity.
 */
export function governanceRoutes(
  owner: string,
  repo: string,
  pullNumber: number,
  state: GovernanceState,
  botLogin = 'github-actions[bot]',
): Route[] {
  const base = `/repos/${owner}/${repo}`;
  let nextId = 9000;
  const level = (p: string) => ({
    admin: p === 'admin',
    maintain: p === 'admin' || p === 'maintain',
    push: ['admin', 'maintain', 'write'].includes(p),
    triage: p !== 'read' && p !== 'none',
    pull: p !== 'none',
  });
  return [
    {
      method: 'GET',
      path: `${base}/issues/${pullNumber}/comments`,
      reply: (req, server) => paginated(state.comments, req, server),
    },
    {
      method: 'POST',
      path: `${base}/issues/${pullNumber}/comments`,
      reply: (req) => {
        const id = nextId++;
        const now = new Date().toISOString();
        const c: FakeComment = {
          id,
          body: (req.body as { body: string }).body,
          user: { login: botLogin, type: 'Bot' },
          created_at: now,
          updated_at: now,
          html_url: `https://github.com/${owner}/${repo}/pull/${pullNumber}#issuecomment-${id}`,
        };
        state.comments.push(c);
        return { status: 201, body: c };
      },
    },
    {
      method: 'PATCH',
      path: new RegExp(`^${base}/issues/comments/\\d+$`),
      reply: (req) => {
        const c = state.comments.find((x) => x.id === Number(req.path.split('/').pop()));
        if (!c) return { status: 404, body: { message: 'Not Found' } };
        c.body = (req.body as { body: string }).body;
        c.updated_at = new Date().toISOString();
        return { body: c };
      },
    },
    {
      method: 'POST',
      path: new RegExp(`^${base}/issues/comments/\\d+/reactions$`),
      reply: (req) => {
        state.reactions.push({
          commentId: Number(req.path.split('/')[6]),
          content: (req.body as { content: string }).content,
        });
        return { status: 201, body: { id: 1, content: (req.body as { content: string }).content } };
      },
    },
    {
      method: 'GET',
      path: new RegExp(`^${base}/collaborators/[^/]+/permission$`),
      reply: (req) => {
        const login = req.path.split('/')[5]!;
        const p = state.permissions[login.toLowerCase()] ?? 'none';
        if (p === 'none') return { status: 404, body: { message: `${login} is not a user` } };
        return {
          body: {
            permission: p === 'maintain' ? 'write' : p === 'triage' ? 'read' : p,
            role_name: p,
            user: { login, permissions: level(p) },
          },
        };
      },
    },
    {
      method: 'GET',
      path: `${base}/collaborators`,
      reply: (req, server) =>
        paginated(
          Object.entries(state.permissions)
            .filter(([, p]) => p !== 'none')
            .map(([login, p]) => ({ login, type: 'User', role_name: p, permissions: level(p) })),
          req,
          server,
        ),
    },
  ];
}
