/**
 * Turning a head's archive (a gzip'd tar, see github/tarball.ts) into blob-cache entries, on the
 * main thread or on a worker thread.
 *
 * Why a worker: reading a cold head's archive is the App's largest piece of CPU work (for 5,000
 * files: inflate, ~5,000 tar entries, a SHA-1 and a UTF-8 decode per file, 150-300 ms of mostly
 * cold code). On the main thread it stalls every other evaluation and every webhook for that
 * long, which is what set the burst benchmark's p99 (bench/app-burst.mjs). On a worker it runs on
 * the other core; the main thread only copies the bytes over and stores the decoded results.
 * The worker also isolates a hostile archive: it can exhaust only the worker, and its failure
 * ends as a failed archive read, after which the blobs are read one by one (app/snapshot.ts).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { decodeContent, type FileContent } from '../checks/snapshot.js';
import { gitBlobSha, readArchive } from '../github/tarball.js';

/** What an archive gave: its file count, and the files wanted as `[blob SHA, content]`. */
export interface ArchiveSeeds {
  /** Regular files handed over by the archive (within the size limit). */
  files: number;
  /** Each wanted file whose content hashes to its expected blob SHA, decoded. */
  seeds: Array<[blobSha: string, content: FileContent]>;
}

/** Reads archives into {@link ArchiveSeeds}. */
export interface ArchiveReader {
  /** Where it runs (for logs). */
  readonly thread: 'main' | 'worker';
  /**
   * Reads `bytes` (a gzip'd tar as GitHub serves it): a regular file at most `maxFileBytes` long
   * whose repository path is a key of `want` and whose content hashes to the blob SHA there
   * (an `export-subst` or otherwise rewritten file does not) becomes a seed. Rejects for a
   * corrupt archive or a failed worker; the caller then reads blobs one by one. With `onSeeds`,
   * seeds are handed over in batches of {@link SEED_BATCH} as the archive is read, and the
   * result holds only those not handed over yet.
   */
  read(
    bytes: Buffer,
    maxFileBytes: number,
    want: ReadonlyMap<string, string>,
    onSeeds?: (batch: ArchiveSeeds['seeds']) => void,
  ): Promise<ArchiveSeeds>;
  /** Releases the reader's resources (the worker thread); later reads still work. */
  close(): Promise<void>;
}

/** Seeds per batch handed to `onSeeds` (~20 batches for a 5,000-file archive). */
export const SEED_BATCH = 256;

/** {@link ArchiveReader.read} on the calling thread. */
export async function readArchiveSeeds(
  bytes: Buffer,
  maxFileBytes: number,
  want: ReadonlyMap<string, string>,
  onSeeds?: (batch: ArchiveSeeds['seeds']) => void,
): Promise<ArchiveSeeds> {
  let seeds: ArchiveSeeds['seeds'] = [];
  const files = await readArchive(bytes, maxFileBytes, ({ path, content }) => {
    const sha = want.get(path);
    if (sha === undefined || gitBlobSha(content) !== sha) return;
    seeds.push([sha, decodeContent(content)]);
    if (onSeeds && seeds.length >= SEED_BATCH) {
      onSeeds(seeds);
      seeds = [];
    }
  });
  return { files, seeds };
}

/** The reader that runs on the main thread (the CLI, the Action, and the App's fallback). */
export const mainThreadArchiveReader: ArchiveReader = {
  thread: 'main',
  read: readArchiveSeeds,
  close: async () => undefined,
};

/** A request to the worker (app/archive-worker.ts). */
export interface ArchiveJob {
  id: number;
  /** The archive's bytes (transferred, not copied). */
  bytes: ArrayBuffer;
  maxFileBytes: number;
  want: Array<[path: string, blobSha: string]>;
  /** Post seeds in batches as they are read (see {@link ArchiveReader.read}). */
  batches: boolean;
}

/** The worker's answer to an {@link ArchiveJob}. */
export type ArchiveAnswer =
  | { id: number; batch: ArchiveSeeds['seeds'] }
  | { id: number; ok: ArchiveSeeds }
  | { id: number; error: string };

/** Where the worker's module sits next to this one (lib/app/ once built; beside a bundle). */
export const DEFAULT_ARCHIVE_WORKER_URL = new URL('./archive-worker.js', import.meta.url);

interface Pending {
  resolve(s: ArchiveSeeds): void;
  reject(e: Error): void;
  onSeeds?: (batch: ArchiveSeeds['seeds']) => void;
}

/**
 * An {@link ArchiveReader} backed by one worker thread, started on first use and restarted after
 * a crash. Jobs run in the worker in arrival order. The worker does not keep the process alive.
 */
export class WorkerArchiveReader implements ArchiveReader {
  readonly thread = 'worker' as const;
  private worker?: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  /**
   * @param url the worker module (default {@link DEFAULT_ARCHIVE_WORKER_URL}); see
   *   {@link createArchiveReader} for choosing a reader when it may be missing.
   */
  constructor(private readonly url: URL = DEFAULT_ARCHIVE_WORKER_URL) {}

  read(
    bytes: Buffer,
    maxFileBytes: number,
    want: ReadonlyMap<string, string>,
    onSeeds?: (batch: ArchiveSeeds['seeds']) => void,
  ): Promise<ArchiveSeeds> {
    const worker = this.start();
    const id = this.nextId++;
    // A copy of exactly these bytes: a Buffer may be a view into a larger (pooled) ArrayBuffer,
    // which must not be transferred away from its other users.
    const own = new ArrayBuffer(bytes.length);
    new Uint8Array(own).set(bytes);
    const job: ArchiveJob = { id, bytes: own, maxFileBytes, want: [...want], batches: !!onSeeds };
    return new Promise<ArchiveSeeds>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onSeeds });
      if (this.pending.size === 1) worker.ref();
      try {
        worker.postMessage(job, [own]);
      } catch (e) {
        this.settle(id);
        reject(e as Error);
      }
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    this.failAll(new Error('the archive reader was closed'));
    if (w) await w.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.url);
    w.unref();
    w.on('message', (m: ArchiveAnswer) => {
      if ('batch' in m) {
        this.pending.get(m.id)?.onSeeds?.(m.batch);
        return;
      }
      const p = this.settle(m.id);
      if (!p) return;
      if ('ok' in m) p.resolve(m.ok);
      else p.reject(new Error(`archive: ${m.error}`));
    });
    const lost = (why: string) => {
      if (this.worker === w) this.worker = undefined;
      this.failAll(new Error(`archive worker: ${why}`));
    };
    w.on('error', (e) => lost(e.message));
    w.on('exit', (code) => lost(`exited (${code})`));
    this.worker = w;
    return w;
  }

  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker?.unref();
    return p;
  }

  private failAll(e: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(e);
  }
}

/**
 * The App's reader: a {@link WorkerArchiveReader} when the worker module exists at `url` (it does
 * once built, `lib/app/archive-worker.js`; source runs under a test runner have only the `.ts`),
 * otherwise {@link mainThreadArchiveReader}.
 */
export function createArchiveReader(url: URL = DEFAULT_ARCHIVE_WORKER_URL): ArchiveReader {
  return url.protocol === 'file:' && existsSync(fileURLToPath(url))
    ? new WorkerArchiveReader(url)
    : mainThreadArchiveReader;
}
