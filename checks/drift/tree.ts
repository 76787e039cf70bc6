/**
 * Lazily built indexes over the snapshot's file list, shared by the drift rules: files per
 * directory, base names, directory names, top-level entries and a case-insensitive map (for
 * "did you mean" hints). Each index is built at most once per run, in O(files).
 */
import type { RepoFile, RepoSnapshot } from '../snapshot.js';

export class TreeIndex {
  private byDir?: Map<string, string[]>;
  private lower?: Map<string, string>;
  private baseNames?: Set<string>;
  private dirNames?: Set<string>;
  private topLevel?: Set<string>;
  private entries?: Map<string, RepoFile>;

  constructor(private readonly snapshot: RepoSnapshot) {}

  /** The tracked entry at `path`, if any. */
  entry(path: string): RepoFile | undefined {
    if (!this.entries) this.entries = new Map(this.snapshot.files.map((f) => [f.path, f]));
    return this.entries.get(path);
  }

  /** True when `path` is a tracked entry or a directory holding one (`''` is the root). */
  exists(path: string): boolean {
    return path === '' || this.snapshot.hasFile(path) || this.snapshot.hasDir(path);
  }

  isFile(path: string): boolean {
    return this.snapshot.hasFile(path);
  }

  isDir(path: string): boolean {
    return path === '' || this.snapshot.hasDir(path);
  }

  /** Tracked files directly in `dir` (`''` for the root), sorted. */
  filesIn(dir: string): readonly string[] {
    if (!this.byDir) {
      this.byDir = new Map();
      for (const f of this.snapshot.files) {
        const i = f.path.lastIndexOf('/');
        const d = i === -1 ? '' : f.path.slice(0, i);
        let list = this.byDir.get(d);
        if (!list) this.byDir.set(d, (list = []));
        list.push(f.path);
      }
    }
    return this.byDir.get(dir) ?? [];
  }

  /** The tracked path (file or directory) equal to `path` ignoring case, if one exists. */
  caseInsensitive(path: string): string | undefined {
    if (!this.lower) {
      this.lower = new Map();
      for (const f of this.snapshot.files) {
        const p = f.path;
        const lp = p.toLowerCase();
        if (!this.lower.has(lp)) this.lower.set(lp, p);
        for (let i = p.indexOf('/'); i !== -1; i = p.indexOf('/', i + 1)) {
          const d = p.slice(0, i);
          const k = d.toLowerCase();
          if (!this.lower.has(k)) this.lower.set(k, d);
        }
      }
    }
    return this.lower.get(path.toLowerCase());
  }

  /** True when some tracked file has this base name. */
  hasBaseName(name: string): boolean {
    if (!this.baseNames)
      this.baseNames = new Set(
        this.snapshot.files.map((f) => f.path.slice(f.path.lastIndexOf('/') + 1)),
      );
    return this.baseNames.has(name);
  }

  /** True when some directory (at any depth) has this name. */
  hasDirName(name: string): boolean {
    if (!this.dirNames) {
      this.dirNames = new Set();
      for (const f of this.snapshot.files) {
        const parts = f.path.split('/');
        for (let i = 0; i < parts.length - 1; i++) this.dirNames.add(parts[i]!);
      }
    }
    return this.dirNames.has(name);
  }

  /** True when `name` is a top-level file or directory. */
  isTopLevel(name: string): boolean {
    if (!this.topLevel)
      this.topLevel = new Set(this.snapshot.files.map((f) => f.path.split('/')[0]!));
    return this.topLevel.has(name);
  }
}

/** Directory part of a repository path (`''` for a root file). */
export function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i === -1 ? '' : path.slice(0, i);
}

/** Result of joining a relative reference onto a base directory. */
export interface Joined {
  path: string;
  /** How many `..` steps went above the repository root (0 when it stays inside). */
  escapes: number;
}

/** Joins `ref` onto `baseDir` (`/`-separated), resolving `.` and `..`, counting root escapes. */
export function joinPath(baseDir: string, ref: string): Joined {
  const out = baseDir ? baseDir.split('/') : [];
  let escapes = 0;
  for (const seg of ref.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length) out.pop();
      else escapes++;
    } else out.push(seg);
  }
  return { path: out.join('/'), escapes };
}
