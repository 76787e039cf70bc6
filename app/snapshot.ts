/**
 * A RepoSnapshot backed by the GitHub API: the same engine interface as snapshots/local.ts.
 *
 * - Files: the git tree at the head commit (`GET git/trees/{sha}?recursive=1`; a truncated answer
 *   is completed by walking the subtrees), cached per commit.
 * - Content: read lazily, by blob SHA (`GET git/blobs/{sha}`), through the process-wide blob
 *   cache: a blob is fetched once per process, whatever pull request or installation asks.
 *   A cold head (many files not cached, e.g. the first evaluation of a repository) switches to
 *   ONE archive download (`GET tarball/{sha}`, see {@link ArchivePrefetch}) after a few misses,
 *   instead of one request per file; every archived file is checked against its blob SHA.
 * - Change: for a pull request (or a push), the changed files with status and previous name,
 *   and `readBase` / `baseFiles` at the merge base (see app/changes.ts).
 *
 * Reading never throws for a per-file problem (the port's contract). A GitHub API failure met
 * while reading is answered as `unreadable` AND recorded in `apiErrors`, so that the shell fails
 * the evaluation closed instead of letting a check pass on content it never saw.
 */
import {
  FileIndex,
  normalizeRepoPath,
  type ChangeSet,
  type FileContent,
  type RepoFile,
  type RepoSnapshot,
  type SnapshotProblem,
} from '../checks/snapshot.js';
import type { GitHubClient, RepoRef } from '../github/client.js';
import { GitHubAPIError, toGitHubAPIError } from '../github/errors.js';
import { downloadArchive } from '../github/tarball.js';
import {
  mainThreadArchiveReader,
  type ArchiveReader,
  type ArchiveSeeds,
} from './archive-reader.js';
import { getFullTree } from '../github/trees.js';
import type { AppCaches, InflightArchive } from './caches.js';
import { readBlob } from './files.js';

/** The default read limit, as the CLI's (4 MiB). */
export const DEFAULT_MAX_READ_BYTES = 4 * 1024 * 1024;

/** A snapshot that also reports the GitHub API failures its lazy reads met. */
export interface GitHubSnapshot extends RepoSnapshot {
  /** API failures met by `read` / `readBase` (the evaluation fails closed when not empty). */
  readonly apiErrors: GitHubAPIError[];
  /** The head's archive prefetcher (undefined when archives are off). */
  readonly prefetch?: ArchivePrefetch;
}

/**
 * The tracked entries of commit `sha` (blobs, symlinks, submodules), sorted by path, cached per
 * repository and commit. Rejects with GitHubAPIError.
 */
export function loadTree(
  client: GitHubClient,
  repo: RepoRef,
  sha: string,
  caches: AppCaches,
): Promise<readonly RepoFile[]> {
  return caches.trees.getOrLoad(`${repo.owner}/${repo.repo}@${sha}`, async () => {
    const { entries } = await getFullTree(client, repo, sha);
    const files: RepoFile[] = entries.map((e) =>
      e.type === 'commit'
        ? { path: e.path, size: 0, kind: 'submodule', blobSha: e.sha, mode: e.mode }
        : {
            path: e.path,
            size: e.size ?? 0,
            kind: e.mode === '120000' ? 'symlink' : 'file',
            blobSha: e.sha,
            mode: e.mode,
          },
    );
    files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return files;
  });
}

/** When a cold head switches to one archive download (see {@link ArchivePrefetch}). */
export interface ArchivePolicy {
  /** Blob misses tolerated before the archive is considered (default 8). */
  afterMisses: number;
  /** The archive is used only when the files still uncached total at most this (default 64 MiB). */
  maxBytes: number;
  /**
   * With {@link ArchivePrefetch.warm}: a head with at least this many uncached readable files
   * starts its archive at once, before any read (default 256).
   */
  eagerFiles?: number;
}

/** Files {@link ArchivePrefetch.warm} looks at to estimate how cold a head is. */
const WARM_SAMPLE = 512;

/** The default {@link ArchivePolicy}. */
export const DEFAULT_ARCHIVE_POLICY: ArchivePolicy = {
  afterMisses: 8,
  maxBytes: 64 * 1024 * 1024,
  eagerFiles: 256,
};

/**
 * Per snapshot: counts blob-cache misses; past `afterMisses`, when more than that many readable
 * files of the head are still uncached (and they fit in `maxBytes` and in half the blob cache),
 * downloads the head's archive once and seeds the blob cache with every file whose content hashes
 * to its tree blob SHA. Reads waiting meanwhile are then served from the cache; anything the
 * archive did not give (export-ignore, export-subst, symlinks, a failed download) falls back to
 * `GET git/blobs/{sha}`. Cost: at most `afterMisses` blob requests plus one archive per cold head.
 */
export class ArchivePrefetch {
  private misses = 0;
  /** The archives this head's misses wait for (its own, or others bringing its blobs). */
  private archives?: readonly InflightArchive[];
  /** What happened, for logs and tests. */
  readonly stats = {
    used: false,
    seeded: 0,
    error: undefined as string | undefined,
    /** Download time (ms). */
    downloadMs: 0,
    /** Inflate, parse, hash and decode time, on the reader's thread (ms). */
    readMs: 0,
  };

  constructor(
    private readonly client: GitHubClient,
    private readonly repo: RepoRef,
    private readonly headSha: string,
    private readonly files: readonly RepoFile[],
    private readonly caches: AppCaches,
    private readonly maxReadBytes: number,
    private readonly policy: ArchivePolicy = DEFAULT_ARCHIVE_POLICY,
    /** Where the archive is inflated and parsed (the App passes its worker thread). */
    private readonly reader: ArchiveReader = mainThreadArchiveReader,
  ) {}

  /**
   * For an evaluation whose checks will read nearly every file (Check.bulkReads): starts the
   * archive now when the head has at least `policy.eagerFiles` uncached readable files (a cold
   * head), so that the download overlaps the evaluation's other API calls; otherwise does
   * nothing. Never throws; reads wait for it through {@link beforeMiss}.
   */
  warm(): void {
    const eager = this.policy.eagerFiles;
    if (this.archives || eager === undefined) return;
    // An estimate is enough (a wrong guess costs at most `afterMisses` blob reads, or one archive
    // whose files were mostly cached): look at every k-th readable file only, so that a warm
    // head of a large tree costs ~WARM_SAMPLE cache lookups instead of one per file.
    const readable = this.files.filter(
      (f) => f.kind === 'file' && f.blobSha && f.size <= this.maxReadBytes,
    );
    const step = Math.max(1, Math.floor(readable.length / WARM_SAMPLE));
    let uncached = 0;
    for (let i = 0; i < readable.length; i += step) {
      if (!this.caches.blobs.has(readable[i]!.blobSha!) && (uncached += step) >= eager) {
        this.choose();
        return;
      }
    }
  }

  /**
   * Called before blob `sha` is fetched on a cache miss. Past `afterMisses` misses, chooses the
   * archives to wait for (see the class comment); while they are read, resolves as soon as `sha`
   * is seeded, or when no archive still being read will bring it (the caller then fetches it).
   */
  async beforeMiss(sha?: string): Promise<void> {
    if (!this.archives) {
      this.misses++;
      if (this.misses <= this.policy.afterMisses) return;
      this.choose();
      if (!this.archives) return;
    }
    const archives = this.archives;
    for (;;) {
      if (sha !== undefined && this.caches.blobs.has(sha)) return;
      const bringing = archives.filter(
        (a) => !a.settled && (sha === undefined || a.blobs.has(sha)),
      );
      if (bringing.length === 0) return;
      await Promise.race(bringing.map((a) => a.progress()));
    }
  }

  /** Picks the archives to wait for, downloading this head's own when none brings its blobs. */
  private choose(): void {
    const want = new Map<string, string>();
    let bytes = 0;
    for (const f of this.files) {
      if (
        f.kind !== 'file' ||
        !f.blobSha ||
        f.size > this.maxReadBytes ||
        this.caches.blobs.has(f.blobSha)
      )
        continue;
      want.set(f.path, f.blobSha);
      bytes += f.size;
    }
    // Archives in flight carry blobs by SHA, whichever repository they come from (another head
    // of this one, a fork, a repository made from the same template): when they bring all but a
    // few of ours, wait for them instead of downloading and reading one more archive.
    const covering = new Set<InflightArchive>();
    let uncovered = 0;
    if (this.caches.archives.size > 0) {
      for (const sha of want.values()) {
        let found = false;
        for (const a of this.caches.archives) {
          if (a.blobs.has(sha)) {
            covering.add(a);
            found = true;
            break;
          }
        }
        if (!found) uncovered++;
      }
    }
    if (covering.size > 0 && uncovered <= this.policy.afterMisses) {
      this.rely([...covering]);
      return;
    }
    const budget = Math.min(this.policy.maxBytes, this.caches.blobs.maxBytes / 2);
    if (want.size <= this.policy.afterMisses || bytes > budget) {
      this.misses = Number.NEGATIVE_INFINITY; // not worth it for this head: never ask again
      return;
    }
    this.stats.used = true;
    const own = new ArchiveDownload(want, this.caches, (n) => (this.stats.seeded += n));
    const t0 = Date.now();
    void own.run(
      downloadArchive(this.client, this.repo, this.headSha).then((bytes) => {
        this.stats.downloadMs = Date.now() - t0;
        return this.reader.read(bytes, this.maxReadBytes, want, (batch) => own.seed(batch));
      }),
      (error) => {
        this.stats.readMs = Date.now() - t0 - this.stats.downloadMs;
        if (error) this.stats.error = error; // blobs are then read one by one
      },
    );
    this.rely([own]);
  }

  /** Waits on `archives` until they settle; then misses count again from zero. */
  private rely(archives: readonly InflightArchive[]): void {
    this.archives = archives;
    void Promise.all(archives.map((a) => a.loading)).then(() => {
      if (this.archives !== archives) return;
      this.archives = undefined;
      this.misses = 0;
    });
  }
}

/**
 * One archive being downloaded and read: its seeds go into the blob cache batch by batch, and
 * reads waiting for a blob resume as soon as its batch is in, so the checks scan the first files
 * while the reader (on its own thread) still inflates the last ones.
 */
class ArchiveDownload implements InflightArchive {
  readonly blobs: ReadonlySet<string>;
  readonly loading: Promise<void>;
  settled = false;
  private settle!: () => void;
  private waiters: Array<() => void> = [];

  constructor(
    want: ReadonlyMap<string, string>,
    private readonly caches: AppCaches,
    private readonly onSeeded: (n: number) => void,
  ) {
    this.blobs = new Set(want.values());
    this.loading = new Promise<void>((resolve) => (this.settle = resolve));
    caches.archives.add(this);
  }

  progress(): Promise<void> {
    if (this.settled) return Promise.resolve();
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Stores a batch of seeds in the blob cache and wakes the reads waiting for one. */
  seed(batch: ArchiveSeeds['seeds']): void {
    let n = 0;
    for (const [sha, content] of batch) {
      if (this.caches.blobs.has(sha)) continue;
      this.caches.blobs.set(sha, content);
      n++;
    }
    this.onSeeded(n);
    this.wake();
  }

  /** Seeds what `reading` resolves with, then settles (never rejects; `done` gets the error). */
  async run(reading: Promise<ArchiveSeeds>, done: (error?: string) => void): Promise<void> {
    let error: string | undefined;
    try {
      this.seed((await reading).seeds);
    } catch (e) {
      error = (e as Error).message;
    }
    this.settled = true;
    this.caches.archives.delete(this);
    done(error);
    this.settle();
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

/**
 * Reads one tree entry's content through the blob cache, honouring `maxReadBytes`. API failures
 * are pushed to `errors` and answered as `unreadable`. With `prefetch`, a miss may first wait for
 * the head's archive (see {@link ArchivePrefetch}).
 */
export async function readEntry(
  client: GitHubClient,
  repo: RepoRef,
  entry: RepoFile | undefined,
  caches: AppCaches,
  maxReadBytes: number,
  errors: GitHubAPIError[],
  prefetch?: ArchivePrefetch,
): Promise<FileContent> {
  if (!entry) return { kind: 'missing' };
  if (entry.kind === 'submodule') return { kind: 'unreadable', error: 'a submodule' };
  if (!entry.blobSha) return { kind: 'unreadable', error: 'no blob SHA in the tree' };
  if (entry.kind === 'file' && entry.size > maxReadBytes) {
    return { kind: 'too-large', size: entry.size, limit: maxReadBytes };
  }
  let c = caches.blobs.get(entry.blobSha);
  if (!c && prefetch && entry.kind === 'file') {
    await prefetch.beforeMiss(entry.blobSha);
    c = caches.blobs.get(entry.blobSha);
  }
  try {
    c ??= await readBlob(client, repo, entry.blobSha, caches);
    if (entry.kind === 'symlink') {
      return c.kind === 'text'
        ? { kind: 'symlink', target: c.text }
        : { kind: 'unreadable', error: 'symlink target is not text' };
    }
    if ((c.kind === 'text' || c.kind === 'binary') && c.size > maxReadBytes) {
      return { kind: 'too-large', size: c.size, limit: maxReadBytes };
    }
    return c;
  } catch (e) {
    const err = toGitHubAPIError(
      e,
      'GET',
      `/repos/${repo.owner}/${repo.repo}/git/blobs/${entry.blobSha}`,
    );
    errors.push(err);
    return { kind: 'unreadable', error: err.describe() };
  }
}

/** The most symlinks whose targets are checked when a snapshot is built. */
const MAX_SYMLINKS_CHECKED = 200;

/**
 * Reports symlinks that point outside the repository, as snapshots/local.ts does (`symlink-escape`).
 * Targets are blobs, read through the blob cache.
 */
async function symlinkProblems(
  opts: GitHubSnapshotOptions,
  files: readonly RepoFile[],
  caches: AppCaches,
  apiErrors: GitHubAPIError[],
): Promise<SnapshotProblem[]> {
  const links = files.filter((f) => f.kind === 'symlink');
  const problems: SnapshotProblem[] = [];
  const checked = links.slice(0, MAX_SYMLINKS_CHECKED);
  const targets = await Promise.all(
    checked.map((f) =>
      readEntry(opts.client, opts.repo, f, caches, Number.MAX_SAFE_INTEGER, apiErrors),
    ),
  );
  checked.forEach((f, i) => {
    const t = targets[i];
    if (t?.kind !== 'symlink') return;
    const dir = f.path.includes('/') ? f.path.slice(0, f.path.lastIndexOf('/')) : '';
    const joined = t.target.startsWith('/')
      ? undefined
      : normalizeRepoPath(dir ? `${dir}/${t.target}` : t.target);
    if (joined === undefined) {
      problems.push({
        path: f.path,
        rule: 'symlink-escape',
        message: `symlink points outside the repository (${t.target}); it is not followed`,
      });
    }
  });
  for (const f of links.slice(MAX_SYMLINKS_CHECKED)) {
    problems.push({
      path: f.path,
      rule: 'unreadable',
      message: `more than ${MAX_SYMLINKS_CHECKED} symlinks: this one's target was not checked`,
    });
  }
  return problems;
}

/** Options for {@link loadGitHubSnapshot}. */
export interface GitHubSnapshotOptions {
  client: GitHubClient;
  repo: RepoRef;
  headSha: string;
  caches: AppCaches;
  /** Files larger than this are not read (default 4 MiB, or the config's `limits.max-read-bytes`). */
  maxReadBytes?: number;
  /** The change under evaluation (built by app/changes.ts from the same tree). */
  change?: ChangeSet;
  /** Shared with the change set, so that its reads fail the evaluation closed too. */
  apiErrors?: GitHubAPIError[];
  /** The head tree when the caller already loaded it. */
  files?: readonly RepoFile[];
  /** When to switch a cold head to one archive download (default {@link DEFAULT_ARCHIVE_POLICY}; null: never). */
  archive?: ArchivePolicy | null;
  /** The head's prefetcher, when the caller made it (shared with the change set's reads). */
  prefetch?: ArchivePrefetch;
}

/** Builds the snapshot of `headSha`. Rejects with GitHubAPIError when the tree cannot be read. */
export async function loadGitHubSnapshot(opts: GitHubSnapshotOptions): Promise<GitHubSnapshot> {
  const { client, repo, caches } = opts;
  const maxReadBytes = opts.maxReadBytes ?? DEFAULT_MAX_READ_BYTES;
  const files = opts.files ?? (await loadTree(client, repo, opts.headSha, caches));
  const index = new FileIndex(files);
  const apiErrors = opts.apiErrors ?? [];
  const prefetch =
    opts.prefetch ??
    (opts.archive === null
      ? undefined
      : new ArchivePrefetch(
          client,
          repo,
          opts.headSha,
          files,
          caches,
          maxReadBytes,
          opts.archive ?? DEFAULT_ARCHIVE_POLICY,
        ));
  const problems = await symlinkProblems(opts, files, caches, apiErrors);
  return {
    source: `github:${repo.owner}/${repo.repo}@${opts.headSha}`,
    contentAddressed: true,
    headSha: opts.headSha,
    files,
    problems,
    change: opts.change,
    maxReadBytes,
    apiErrors,
    prefetch,
    hasFile: (p) => index.hasFile(p),
    hasDir: (d) => index.hasDir(d),
    read: (p) => readEntry(client, repo, index.get(p), caches, maxReadBytes, apiErrors, prefetch),
  };
}
