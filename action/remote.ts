/**
 * What the Action reads from the GitHub API when the checkout cannot answer: a pull request's
 * facts (comment and review events), its change (a shallow checkout has no base commit), files at
 * the base commit (the policy), and the PR head's tree and content (`pull_request_target` and
 * `issue_comment` runs check out the base branch). Every call goes through the modules under
 * github/ (one file per kind of call); content is addressed by blob SHA and read at most once.
 */
import pLimit from 'p-limit';
import {
  decodeContent,
  FileIndex,
  type ChangeSet,
  type ChangedFile,
  type FileContent,
  type RepoFile,
  type RepoSnapshot,
} from '../checks/snapshot.js';
import { normalizeRepoPath } from '../checks/snapshot.js';
import type { RepoFileReader } from '../policies/load.js';
import { getBlob } from '../github/blobs.js';
import type { GitHubClient, RepoRef } from '../github/client.js';
import { compareCommits } from '../github/compare.js';
import { getFileAtRef } from '../github/contents.js';
import { getPullRequest, listPullRequestFiles, PULL_FILES_LIMIT } from '../github/pulls.js';
import { getFullTree, type TreeEntry } from '../github/trees.js';
import { ActionError } from './deps.js';

/** A pull request as the Action evaluates it. */
export interface PullRequestInfo {
  number: number;
  baseRef: string;
  baseSha: string;
  headSha: string;
  author?: string;
  labels?: string[];
  /** The web address (`html_url`). */
  url?: string;
  /** `changed_files` when known. */
  changedFiles?: number;
}

const DEFAULT_MAX_READ = 4 * 1024 * 1024;

/** `GET /repos/{o}/{r}/pulls/{n}` (github/pulls.ts), for comment and review events. */
export async function fetchPullRequest(
  client: GitHubClient,
  repo: RepoRef,
  number: number,
): Promise<PullRequestInfo> {
  const pr = await getPullRequest(client, repo, number);
  return {
    number: pr.number,
    baseRef: pr.baseRef,
    baseSha: pr.baseSha,
    headSha: pr.headSha,
    changedFiles: pr.changedFiles,
  };
}

/** Reads repository files as they are at `sha` (contents API; blobs over 1 MB by SHA). */
export function remoteReader(client: GitHubClient, repo: RepoRef, sha: string): RepoFileReader {
  return async (p) => {
    const rel = normalizeRepoPath(p);
    if (rel === undefined || rel === '') return undefined;
    const f = await getFileAtRef(client, repo, rel, sha);
    if (!f || f.type !== 'file') return undefined;
    const bytes = f.content ?? (await getBlob(client, repo, f.sha));
    return bytes.toString('utf8');
  };
}

/**
 * The pull request's change from the API: its files (`pulls/{n}/files`, every page) measured from
 * the merge base (`compare/{base}...{head}`, one request), with base content read lazily at the
 * merge base. Rejects with ActionError when the PR changes more files than the files API lists
 * (3,000): the Action then needs the history in the checkout (`fetch-depth: 0`).
 */
export async function remoteChangeSet(
  client: GitHubClient,
  repo: RepoRef,
  pr: PullRequestInfo,
  maxReadBytes = DEFAULT_MAX_READ,
): Promise<ChangeSet> {
  const [list, comparison] = await Promise.all([
    listPullRequestFiles(client, repo, pr.number),
    compareCommits(client, repo, pr.baseSha, pr.headSha),
  ]);
  if (!list.complete) {
    throw new ActionError(
      `pull request #${pr.number} changes ${PULL_FILES_LIMIT.toLocaleString('en-US')} files or more, more than the GitHub API lists; check out with \`fetch-depth: 0\` so the change is read from git`,
    );
  }
  const files: ChangedFile[] = list.files.map((f) => ({
    path: f.filename,
    status: f.status,
    ...(f.previous_filename ? { previousPath: f.previous_filename } : {}),
    ...(f.status !== 'removed' && f.sha ? { blobSha: f.sha } : {}),
    ...(typeof f.additions === 'number' ? { additions: f.additions } : {}),
    ...(typeof f.deletions === 'number' ? { deletions: f.deletions } : {}),
  }));
  const baseSha = comparison.mergeBaseSha;
  const blobs = new BlobReader(client, repo, maxReadBytes);
  let baseTree: Promise<{ list: RepoFile[]; byPath: Map<string, RepoFile> }> | undefined;
  const loadBase = () =>
    (baseTree ??= treeFiles(client, repo, baseSha).then((list) => ({
      list,
      byPath: new Map(list.map((f) => [f.path, f])),
    })));
  return {
    baseRef: pr.baseRef,
    baseSha,
    headSha: pr.headSha,
    files,
    baseFiles: async () => (await loadBase()).list,
    async readBase(p) {
      const entry = (await loadBase()).byPath.get(p);
      return entry ? blobs.read(entry) : { kind: 'missing' };
    },
  };
}

/**
 * A snapshot of the pull request head read through the API: the full tree at the head commit
 * (subtrees walked when the recursive answer is truncated), content fetched lazily by blob SHA,
 * and the API change set.
 */
export async function remoteSnapshot(
  client: GitHubClient,
  repo: RepoRef,
  pr: PullRequestInfo,
  maxReadBytes = DEFAULT_MAX_READ,
): Promise<RepoSnapshot> {
  const [files, change] = await Promise.all([
    treeFiles(client, repo, pr.headSha),
    remoteChangeSet(client, repo, pr, maxReadBytes),
  ]);
  const index = new FileIndex(files);
  const byPath = new Map(files.map((f) => [f.path, f]));
  const blobs = new BlobReader(client, repo, maxReadBytes);
  return {
    source: `github:${repo.owner}/${repo.repo}@${pr.headSha}`,
    headSha: pr.headSha,
    files,
    problems: [],
    change,
    maxReadBytes,
    hasFile: (p) => index.hasFile(p),
    hasDir: (d) => index.hasDir(d),
    read: async (p) => {
      const entry = byPath.get(p);
      return entry ? blobs.read(entry) : { kind: 'missing' };
    },
  };
}

async function treeFiles(client: GitHubClient, repo: RepoRef, sha: string): Promise<RepoFile[]> {
  const { entries } = await getFullTree(client, repo, sha);
  return entries.map(toRepoFile).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function toRepoFile(e: TreeEntry): RepoFile {
  const kind = e.type === 'commit' ? 'submodule' : e.mode === '120000' ? 'symlink' : 'file';
  return { path: e.path, size: e.size ?? 0, kind, blobSha: e.sha, mode: e.mode };
}

/** Reads blobs by SHA, each at most once, eight at a time, never beyond the read limit. */
class BlobReader {
  private readonly cache = new Map<string, Promise<FileContent>>();
  private readonly limit = pLimit(8);

  constructor(
    private readonly client: GitHubClient,
    private readonly repo: RepoRef,
    private readonly maxReadBytes: number,
  ) {}

  read(f: RepoFile): Promise<FileContent> {
    if (f.kind === 'submodule')
      return Promise.resolve({ kind: 'unreadable', error: 'a submodule' });
    if (!f.blobSha) return Promise.resolve({ kind: 'unreadable', error: 'no blob SHA' });
    if (f.kind === 'file' && f.size > this.maxReadBytes) {
      return Promise.resolve({ kind: 'too-large', size: f.size, limit: this.maxReadBytes });
    }
    const sha = f.blobSha;
    let p = this.cache.get(`${f.kind}:${sha}`);
    if (!p) {
      p = this.limit(async (): Promise<FileContent> => {
        try {
          const bytes = await getBlob(this.client, this.repo, sha);
          if (f.kind === 'symlink') return { kind: 'symlink', target: bytes.toString('utf8') };
          return decodeContent(bytes);
        } catch (e) {
          return { kind: 'unreadable', error: (e as Error).message };
        }
      });
      this.cache.set(`${f.kind}:${sha}`, p);
    }
    return p;
  }
}
