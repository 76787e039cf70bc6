/**
 * Process-wide caches of the App, all bounded by memory (bytes, estimated) and evicted least
 * recently used first (`lru-cache`). Everything cached here is either content-addressed (a blob
 * by its SHA, a tree by its commit SHA, a file read at a commit SHA, a comparison of two SHAs):
 * such an entry can never go stale, so it is shared across pull requests and installations; or it
 * is an ETag-validated answer, which GitHub re-validates on every use (If-None-Match → 304).
 *
 * Concurrent loads of the same key are joined: a blob wanted by ten evaluations at once is
 * requested once.
 */
import { LRUCache } from 'lru-cache';
import type { FileContent, RepoFile } from '../checks/snapshot.js';
import type { ETagEntry, ETagStore } from '../github/etag.js';
import type { Comparison } from '../github/compare.js';
import type { FileAtRef } from '../github/contents.js';
import type { ResolvedConfig } from '../policies/types.js';

/** Hit / miss / joined-load counters of one cache (for logs and the benchmark). */
export interface CacheStats {
  hits: number;
  misses: number;
  /** Loads that joined one already in flight for the same key. */
  joined: number;
}

/**
 * A byte-bounded LRU map with single-flight loading. `sizeOf` estimates an entry's retained
 * bytes; an entry larger than the whole bound is returned but not kept.
 */
export class MemoryCache<V> {
  private readonly lru: LRUCache<string, { v: V }>;
  private readonly inflight = new Map<string, Promise<V>>();
  readonly stats: CacheStats = { hits: 0, misses: 0, joined: 0 };

  constructor(
    readonly maxBytes: number,
    private readonly sizeOf: (v: V, key: string) => number,
  ) {
    this.lru = new LRUCache<string, { v: V }>({
      maxSize: Math.max(1, Math.floor(maxBytes)),
      sizeCalculation: (w, key) => Math.max(1, Math.ceil(this.sizeOf(w.v, key))),
    });
  }

  /** The cached value, marking it recently used (and counting a hit); undefined when absent. */
  get(key: string): V | undefined {
    const hit = this.lru.get(key);
    if (!hit) return undefined;
    this.stats.hits++;
    return hit.v;
  }

  has(key: string): boolean {
    return this.lru.has(key);
  }

  set(key: string, value: V): void {
    if (this.sizeOf(value, key) > this.maxBytes) return;
    this.lru.set(key, { v: value });
  }

  /**
   * The cached value, or the result of `load` (stored unless it rejects). Concurrent calls for one
   * key share one `load`. A rejection is passed to every waiter and nothing is stored.
   */
  async getOrLoad(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.lru.get(key);
    if (hit) {
      this.stats.hits++;
      return hit.v;
    }
    const pending = this.inflight.get(key);
    if (pending) {
      this.stats.joined++;
      return pending;
    }
    this.stats.misses++;
    const p = load().then(
      (v) => {
        this.inflight.delete(key);
        this.set(key, v);
        return v;
      },
      (e: unknown) => {
        this.inflight.delete(key);
        throw e;
      },
    );
    this.inflight.set(key, p);
    return p;
  }

  /** Bytes currently retained (estimated). */
  get size(): number {
    return this.lru.calculatedSize;
  }

  clear(): void {
    this.lru.clear();
  }
}

/** The caches one App process shares across every evaluation. */
export interface AppCaches {
  /** Decoded blob content by blob SHA (content-addressed). */
  blobs: MemoryCache<FileContent>;
  /** Tracked entries of a commit, by `owner/repo@commitSha`. */
  trees: MemoryCache<readonly RepoFile[]>;
  /** A file read at a commit SHA, by `owner/repo@sha:path` (`null`: not there). */
  files: MemoryCache<FileAtRef | null>;
  /** Comparisons of two commit SHAs, by `owner/repo@base...head`. */
  comparisons: MemoryCache<Comparison>;
  /**
   * Resolved and validated policies, by `owner/repo@policySha` (a commit's files never change,
   * so neither does the policy they resolve to). Only valid policies are kept.
   */
  configs: MemoryCache<ResolvedConfig>;
  /** Conditional-request answers (ETag and body), by route and parameters. */
  etags: ETagStore & { stats: CacheStats };
  /**
   * Archive downloads in flight, with the blob SHAs each will seed: a cold head whose blobs are
   * nearly all coming (another head of its repository, a fork) waits for them instead of
   * downloading its own archive (app/snapshot.ts).
   */
  archives: Set<InflightArchive>;
}

/** An archive being downloaded and read into the blob cache. */
export interface InflightArchive {
  /** The blob SHAs it was asked to seed (those its files hash to). */
  readonly blobs: ReadonlySet<string>;
  /** Settles (never rejects) once its seeds are in the blob cache, or it failed. */
  readonly loading: Promise<void>;
  /** True once `loading` has settled. */
  readonly settled: boolean;
  /** Resolves when the next batch of seeds is in the blob cache, or when it settles. */
  progress(): Promise<void>;
}

/** Byte bounds of {@link createCaches}; each defaults to the value shown. */
export interface CacheLimits {
  /** Blob content (default 128 MiB). */
  blobBytes?: number;
  /** Trees (default 64 MiB). */
  treeBytes?: number;
  /** Files at a ref, comparisons and ETag answers, each (default 16 MiB). */
  smallBytes?: number;
}

const MiB = 1024 * 1024;

function contentBytes(c: FileContent): number {
  switch (c.kind) {
    case 'text':
      return c.text.length * 2 + 64;
    case 'symlink':
      return c.target.length * 2 + 64;
    default:
      return 64;
  }
}

/** Creates a fresh set of caches (the App has one per process; tests make their own). */
export function createCaches(limits: CacheLimits = {}): AppCaches {
  const small = limits.smallBytes ?? 16 * MiB;
  const etagLru = new MemoryCache<ETagEntry>(
    small,
    (e, k) => k.length * 2 + e.etag.length * 2 + approxJsonBytes(e.data),
  );
  const etagStats: CacheStats = { hits: 0, misses: 0, joined: 0 };
  return {
    blobs: new MemoryCache<FileContent>(limits.blobBytes ?? 128 * MiB, contentBytes),
    trees: new MemoryCache<readonly RepoFile[]>(limits.treeBytes ?? 64 * MiB, (files, k) => {
      let n = k.length * 2;
      for (const f of files) n += f.path.length * 2 + 160;
      return n;
    }),
    files: new MemoryCache<FileAtRef | null>(
      small,
      (f, k) => k.length * 2 + 128 + (f?.content?.length ?? 0) + (f?.target?.length ?? 0) * 2,
    ),
    comparisons: new MemoryCache<Comparison>(small, (c, k) => {
      let n = k.length * 2 + 128;
      for (const f of c.files)
        n += (f.filename.length + (f.previous_filename?.length ?? 0)) * 2 + 160;
      return n;
    }),
    // A resolved policy holds its parsed YAML documents (positions for messages): ~64 KiB each.
    configs: new MemoryCache<ResolvedConfig>(small, () => 64 * 1024),
    archives: new Set(),
    etags: {
      stats: etagStats,
      get(key) {
        const v = etagLru.get(key);
        if (v) etagStats.hits++;
        else etagStats.misses++;
        return v;
      },
      set(key, entry) {
        etagLru.set(key, entry);
      },
    },
  };
}

function approxJsonBytes(v: unknown): number {
  try {
    return (JSON.stringify(v)?.length ?? 16) * 2;
  } catch {
    return 1024;
  }
}

/** Reads a byte bound from the environment (`AUTOPACK_BLOB_CACHE_MB` etc.), in MiB. */
export function cacheLimitsFromEnv(env: NodeJS.ProcessEnv): CacheLimits {
  const mb = (name: string): number | undefined => {
    const v = env[name];
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0)
      throw new Error(`${name} must be a positive number of MiB, got "${v}"`);
    return n * MiB;
  };
  return {
    blobBytes: mb('AUTOPACK_BLOB_CACHE_MB'),
    treeBytes: mb('AUTOPACK_TREE_CACHE_MB'),
    smallBytes: mb('AUTOPACK_SMALL_CACHE_MB'),
  };
}
