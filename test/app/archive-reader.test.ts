/**
 * Archive reading off the main thread (app/archive-reader.ts, app/archive-worker.ts), and cold
 * heads sharing archives in flight (app/snapshot.ts ArchivePrefetch). The worker is bundled from
 * source with esbuild, as the server's bundle and lib/ carry it, and fed an archive of this
 * repository's own documentation and policies (real text, real paths).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  SEED_BATCH,
  WorkerArchiveReader,
  createArchiveReader,
  mainThreadArchiveReader,
  readArchiveSeeds,
  type ArchiveReader,
} from '../../app/archive-reader.js';
import { createCaches } from '../../app/caches.js';
import { ArchivePrefetch, DEFAULT_ARCHIVE_POLICY } from '../../app/snapshot.js';
import type { RepoFile } from '../../checks/snapshot.js';
import { gitBlobSha } from '../../github/tarball.js';
import { API, TestOctokit, tarGz } from './helpers.js';
import { bundleArchiveWorker } from './server-process.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = path.join(ROOT, 'node_modules', '.cache', 'autopack-archive-worker-test');

/** This repository's docs/ and policies/ files, by repository path. */
function realFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const dir of ['docs', 'docs/checks', 'policies']) {
    for (const name of readdirSync(path.join(ROOT, dir))) {
      const p = `${dir}/${name}`;
      if (/\.(md|yml)$/.test(name)) files[p] = readFileSync(path.join(ROOT, p), 'utf8');
    }
  }
  return files;
}

/** The tree entries of `files` (regular files, real blob SHAs). */
const treeOf = (files: Record<string, string>): RepoFile[] =>
  Object.entries(files).map(([p, text]) => ({
    path: p,
    size: Buffer.byteLength(text),
    kind: 'file',
    blobSha: gitBlobSha(Buffer.from(text)),
  }));

const wantOf = (files: Record<string, string>) =>
  new Map(Object.entries(files).map(([p, text]) => [p, gitBlobSha(Buffer.from(text))]));

let workerUrl: URL;
beforeAll(async () => {
  workerUrl = await bundleArchiveWorker(OUT);
});

describe('WorkerArchiveReader', () => {
  const readers: WorkerArchiveReader[] = [];
  afterAll(async () => {
    for (const r of readers) await r.close();
  });
  const reader = () => {
    const r = new WorkerArchiveReader(workerUrl);
    readers.push(r);
    return r;
  };

  it('seeds exactly what the main-thread reader seeds, and refuses a file rewritten in the archive', async () => {
    const files = realFiles();
    expect(Object.keys(files).length).toBeGreaterThan(10);
    const want = wantOf(files);
    // As `export-subst` would: the archive's content no longer hashes to the tree's blob SHA.
    const archived = { ...files, 'docs/quickstart.md': 'rewritten\n' };
    const bytes = await tarGz('autopack-autopack-1b0ed3f', archived);
    const onMain = await mainThreadArchiveReader.read(bytes, 1024 * 1024, want);
    const onWorker = await reader().read(bytes, 1024 * 1024, want);
    expect(onWorker).toEqual(onMain);
    expect(onWorker.files).toBe(Object.keys(files).length);
    const seeded = new Map(onWorker.seeds);
    expect(seeded.size).toBe(Object.keys(files).length - 1);
    expect(seeded.has(want.get('docs/quickstart.md')!)).toBe(false);
    expect(seeded.get(want.get('docs/architecture.md')!)).toEqual({
      kind: 'text',
      text: files['docs/architecture.md'],
      size: Buffer.byteLength(files['docs/architecture.md']!),
    });
  });

  it('hands seeds over in batches as it reads, then the rest: together, the same seeds', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 1000; i++) files[`src/f${i}.ts`] = `export const v${i} = ${i};\n`;
    const want = wantOf(files);
    const bytes = await tarGz('o-r-abc1234', files);
    const all = await mainThreadArchiveReader.read(bytes, 1024, want);
    for (const r of [mainThreadArchiveReader, reader()]) {
      const batches: number[] = [];
      const got: typeof all.seeds = [];
      const rest = await r.read(bytes, 1024, want, (batch) => {
        batches.push(batch.length);
        got.push(...batch);
      });
      expect(batches).toEqual(Array(Math.floor(1000 / SEED_BATCH)).fill(SEED_BATCH));
      expect([...got, ...rest.seeds]).toEqual(all.seeds);
      expect(rest.files).toBe(1000);
    }
  });

  it('does not detach the caller’s buffer (it may share memory with other Buffers)', async () => {
    const bytes = await tarGz('o-r-abc1234', { 'a.txt': 'a\n' });
    const copy = Buffer.from(bytes);
    await reader().read(bytes, 1024, wantOf({ 'a.txt': 'a\n' }));
    expect(bytes.equals(copy)).toBe(true);
  });

  it('rejects a corrupt archive, and the next archive still reads', async () => {
    const r = reader();
    await expect(r.read(Buffer.from('not gzip at all'), 1024, new Map())).rejects.toThrow(
      /archive: /,
    );
    const ok = await r.read(
      await tarGz('o-r-abc1234', { 'b.txt': 'b\n' }),
      1024,
      wantOf({ 'b.txt': 'b\n' }),
    );
    expect(ok.seeds).toHaveLength(1);
  });

  it('fails the reads in flight when closed, and starts a new worker for the next one', async () => {
    const r = reader();
    const bytes = await tarGz('o-r-abc1234', realFiles());
    const failed = expect(r.read(bytes, 1024 * 1024, new Map())).rejects.toThrow(/closed/);
    await r.close();
    await failed;
    const again = await r.read(bytes, 1024 * 1024, new Map());
    expect(again.files).toBe(Object.keys(realFiles()).length);
  });
});

describe('createArchiveReader', () => {
  it('uses the worker when its module exists, the main thread otherwise', async () => {
    const w = createArchiveReader(workerUrl);
    expect(w.thread).toBe('worker');
    await w.close();
    expect(createArchiveReader(pathToFileURL(path.join(OUT, 'missing.js'))).thread).toBe('main');
  });
});

describe('ArchivePrefetch', () => {
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it('resumes a read waiting for a blob of the first batch before the archive ends', async () => {
    nock.disableNetConnect();
    const files: Record<string, string> = {};
    for (let i = 0; i < 2000; i++) files[`docs/p${String(i).padStart(4, '0')}.md`] = `# ${i}\n`;
    const tree = treeOf(files);
    nock(API)
      .get('/repos/o/r/tarball/aaa')
      .reply(200, await tarGz('o-r-aaa', files), { 'content-type': 'application/x-gzip' });
    const caches = createCaches();
    // A reader that hands over its first batch, then holds the rest until released.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const slow: ArchiveReader = {
      thread: 'main',
      close: async () => undefined,
      read: async (bytes, max, want, onSeeds) => {
        const all = await readArchiveSeeds(bytes, max, want);
        onSeeds?.(all.seeds.slice(0, SEED_BATCH));
        await held;
        return { files: all.files, seeds: all.seeds.slice(SEED_BATCH) };
      },
    };
    const prefetch = new ArchivePrefetch(
      new TestOctokit({ auth: 'token' }) as never,
      { owner: 'o', repo: 'r' },
      'aaa',
      tree,
      caches,
      1024,
      DEFAULT_ARCHIVE_POLICY,
      slow,
    );
    prefetch.warm();
    await prefetch.beforeMiss(tree[0]!.blobSha);
    expect(caches.blobs.has(tree[0]!.blobSha!)).toBe(true);
    expect(caches.blobs.has(tree[1999]!.blobSha!)).toBe(false);
    const last = prefetch.beforeMiss(tree[1999]!.blobSha);
    release();
    await last;
    expect(caches.blobs.has(tree[1999]!.blobSha!)).toBe(true);
    expect(prefetch.stats).toMatchObject({ used: true, seeded: 2000 });
  });

  it('makes a cold head of a fork wait for the archive already bringing its blobs: one download for both', async () => {
    nock.disableNetConnect();
    const files: Record<string, string> = {};
    for (let i = 0; i < 300; i++) files[`docs/page-${i}.md`] = `# Page ${i}\n`;
    const tree = treeOf(files);
    const scope = nock(API)
      .get('/repos/upstream/docs/tarball/aaa')
      .delay(50)
      .reply(200, await tarGz('upstream-docs-aaa', files), {
        'content-type': 'application/x-gzip',
      });
    const caches = createCaches();
    const client = () => new TestOctokit({ auth: 'token' }) as never;
    const upstream = new ArchivePrefetch(
      client(),
      { owner: 'upstream', repo: 'docs' },
      'aaa',
      tree,
      caches,
      1024 * 1024,
    );
    const fork = new ArchivePrefetch(
      client(),
      { owner: 'someone', repo: 'docs' },
      'bbb',
      tree,
      caches,
      1024 * 1024,
      DEFAULT_ARCHIVE_POLICY,
    );
    upstream.warm();
    fork.warm();
    await fork.beforeMiss();
    expect(scope.isDone()).toBe(true);
    expect(upstream.stats).toMatchObject({ used: true, seeded: 300 });
    expect(fork.stats.used).toBe(false);
    expect(tree.every((f) => caches.blobs.has(f.blobSha!))).toBe(true);
    expect(caches.archives.size).toBe(0);
  });
});
