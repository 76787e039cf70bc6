/**
 * The repository snapshot port: what every check sees of a repository. Shells build it
 * (snapshots/local.ts from a checkout, app/ from the GitHub API); checks never touch the
 * file system or GitHub themselves.
 */

/** One tracked entry. Paths are repository-relative, `/`-separated, never starting with `/` or `..`. */
export interface RepoFile {
  path: string;
  /**
   * Size in bytes (for a symlink, the length of its target); NaN when the snapshot was built
   * without file stats (see RepoSnapshot.fileStats).
   */
  size: number;
  kind: 'file' | 'symlink' | 'submodule';
  /** Git blob SHA when known (from the index or the tree). */
  blobSha?: string;
  /** Git file mode when known, e.g. `100644`, `100755`, `120000`. */
  mode?: string;
}

/** What reading a file gave. Readers never throw for a per-file problem; they say it here. */
export type FileContent =
  | { kind: 'text'; text: string; size: number }
  | { kind: 'binary'; size: number }
  | { kind: 'too-large'; size: number; limit: number }
  | { kind: 'symlink'; target: string }
  | { kind: 'missing' }
  | { kind: 'unreadable'; error: string };

/** A problem met while building the snapshot (a symlink leaving the tree, an unreadable entry). */
export interface SnapshotProblem {
  path: string;
  rule: 'symlink-escape' | 'unreadable' | 'not-regular';
  message: string;
}

/** How a changed file changed, in the GitHub "list pull request files" vocabulary. */
export type ChangeStatus =
  'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unchanged';

/** One file changed by the pull request (or by `--base REF...HEAD` in the CLI). */
export interface ChangedFile {
  path: string;
  status: ChangeStatus;
  /** For renames and copies: the old path. */
  previousPath?: string;
  /** Blob SHA at the head (absent for removals). */
  blobSha?: string;
  additions?: number;
  deletions?: number;
}

/** The change under evaluation: a pull request, or `REF...HEAD` locally. */
export interface ChangeSet {
  /** The base as the user named it (branch, tag or SHA). */
  baseRef: string;
  /** The merge base commit the change is measured from. */
  baseSha: string;
  headSha?: string;
  files: ChangedFile[];
  /** Reads a file as it is at the base commit. */
  readBase(path: string): Promise<FileContent>;
  /** The tracked paths at the base commit (sorted). */
  baseFiles(): Promise<readonly RepoFile[]>;
}

/** A repository as the checks see it. */
export interface RepoSnapshot {
  /** Human-readable origin, e.g. `local:/src/repo` or `github:owner/repo@sha`. */
  readonly source: string;
  readonly headSha?: string;
  /** Tracked files, sorted by path (code unit order). */
  readonly files: readonly RepoFile[];
  /**
   * Per-file problems met while listing (symlink escapes, missing or unreadable tracked files).
   * Without file stats, only what the listing itself shows (symlink escapes).
   */
  readonly problems: readonly SnapshotProblem[];
  /**
   * False when the files were listed without stat'ing each one (a local run whose checks need
   * neither sizes nor per-file problems, see Check.needsFileStats): sizes are NaN, and a
   * missing or replaced file shows up when it is read. True or absent: sizes are exact.
   */
  readonly fileStats?: boolean;
  /** Present when evaluating a change (pull request or `--base`). */
  readonly change?: ChangeSet;
  /** Files larger than this (bytes) are not read: `read` answers `too-large`. */
  readonly maxReadBytes: number;
  /**
   * True when each file's `blobSha` is the git blob SHA of exactly what `read` returns (a
   * snapshot of a commit through the GitHub API): checks may then cache per-file results by it,
   * across evaluations. Unset for a working tree, whose files may differ from the index.
   */
  readonly contentAddressed?: boolean;
  hasFile(path: string): boolean;
  /** True when some tracked file lives under `dir/`. */
  hasDir(dir: string): boolean;
  /** Reads a tracked file lazily (content is cached by the implementation where useful). */
  read(path: string): Promise<FileContent>;
  /**
   * A superset of the tracked files that may hold one of `literals`, for a content rule that
   * only needs those (undefined: no cheaper answer than reading every file). Every file it
   * leaves out is a regular file, unchanged since the listing, whose bytes contain none of
   * them; a file that is missing, modified or replaced is always in. `ignoreCase` folds ASCII
   * letters only. Source: `git grep -l -F` and `git ls-files -m` for a local checkout.
   */
  filesContaining?(
    literals: readonly string[],
    opts: { ignoreCase: boolean },
  ): Promise<ReadonlySet<string> | undefined>;
}

/** Answers `get` / `hasFile` / `hasDir` over a sorted file list in O(1). */
export class FileIndex {
  private readonly byPath: Map<string, RepoFile>;
  private readonly dirSet: Set<string>;

  /** `dirs`: {@link directoriesOf} the files' paths, when the caller has computed it already. */
  constructor(files: readonly RepoFile[], dirs?: Set<string>) {
    this.byPath = new Map();
    for (const f of files) this.byPath.set(f.path, f);
    this.dirSet = dirs ?? directoriesOf(files.map((f) => f.path));
  }

  /** The tracked entry at `path`, or undefined. */
  get(path: string): RepoFile | undefined {
    return this.byPath.get(path);
  }

  hasFile(path: string): boolean {
    return this.byPath.has(path);
  }

  hasDir(dir: string): boolean {
    const d = dir.replace(/\/+$/, '');
    return d === '' || this.dirSet.has(d);
  }
}

/**
 * Every directory holding one of `paths` (`/`-separated, relative), with its ancestors; the
 * root is left out. Fastest on sorted paths (a listing's order): a path in the same directory
 * as the one before costs a comparison, not a slice and a set lookup (40,000 paths, ~400
 * directories).
 */
export function directoriesOf(paths: readonly string[]): Set<string> {
  const out = new Set<string>();
  let last = '';
  for (const p of paths) {
    const slash = p.lastIndexOf('/');
    if (slash <= 0) continue;
    if (slash === last.length && p.startsWith(last)) continue;
    let d = p.slice(0, slash);
    last = d;
    while (!out.has(d)) {
      out.add(d);
      const up = d.lastIndexOf('/');
      if (up <= 0) break;
      d = d.slice(0, up);
    }
  }
  return out;
}

/** True when the first 8,000 bytes contain a NUL byte: git's own binary heuristic. */
export function looksBinary(buf: Uint8Array, length = buf.length): boolean {
  const n = Math.min(length, 8000);
  for (let i = 0; i < n; i++) if (buf[i] === 0) return true;
  return false;
}

/**
 * Decodes the first `length` bytes of a read buffer (default: all of it) into a FileContent
 * (binary detection, UTF-8, BOM stripped). The result never refers to `buf` (callers may reuse
 * it); a Buffer is decoded in place, without a view made per file.
 */
export function decodeContent(buf: Uint8Array, length = buf.length): FileContent {
  if (looksBinary(buf, length)) return { kind: 'binary', size: length };
  const bytes = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.length);
  let text = bytes.toString('utf8', 0, length);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { kind: 'text', text, size: length };
}

/**
 * Normalises a user- or file-supplied repository path and refuses one that escapes the repo.
 * Returns the `/`-separated relative path, or `undefined` for an absolute or escaping path.
 */
export function normalizeRepoPath(p: string): string | undefined {
  if (p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p)) return undefined;
  const out: string[] = [];
  for (const seg of p.replace(/\\/g, '/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(seg);
  }
  return out.join('/');
}
