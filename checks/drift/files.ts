/**
 * File selection (globs) and the single read pass of the drift check.
 *
 * Globs are minimatch patterns over the repository-relative, `/`-separated path, anchored at
 * the root, with `dot: true` (so `.github/**` matches) and braces. A leading `./` or `/` is
 * dropped; a trailing `/` means "everything below this directory" (`docs/` = `docs/**`).
 *
 * The read pass reads every selected file once through `snapshot.read` (which bounds open
 * files itself) with at most `concurrency` reads in flight here, so memory stays bounded by
 * the files being processed, not by the repository.
 */
import { Minimatch } from 'minimatch';
import type { FileContent, RepoFile, RepoSnapshot } from '../snapshot.js';

const MM_OPTS = { dot: true, nocomment: true, nonegate: true, optimizationLevel: 2 } as const;

/** Normalises a config glob: drops a leading `./` or `/`, turns a trailing `/` into `/**`. */
export function normalizeGlob(glob: string): string {
  let g = glob.trim();
  while (g.startsWith('./')) g = g.slice(2);
  while (g.startsWith('/')) g = g.slice(1);
  if (g.endsWith('/')) g = `${g.replace(/\/+$/, '')}/**`;
  return g;
}

/** Why a config glob is unusable (for validateConfig), or undefined. */
export function globProblem(glob: string): string | undefined {
  const g = normalizeGlob(glob);
  if (g === '') return `glob ${JSON.stringify(glob)} is empty`;
  if (glob.trim().startsWith('!'))
    return `glob ${JSON.stringify(glob)}: negation is not supported; use "exclude"`;
  if (g.split('/').includes('..'))
    return `glob ${JSON.stringify(glob)} leaves the repository ("..")`;
  if (g.includes('\\')) return `glob ${JSON.stringify(glob)} contains a backslash; paths use "/"`;
  return undefined;
}

/** A compiled include/exclude glob pair. */
export class FileSelector {
  private readonly include: Minimatch[];
  private readonly exclude: Minimatch[];
  private readonly matchAll: boolean;

  constructor(include: readonly string[], exclude: readonly string[] = [], nocase = false) {
    const opts = { ...MM_OPTS, nocase };
    this.include = include.map((g) => new Minimatch(normalizeGlob(g), opts));
    this.exclude = exclude.map((g) => new Minimatch(normalizeGlob(g), opts));
    this.matchAll = include.some((g) => normalizeGlob(g) === '**') && exclude.length === 0;
  }

  /** True when `path` matches an include glob and no exclude glob. */
  matches(path: string): boolean {
    if (this.matchAll) return true;
    return this.include.some((m) => m.match(path)) && !this.exclude.some((m) => m.match(path));
  }
}

/** What the read pass hands a consumer: the text of one file, and its index in the list. */
export type TextHandler = (path: string, text: string, index: number) => void;

/** A file the pass could not use as text, and why. */
export interface SkippedFile {
  path: string;
  content: Exclude<FileContent, { kind: 'text' }>;
}

/** Totals of one read pass. */
export interface PassStats {
  read: number;
  binary: number;
  tooLarge: number;
  unreadable: number;
  symlinks: number;
}

/**
 * Reads each path once (regular files only; symlinks and submodules are not followed) and
 * calls `onText` for text content. Binary and too-large files are counted; unreadable and
 * vanished files are returned so the caller can report them (no read error is dropped).
 */
export async function readPass(
  snapshot: RepoSnapshot,
  files: readonly RepoFile[],
  onText: TextHandler,
  concurrency = 32,
): Promise<{ stats: PassStats; unreadable: SkippedFile[] }> {
  const stats: PassStats = { read: 0, binary: 0, tooLarge: 0, unreadable: 0, symlinks: 0 };
  const unreadable: SkippedFile[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const index = next++;
      const f = files[index]!;
      if (f.kind !== 'file') {
        stats.symlinks++;
        continue;
      }
      const c = await snapshot.read(f.path);
      switch (c.kind) {
        case 'text':
          stats.read++;
          onText(f.path, c.text, index);
          break;
        case 'binary':
          stats.binary++;
          break;
        case 'too-large':
          stats.tooLarge++;
          break;
        case 'symlink':
          stats.symlinks++;
          break;
        default:
          stats.unreadable++;
          unreadable.push({ path: f.path, content: c });
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(concurrency, files.length)) }, worker),
  );
  return { stats, unreadable };
}
