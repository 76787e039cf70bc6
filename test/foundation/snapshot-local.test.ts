/**
 * snapshots/local.ts on real `git init` fixtures and plain directories: odd file names through
 * `ls-files -z`, binary and oversized files, symlinks that leave the tree, tracked files missing
 * from disk, `.gitignore` semantics outside git, and the `--base` ChangeSet.
 */
import { cp, mkdir, mkdtemp, realpath, rm, truncate, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { directoriesOf, type RepoSnapshot } from '../../checks/snapshot.js';
import { SnapshotError, loadLocalSnapshot } from '../../snapshots/local.js';
import { dirFixture, gitFixture, runGit, type Fixture } from '../helpers/git-fixture.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});
async function track<T extends Fixture>(fx: Promise<T>): Promise<T> {
  const f = await fx;
  cleanups.push(() => f.cleanup());
  return f;
}
const paths = (s: RepoSnapshot) => s.files.map((f) => f.path);
/** This repository: a real tree listing. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('git checkout: file names', () => {
  // Names git would quote in its default output; -z must carry them byte for byte.
  const ODD = [
    'with space.md',
    'ünïcödé/文件 名.txt',
    'quote"d.txt',
    "apos'trophe.txt",
    'new\nline.txt',
    'tab\there.txt',
    'back\\slash.txt',
    '-leading-dash.md',
    'emoji 🚀.md',
    'percent%20and#hash?.md',
  ];
  let repo: Fixture;
  let snap: RepoSnapshot;
  beforeAll(async () => {
    repo = await track(gitFixture(Object.fromEntries(ODD.map((n, i) => [n, `content ${i}\n`]))));
    snap = await loadLocalSnapshot(repo.dir);
  });

  it('lists every tracked name exactly, sorted, with blob SHAs and modes', () => {
    expect(paths(snap)).toEqual([...ODD].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(snap.problems).toEqual([]);
    for (const f of snap.files) {
      expect(f.kind).toBe('file');
      expect(f.mode).toBe('100644');
      expect(f.blobSha).toMatch(/^[0-9a-f]{40}$/);
    }
    expect(snap.headSha).toBe(repo.git('rev-parse', 'HEAD').trim());
    expect(snap.source).toBe(`local:${repo.dir}`);
  });

  it('reads each odd name back as its own text', async () => {
    for (const [i, n] of ODD.entries()) {
      expect(snap.hasFile(n)).toBe(true);
      expect(await snap.read(n)).toEqual({
        kind: 'text',
        text: `content ${i}\n`,
        size: `content ${i}\n`.length,
      });
    }
    expect(snap.hasDir('ünïcödé')).toBe(true);
    expect(snap.hasDir('ünïcödé/')).toBe(true);
    expect(snap.hasDir('nope')).toBe(false);
  });

  it('answers missing for a path that is not tracked', async () => {
    expect(await snap.read('not-there.txt')).toEqual({ kind: 'missing' });
    expect(snap.hasFile('not-there.txt')).toBe(false);
  });
});

describe('git checkout: content', () => {
  let repo: Fixture;
  beforeAll(async () => {
    repo = await track(
      gitFixture({
        'img.bin': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]),
        'bom.txt': '\ufeffhello',
        'exact.txt': 'x'.repeat(2048),
        'over.txt': 'x'.repeat(2049),
        'untracked-later.txt': 'tracked',
      }),
    );
    await repo.write('not-tracked.txt', 'I am on disk only');
  });

  it('reads a file with a NUL byte as binary, without text', async () => {
    const snap = await loadLocalSnapshot(repo.dir);
    expect(await snap.read('img.bin')).toEqual({ kind: 'binary', size: 7 });
  });

  it('strips a UTF-8 BOM', async () => {
    const snap = await loadLocalSnapshot(repo.dir);
    expect(await snap.read('bom.txt')).toMatchObject({ kind: 'text', text: 'hello' });
  });

  it('reads a file at exactly maxReadBytes and refuses one byte more', async () => {
    const snap = await loadLocalSnapshot(repo.dir, { maxReadBytes: 2048 });
    expect(snap.maxReadBytes).toBe(2048);
    expect(await snap.read('exact.txt')).toMatchObject({ kind: 'text', size: 2048 });
    expect(await snap.read('over.txt')).toEqual({ kind: 'too-large', size: 2049, limit: 2048 });
  });

  it('takes the file list from git, not from the disk', async () => {
    const snap = await loadLocalSnapshot(repo.dir);
    expect(snap.hasFile('not-tracked.txt')).toBe(false);
    expect(await snap.read('not-tracked.txt')).toEqual({ kind: 'missing' });
  });
});

describe('git checkout: a 50 MB file', () => {
  it('is listed with its size and reported too-large without being read into memory', async () => {
    const repo = await track(gitFixture({ 'README.md': 'hi\n' }));
    // A 50 MB file of text (not sparse zeros, so it is not binary either).
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    const big = repo.abs('data/huge.csv');
    await mkdir(path.dirname(big), { recursive: true });
    await writeFile(big, Buffer.concat(Array.from({ length: 50 }, () => chunk)));
    repo.commit('add a 50 MB file');
    const snap = await loadLocalSnapshot(repo.dir);
    const entry = snap.files.find((f) => f.path === 'data/huge.csv');
    expect(entry).toMatchObject({ kind: 'file', size: 50 * 1024 * 1024 });
    const before = process.memoryUsage().arrayBuffers;
    const content = await snap.read('data/huge.csv');
    const grown = process.memoryUsage().arrayBuffers - before;
    expect(content).toEqual({ kind: 'too-large', size: 50 * 1024 * 1024, limit: 4 * 1024 * 1024 });
    // Reading it would have allocated a 50 MB Buffer; the size decision comes from lstat alone.
    expect(grown).toBeLessThan(8 * 1024 * 1024);
  });
});

describe('git checkout: symlinks', () => {
  let repo: Fixture;
  let outside: string;
  let snap: RepoSnapshot;
  beforeAll(async () => {
    outside = await realpath(await mkdtemp(path.join(os.tmpdir(), 'autopack-outside-')));
    cleanups.push(() => rm(outside, { recursive: true, force: true }));
    await writeFile(path.join(outside, 'secret.txt'), 'OUTSIDE SECRET');
    repo = await track(
      gitFixture({ 'README.md': 'hi\n', 'docs/guide.md': 'guide\n', 'sub/inner.txt': 'inner\n' }),
    );
    await repo.symlink('abs-link.txt', path.join(outside, 'secret.txt'));
    await repo.symlink('docs/rel-escape.txt', '../../' + path.basename(outside) + '/secret.txt');
    await repo.symlink('outside-dir', outside);
    await repo.symlink('docs/inside-link.md', 'guide.md');
    repo.commit('symlinks');
    // A tracked directory replaced on disk by a symlink to a directory outside the tree.
    await writeFile(path.join(outside, 'inner.txt'), 'OUTSIDE INNER');
    await repo.remove('sub');
    await repo.symlink('sub', outside);
    snap = await loadLocalSnapshot(repo.dir);
  });

  it('lists tracked symlinks as symlinks with mode 120000', () => {
    for (const p of ['abs-link.txt', 'docs/rel-escape.txt', 'outside-dir', 'docs/inside-link.md']) {
      expect(snap.files.find((f) => f.path === p)).toMatchObject({
        kind: 'symlink',
        mode: '120000',
      });
    }
  });

  it('reports every symlink that leaves the tree, and not the one that stays inside', () => {
    const escapes = snap.problems.filter((p) => p.rule === 'symlink-escape').map((p) => p.path);
    expect(escapes).toEqual(
      expect.arrayContaining(['abs-link.txt', 'docs/rel-escape.txt', 'outside-dir']),
    );
    expect(escapes).not.toContain('docs/inside-link.md');
  });

  it('never follows a symlink: reading gives its target, not the content', async () => {
    const abs = await snap.read('abs-link.txt');
    expect(abs).toEqual({ kind: 'symlink', target: path.join(outside, 'secret.txt') });
    expect(JSON.stringify(await snap.read('docs/rel-escape.txt'))).not.toContain('OUTSIDE SECRET');
    expect(await snap.read('outside-dir')).toEqual({ kind: 'symlink', target: outside });
    expect(await snap.read('docs/inside-link.md')).toEqual({ kind: 'symlink', target: 'guide.md' });
  });

  it('does not read a tracked file through a directory symlinked outside the tree', async () => {
    const c = await snap.read('sub/inner.txt');
    expect(c).toEqual({ kind: 'missing' });
    expect(JSON.stringify(c)).not.toContain('OUTSIDE INNER');
    expect(snap.problems).toContainEqual(
      expect.objectContaining({ path: 'sub/inner.txt', rule: 'symlink-escape' }),
    );
    // Git sees it the same way: deleted beyond a symbolic link, so it is not in the list.
    expect(snap.hasFile('sub/inner.txt')).toBe(false);
  });
});

describe('git checkout: tracked file deleted from the working tree', () => {
  it('reports it as unreadable and leaves it out of the file list', async () => {
    const repo = await track(gitFixture({ 'a.txt': 'a', 'gone.txt': 'soon gone' }));
    await repo.remove('gone.txt');
    const snap = await loadLocalSnapshot(repo.dir);
    expect(paths(snap)).toEqual(['a.txt']);
    expect(snap.problems).toEqual([
      {
        path: 'gone.txt',
        rule: 'unreadable',
        message: 'tracked by git but missing from the working tree',
      },
    ]);
  });
});

describe('git checkout without file stats (no selected check reads sizes)', () => {
  it('lists kinds from the index, sizes unknown, and answers for missing or replaced files on read', async () => {
    const big = 'x'.repeat(200 * 1024);
    const repo = await track(
      gitFixture({ 'a.txt': 'a', 'big.txt': big, 'gone.txt': 'soon gone', 'dir-now.txt': 'f' }),
    );
    await repo.symlink('link.txt', 'a.txt');
    repo.commit('link');
    await repo.remove('gone.txt');
    await repo.remove('dir-now.txt');
    await mkdir(repo.abs('dir-now.txt'));
    const snap = await loadLocalSnapshot(repo.dir, { fileStats: false, maxReadBytes: 1024 * 1024 });
    expect(snap.fileStats).toBe(false);
    expect(snap.files.map((f) => [f.path, f.kind, Number.isNaN(f.size)])).toEqual([
      ['a.txt', 'file', true],
      ['big.txt', 'file', true],
      ['dir-now.txt', 'file', true],
      ['gone.txt', 'file', true],
      ['link.txt', 'symlink', true],
    ]);
    expect(snap.problems).toEqual([]);
    // Read in 64 KiB steps when the size is unknown: the whole file, then the cap.
    expect(await snap.read('big.txt')).toMatchObject({ kind: 'text', size: 200 * 1024 });
    const capped = await loadLocalSnapshot(repo.dir, { fileStats: false, maxReadBytes: 100_000 });
    expect(await capped.read('big.txt')).toEqual({
      kind: 'too-large',
      size: 200 * 1024,
      limit: 100_000,
    });
    expect(await snap.read('gone.txt')).toEqual({ kind: 'missing' });
    expect(await snap.read('dir-now.txt')).toEqual({
      kind: 'unreadable',
      error: 'not a regular file',
    });
    expect(await snap.read('link.txt')).toEqual({ kind: 'symlink', target: 'a.txt' });
    // With stats (the default) the same tree reports the missing file up front.
    const statted = await loadLocalSnapshot(repo.dir);
    expect(statted.problems.map((p) => p.path)).toEqual(['gone.txt']);
    expect(statted.files.find((f) => f.path === 'big.txt')?.size).toBe(200 * 1024);
  });
});

describe('git checkout: a whole tracked directory deleted from the working tree', () => {
  it('reports each file as missing, not as a symlink escape', async () => {
    const repo = await track(gitFixture({ 'a.txt': 'a', 'lib/x.txt': 'x', 'lib/y.txt': 'y' }));
    await repo.remove('lib');
    const snap = await loadLocalSnapshot(repo.dir);
    expect(paths(snap)).toEqual(['a.txt']);
    expect(snap.problems.map((p) => [p.path, p.rule]).sort()).toEqual([
      ['lib/x.txt', 'unreadable'],
      ['lib/y.txt', 'unreadable'],
    ]);
  });
});

describe('git checkout: a subdirectory of a repository', () => {
  it('lists the files under it, relative to it', async () => {
    const repo = await track(
      gitFixture({ 'top.txt': 't', 'pkg/a.txt': 'a', 'pkg/sub/b.txt': 'b' }),
    );
    const snap = await loadLocalSnapshot(repo.abs('pkg'));
    expect(paths(snap)).toEqual(['a.txt', 'sub/b.txt']);
    expect(await snap.read('sub/b.txt')).toMatchObject({ kind: 'text', text: 'b' });
  });
});

describe('errors', () => {
  it('rejects a path that does not exist or is not a directory with SnapshotError', async () => {
    await expect(loadLocalSnapshot('/nonexistent/autopack-nowhere')).rejects.toBeInstanceOf(
      SnapshotError,
    );
    const repo = await track(gitFixture({ 'a.txt': 'a' }));
    await expect(loadLocalSnapshot(repo.abs('a.txt'))).rejects.toThrow(/not a directory/);
  });

  it('a repository with no commit yet has no headSha and lists staged files', async () => {
    const repo = await track(gitFixture({ 'a.txt': 'a' }, { commit: false }));
    repo.git('add', 'a.txt');
    const snap = await loadLocalSnapshot(repo.dir);
    expect(snap.headSha).toBeUndefined();
    expect(paths(snap)).toEqual(['a.txt']);
  });

  it('reads HEAD as a commit even beside a tracked file named HEAD, and from a subdirectory', async () => {
    const repo = await track(
      gitFixture({ HEAD: 'a file', 'sub/HEAD': 'another', 'sub/b.txt': 'b' }),
    );
    const sha = repo.git('rev-parse', '--verify', 'HEAD').trim();
    expect((await loadLocalSnapshot(repo.dir)).headSha).toBe(sha);
    const sub = await loadLocalSnapshot(repo.abs('sub'));
    expect(sub.headSha).toBe(sha);
    expect(paths(sub)).toEqual(['HEAD', 'b.txt']);
  });
});

describe('a directory outside git', () => {
  let dir: Fixture;
  let snap: RepoSnapshot;
  beforeAll(async () => {
    dir = await track(
      dirFixture({
        '.gitignore': '*.log\nbuild/\n/root-only.txt\n',
        'README.md': 'r',
        'app.log': 'ignored by root',
        'root-only.txt': 'ignored at the root only',
        'build/out.js': 'ignored dir',
        'src/index.ts': 's',
        'src/root-only.txt': 'not ignored: the pattern is anchored to the root',
        'src/debug.log': 'ignored by the root pattern',
        'src/.gitignore': 'secret.txt\n!keep.log\n',
        'src/secret.txt': 'ignored by the nested file',
        'src/keep.log': 're-included by the nested file',
        'src/deep/secret.txt': 'ignored: nested pattern applies below src/',
        'other/secret.txt': 'not ignored: nested pattern does not apply here',
        '.git/config': 'a .git directory that is not a repository is still never listed',
      }),
    );
    snap = await loadLocalSnapshot(dir.dir);
  });

  it('walks the tree honouring nested .gitignore files with git semantics', () => {
    expect(paths(snap)).toEqual([
      '.gitignore',
      'README.md',
      'other/secret.txt',
      'src/.gitignore',
      'src/index.ts',
      'src/keep.log',
      'src/root-only.txt',
    ]);
    expect(snap.headSha).toBeUndefined();
    expect(snap.files.every((f) => f.kind === 'file' && f.blobSha === undefined)).toBe(true);
  });

  it('agrees with git itself (`git ls-files --others --exclude-standard` on a copy)', async () => {
    const copy = await track(dirFixture());
    await cp(dir.dir, copy.dir, {
      recursive: true,
      filter: (src) => !src.split(path.sep).includes('.git'),
    });
    runGit(copy.dir, ['init', '-q']);
    const fromGit = runGit(copy.dir, ['ls-files', '-z', '--others', '--exclude-standard'])
      .split('\0')
      .filter(Boolean)
      .sort();
    expect(paths(snap)).toEqual(fromGit);
  });

  it('reads content lazily like a checkout', async () => {
    expect(await snap.read('src/index.ts')).toMatchObject({ kind: 'text', text: 's' });
    expect(await snap.read('app.log')).toEqual({ kind: 'missing' });
  });

  it('reports a symlink (file or directory) that leaves the tree and does not walk into it', async () => {
    const outside = await realpath(await mkdtemp(path.join(os.tmpdir(), 'autopack-outside-')));
    cleanups.push(() => rm(outside, { recursive: true, force: true }));
    await writeFile(path.join(outside, 'x.txt'), 'OUTSIDE');
    const d = await track(dirFixture({ 'a.txt': 'a' }));
    await d.symlink('dir-link', outside);
    await d.symlink('file-link', path.join(outside, 'x.txt'));
    const s = await loadLocalSnapshot(d.dir);
    expect(paths(s)).toEqual(['a.txt', 'dir-link', 'file-link']);
    expect(s.files.filter((f) => f.kind === 'symlink').map((f) => f.path)).toEqual([
      'dir-link',
      'file-link',
    ]);
    expect(s.problems.map((p) => [p.path, p.rule])).toEqual(
      expect.arrayContaining([
        ['dir-link', 'symlink-escape'],
        ['file-link', 'symlink-escape'],
      ]),
    );
    expect(s.hasFile('dir-link/x.txt')).toBe(false);
    expect(await s.read('file-link')).toEqual({
      kind: 'symlink',
      target: path.join(outside, 'x.txt'),
    });
  });
});

describe('--base: the ChangeSet of REF...HEAD', () => {
  let repo: Fixture;
  let snap: RepoSnapshot;
  let baseSha: string;
  const body = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n') + '\n';
  beforeAll(async () => {
    repo = await track(
      gitFixture({
        'a.txt': 'one\ntwo\nthree\n',
        'to rename.md': body,
        'gone.txt': 'deleted later\n',
        'ünï/kept.txt': 'kept\n',
        'bin.dat': Buffer.from([0, 1, 2, 3]),
      }),
    );
    baseSha = repo.git('rev-parse', 'HEAD').trim();
    repo.git('checkout', '-q', '-b', 'feature');
    await repo.write('a.txt', 'one\nTWO\nthree\nfour\n');
    await repo.remove('to rename.md');
    await repo.write('renamed dir/ré named.md', body.replace('line 3', 'line three'));
    await repo.remove('gone.txt');
    await repo.write('new file.txt', 'fresh\nlines\n');
    await repo.write('bin.dat', Buffer.from([0, 9, 9, 9]));
    repo.commit('feature work');
    // main moves on after the branch point: the merge base stays at baseSha.
    repo.git('checkout', '-q', 'main');
    await repo.write('main-only.txt', 'later on main\n');
    repo.commit('main moves on');
    repo.git('checkout', '-q', 'feature');
    snap = await loadLocalSnapshot(repo.dir, { baseRef: 'main' });
  });

  it('measures from the merge base, not from the tip of the base branch', () => {
    expect(snap.change?.baseRef).toBe('main');
    expect(snap.change?.baseSha).toBe(baseSha);
    expect(snap.change?.headSha).toBe(snap.headSha);
    expect(snap.change?.files.map((f) => f.path)).not.toContain('main-only.txt');
  });

  it('lists additions, deletions, modifications and renames with numstat counts', () => {
    const byPath = Object.fromEntries((snap.change?.files ?? []).map((f) => [f.path, f]));
    expect(byPath['a.txt']).toMatchObject({ status: 'modified', additions: 2, deletions: 1 });
    expect(byPath['a.txt']?.blobSha).toBe(snap.files.find((f) => f.path === 'a.txt')?.blobSha);
    expect(byPath['renamed dir/ré named.md']).toMatchObject({
      status: 'renamed',
      previousPath: 'to rename.md',
      additions: 1,
      deletions: 1,
    });
    expect(byPath['gone.txt']).toMatchObject({ status: 'removed', additions: 0, deletions: 1 });
    expect(byPath['gone.txt']?.blobSha).toBeUndefined();
    expect(byPath['new file.txt']).toMatchObject({ status: 'added', additions: 2, deletions: 0 });
    // Binary: numstat says "-", counted as 0.
    expect(byPath['bin.dat']).toMatchObject({ status: 'modified', additions: 0, deletions: 0 });
    expect(Object.keys(byPath).sort()).toEqual(
      ['a.txt', 'bin.dat', 'gone.txt', 'new file.txt', 'renamed dir/ré named.md'].sort(),
    );
  });

  it('reads files as they were at the base', async () => {
    const change = snap.change!;
    expect(await change.readBase('a.txt')).toEqual({
      kind: 'text',
      text: 'one\ntwo\nthree\n',
      size: 14,
    });
    expect(await change.readBase('gone.txt')).toMatchObject({
      kind: 'text',
      text: 'deleted later\n',
    });
    expect(await change.readBase('ünï/kept.txt')).toMatchObject({ kind: 'text', text: 'kept\n' });
    expect(await change.readBase('new file.txt')).toEqual({ kind: 'missing' });
    expect(await change.readBase('bin.dat')).toEqual({ kind: 'binary', size: 4 });
  });

  it('lists the tracked files at the base, sorted, with blob SHAs and sizes', async () => {
    const base = await snap.change!.baseFiles();
    expect(base.map((f) => f.path)).toEqual([
      'a.txt',
      'bin.dat',
      'gone.txt',
      'to rename.md',
      'ünï/kept.txt',
    ]);
    expect(base.find((f) => f.path === 'a.txt')).toMatchObject({
      kind: 'file',
      mode: '100644',
      size: 14,
    });
    expect(base.every((f) => /^[0-9a-f]{40}$/.test(f.blobSha ?? ''))).toBe(true);
  });

  it('applies maxReadBytes to base reads too', async () => {
    const small = await loadLocalSnapshot(repo.dir, { baseRef: 'main', maxReadBytes: 5 });
    expect(await small.change!.readBase('a.txt')).toEqual({
      kind: 'too-large',
      size: 14,
      limit: 5,
    });
  });

  it('rejects an unknown base ref with SnapshotError', async () => {
    await expect(loadLocalSnapshot(repo.dir, { baseRef: 'no-such-branch' })).rejects.toThrow(
      SnapshotError,
    );
    await expect(loadLocalSnapshot(repo.dir, { baseRef: 'no-such-branch' })).rejects.toThrow(
      /--base no-such-branch/,
    );
  });

  it('has no change without --base', async () => {
    expect((await loadLocalSnapshot(repo.dir)).change).toBeUndefined();
  });
});

describe('unreadable content', () => {
  it('says unreadable, never throws, for a tracked path that became a directory', async () => {
    const repo = await track(gitFixture({ 'x.txt': 'x', 'y.txt': 'y' }));
    const snap = await loadLocalSnapshot(repo.dir);
    await repo.remove('x.txt');
    await mkdir(repo.abs('x.txt'));
    expect(await snap.read('x.txt')).toEqual({ kind: 'unreadable', error: 'not a regular file' });
    await truncate(repo.abs('y.txt'), 0);
    expect(await snap.read('y.txt')).toEqual({ kind: 'text', text: '', size: 0 });
  });

  it('does not follow a tracked file replaced by a symlink after listing, nor block on a FIFO', async () => {
    const outside = await realpath(await mkdtemp(path.join(os.tmpdir(), 'autopack-outside-')));
    cleanups.push(() => rm(outside, { recursive: true, force: true }));
    await writeFile(path.join(outside, 'secret'), 'OUTSIDE');
    const repo = await track(gitFixture({ 'a.txt': 'a', 'b.txt': 'b' }));
    const snap = await loadLocalSnapshot(repo.dir);
    await repo.remove('a.txt');
    await repo.symlink('a.txt', path.join(outside, 'secret'));
    expect(await snap.read('a.txt')).toEqual({
      kind: 'symlink',
      target: path.join(outside, 'secret'),
    });
    await repo.remove('b.txt');
    execFileSync('mkfifo', [repo.abs('b.txt')]);
    expect(await snap.read('b.txt')).toEqual({ kind: 'unreadable', error: 'not a regular file' });
  });

  it('reads a file as it is at read time (it grew after listing), within the cap', async () => {
    const repo = await track(gitFixture({ 'grow.txt': 'small' }));
    const snap = await loadLocalSnapshot(repo.dir, { maxReadBytes: 1024 });
    await writeFile(repo.abs('grow.txt'), 'y'.repeat(1000));
    expect(await snap.read('grow.txt')).toMatchObject({ kind: 'text', size: 1000 });
    await writeFile(repo.abs('grow.txt'), 'z'.repeat(5000));
    expect(await snap.read('grow.txt')).toEqual({ kind: 'too-large', size: 5000, limit: 1024 });
  });
});

describe('directoriesOf', () => {
  /** Every ancestor directory of every path, computed the plain way. */
  const naive = (paths: readonly string[]) => {
    const out = new Set<string>();
    for (const p of paths) {
      const parts = p.split('/');
      for (let i = 1; i < parts.length; i++) out.add(parts.slice(0, i).join('/'));
    }
    return [...out].sort();
  };

  it('lists every directory and ancestor once, root left out, in any order', () => {
    const paths = [
      'README.md',
      'a/b.md',
      'a/b/c.md',
      'a/bc/d.md',
      'a/bx.md',
      'a/b/c/d/e.md',
      'z/y/x.md',
      'a/b/f.md',
      '.github/workflows/ci.yml',
    ];
    expect([...directoriesOf(paths)].sort()).toEqual(naive(paths));
    expect([...directoriesOf([...paths].sort())].sort()).toEqual(naive(paths));
    expect([...directoriesOf([...paths].reverse())].sort()).toEqual(naive(paths));
    expect(directoriesOf(['only-root.md']).size).toBe(0);
  });

  it('agrees with the plain computation on a real tree listing', async () => {
    const listed = paths(await loadLocalSnapshot(ROOT));
    expect([...directoriesOf(listed)].sort()).toEqual(naive(listed));
    expect(listed.length).toBeGreaterThan(100);
  });
});

describe('filesContaining (git grep -F and git ls-files -m)', () => {
  it('names the tracked files holding a literal and every changed one, relative to the snapshot', async () => {
    const repo = await track(
      gitFixture({
        'top.txt': 'needle at the top\n',
        'sub/a.txt': 'a Needle in sub\n',
        'sub/b.txt': 'nothing\n',
        'sub/c.txt': 'nothing either\n',
        'sub/d.txt': 'to be deleted\n',
      }),
    );
    await writeFile(repo.abs('sub/c.txt'), 'edited, still nothing\n');
    await rm(repo.abs('sub/d.txt'));
    await writeFile(repo.abs('sub/untracked.txt'), 'needle\n');
    const sub = await loadLocalSnapshot(repo.abs('sub'), { fileStats: false });
    const found = async (lits: string[], ignoreCase = false) =>
      [...((await sub.filesContaining!(lits, { ignoreCase })) ?? [])].sort();
    expect(await found(['needle'])).toEqual(['c.txt', 'd.txt']);
    expect(await found(['needle'], true)).toEqual(['a.txt', 'c.txt', 'd.txt']);
    expect(await found(['-e', 'nothing'])).toEqual(['b.txt', 'c.txt', 'd.txt']);
    const outside = await track(dirFixture({ 'x.txt': 'needle\n' }));
    expect((await loadLocalSnapshot(outside.dir)).filesContaining).toBeUndefined();
  });
});
