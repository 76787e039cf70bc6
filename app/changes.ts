/**
 * The ChangeSet of a pull request (or of a push), from the GitHub API, measured from the merge
 * base exactly as the pull request's "Files changed" tab is:
 *
 * 1. `GET compare/{base}...{head}` (one request): the merge base and up to 300 changed files with
 *    status, previous name and blob SHA. Most pull requests end here.
 * 2. When 300 files came back (the list may be cut), `GET pulls/{n}/files`, every page, up to
 *    GitHub's 3,000-file cap.
 * 3. Beyond that (or for a push), the two trees are diffed: merge-base tree against head tree,
 *    added / removed / modified by blob SHA, and exact renames (same blob, one path gone, one path
 *    new) paired up. Line counts are then unknown.
 *
 * `readBase(path)` reads the file at the merge base: an unchanged file is the head's blob (already
 * cached, no request); a changed one is read at the merge base through the contents API.
 */
import {
  normalizeRepoPath,
  type ChangeSet,
  type ChangeStatus,
  type ChangedFile,
  type FileContent,
  type RepoFile,
} from '../checks/snapshot.js';
import type { GitHubClient, RepoRef } from '../github/client.js';
import { compareCommits, type GitHubChangedFile } from '../github/compare.js';
import { GitHubAPIError, toGitHubAPIError } from '../github/errors.js';
import { listPullRequestFiles, PULL_FILES_LIMIT } from '../github/pulls.js';
import type { AppCaches } from './caches.js';
import { readAtCommit } from './files.js';
import { loadTree, readEntry, type ArchivePrefetch } from './snapshot.js';

/** Where the changed-file list came from. */
export type ChangeSource = 'compare' | 'pull-files' | 'tree-diff';

/** Options for {@link loadChangeSet}. */
export interface ChangeSetOptions {
  client: GitHubClient;
  repo: RepoRef;
  caches: AppCaches;
  /** The base branch name, as users name it. */
  baseRef: string;
  /** The commit the change is measured from (a PR's base tip, or a push's `before`). */
  baseSha: string;
  headSha: string;
  /** The pull request, when there is one (enables the pulls/files listing). */
  pullNumber?: number;
  /**
   * The pull request's `changed_files` from the webhook: at 3,000 or more the files listing cannot
   * be complete and is skipped for the tree diff.
   */
  changedFilesHint?: number;
  /** The head tree (blob SHAs for unchanged files and for the tree diff). */
  headFiles: readonly RepoFile[];
  maxReadBytes: number;
  /** Read failures are recorded here (the evaluation then fails closed). */
  apiErrors: GitHubAPIError[];
  /** The head's archive prefetcher, so unchanged files read "at the base" share it. */
  prefetch?: ArchivePrefetch;
}

/** The change set and how its file list was obtained. */
export interface LoadedChange {
  change: ChangeSet;
  source: ChangeSource;
}

/** Builds the change set. Rejects with GitHubAPIError when the list of changes cannot be read. */
export async function loadChangeSet(opts: ChangeSetOptions): Promise<LoadedChange> {
  const { client, repo, caches } = opts;
  const key = `${repo.owner}/${repo.repo}@${opts.baseSha}...${opts.headSha}`;
  const cmp = await caches.comparisons.getOrLoad(key, () =>
    compareCommits(client, repo, opts.baseSha, opts.headSha),
  );
  const mergeBase = cmp.mergeBaseSha;
  const headByPath = new Map(opts.headFiles.map((f) => [f.path, f]));
  let source: ChangeSource = 'compare';
  let files: ChangedFile[] | undefined;
  if (!cmp.filesMayBeTruncated) {
    files = cmp.files.map((f) => fromGitHub(f, headByPath));
  } else if (
    opts.pullNumber !== undefined &&
    !(opts.changedFilesHint !== undefined && opts.changedFilesHint >= PULL_FILES_LIMIT)
  ) {
    const listed = await listPullRequestFiles(client, repo, opts.pullNumber);
    if (listed.complete) {
      source = 'pull-files';
      files = listed.files.map((f) => fromGitHub(f, headByPath));
    }
  }
  let baseTree: Promise<readonly RepoFile[]> | undefined;
  const loadBaseTree = () => (baseTree ??= loadTree(client, repo, mergeBase, caches));
  let baseIndex: Promise<Map<string, RepoFile>> | undefined;
  const baseEntry = async (p: string) =>
    (await (baseIndex ??= loadBaseTree().then((t) => new Map(t.map((f) => [f.path, f]))))).get(p);
  if (!files) {
    source = 'tree-diff';
    files = diffTrees(await loadBaseTree(), opts.headFiles);
  }
  const changed = new Map(files.map((f) => [f.path, f]));
  const renamedFrom = new Set(
    files.filter((f) => f.status === 'renamed' && f.previousPath).map((f) => f.previousPath!),
  );

  const readBase = async (path: string): Promise<FileContent> => {
    const rel = normalizeRepoPath(path);
    if (rel === undefined) return { kind: 'missing' };
    try {
      if (source === 'tree-diff') {
        return readEntry(
          client,
          repo,
          await baseEntry(rel),
          caches,
          opts.maxReadBytes,
          opts.apiErrors,
        );
      }
      const c = changed.get(rel);
      if (
        renamedFrom.has(rel) ||
        (c && (c.status === 'modified' || c.status === 'changed' || c.status === 'removed'))
      ) {
        return await readAtCommit(client, repo, mergeBase, rel, caches, opts.maxReadBytes);
      }
      if (c) return { kind: 'missing' }; // added, copied or renamed to here: not at the base
      // Unchanged by the change: the base has the head's blob.
      return readEntry(
        client,
        repo,
        headByPath.get(rel),
        caches,
        opts.maxReadBytes,
        opts.apiErrors,
      );
    } catch (e) {
      const err = toGitHubAPIError(e, 'GET', `/repos/${repo.owner}/${repo.repo}/contents/${rel}`);
      opts.apiErrors.push(err);
      return { kind: 'unreadable', error: err.describe() };
    }
  };

  return {
    source,
    change: {
      baseRef: opts.baseRef,
      baseSha: mergeBase,
      headSha: opts.headSha,
      files,
      readBase,
      baseFiles: async () => {
        try {
          return await loadBaseTree();
        } catch (e) {
          const err = toGitHubAPIError(e);
          opts.apiErrors.push(err);
          throw err;
        }
      },
    },
  };
}

const STATUSES: readonly ChangeStatus[] = [
  'added',
  'removed',
  'modified',
  'renamed',
  'copied',
  'changed',
  'unchanged',
];

function fromGitHub(f: GitHubChangedFile, headByPath: Map<string, RepoFile>): ChangedFile {
  const status: ChangeStatus = STATUSES.includes(f.status) ? f.status : 'changed';
  const out: ChangedFile = { path: f.filename, status };
  if (f.previous_filename && (status === 'renamed' || status === 'copied'))
    out.previousPath = f.previous_filename;
  if (status !== 'removed') {
    const sha = f.sha ?? headByPath.get(f.filename)?.blobSha;
    if (sha) out.blobSha = sha;
  }
  if (typeof f.additions === 'number') out.additions = f.additions;
  if (typeof f.deletions === 'number') out.deletions = f.deletions;
  return out;
}

/**
 * Diffs two trees by path and blob SHA: added, removed, modified (content) or changed (mode
 * only); a removed path and an added path with the same blob SHA are paired as a rename (each
 * blob paired at most once). Sorted by path.
 */
export function diffTrees(base: readonly RepoFile[], head: readonly RepoFile[]): ChangedFile[] {
  const baseByPath = new Map(base.map((f) => [f.path, f]));
  const headByPath = new Map(head.map((f) => [f.path, f]));
  const out: ChangedFile[] = [];
  const added: RepoFile[] = [];
  const removed: RepoFile[] = [];
  for (const h of head) {
    const b = baseByPath.get(h.path);
    if (!b) added.push(h);
    else if (b.blobSha !== h.blobSha)
      out.push({ path: h.path, status: 'modified', blobSha: h.blobSha });
    else if (b.mode !== h.mode) out.push({ path: h.path, status: 'changed', blobSha: h.blobSha });
  }
  for (const b of base) if (!headByPath.has(b.path)) removed.push(b);
  const removedBySha = new Map<string, RepoFile[]>();
  for (const r of removed) {
    if (!r.blobSha) continue;
    const list = removedBySha.get(r.blobSha) ?? [];
    list.push(r);
    removedBySha.set(r.blobSha, list);
  }
  const paired = new Set<string>();
  for (const a of added) {
    const from = a.blobSha ? removedBySha.get(a.blobSha)?.shift() : undefined;
    if (from) {
      paired.add(from.path);
      out.push({ path: a.path, status: 'renamed', previousPath: from.path, blobSha: a.blobSha });
    } else {
      out.push({ path: a.path, status: 'added', blobSha: a.blobSha });
    }
  }
  for (const r of removed) if (!paired.has(r.path)) out.push({ path: r.path, status: 'removed' });
  return out.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}
