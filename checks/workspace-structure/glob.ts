/**
 * Path patterns for workspace-structure, compiled once with minimatch and matched fast.
 *
 * Semantics (docs/checks/workspace-structure.md, "Patterns"):
 * - a pattern is a minimatch glob over the repository-relative, `/`-separated path, with
 *   `dot: true` (so `.env` and `.github/...` match) and braces (`*.{yml,yaml}`);
 * - a leading `/` or `./` is dropped: every pattern is anchored at the repository root
 *   (`dist/` is the root `dist`, `**\/dist/` is any `dist`);
 * - a trailing `/` (or `/**`) makes a directory pattern: it matches a directory, covers every
 *   tracked file below it, and lets a rule report the directory once instead of each file.
 *
 * Speed: an alternative of the form `**\/<one segment>` is tested on the base name only and
 * memoised per base name; other alternatives are guarded by their literal prefix; directory
 * patterns are tested once per distinct directory. Over tldr-pages/tldr (38,491 files) a dozen
 * rules cost tens of milliseconds.
 */
import { Minimatch, type MinimatchOptions } from 'minimatch';

/** A pattern as written in the config, split into its directory / file form. */
export interface ParsedPattern {
  /** The pattern as written. */
  source: string;
  /** The glob to match (leading `/` or `./`, trailing `/` or `/**` removed). */
  glob: string;
  /** True for a directory pattern (written with a trailing `/` or `/**`). */
  dir: boolean;
}

/** Splits a config pattern into its glob and directory flag. */
export function parsePattern(source: string): ParsedPattern {
  let glob = source.trim();
  while (glob.startsWith('./')) glob = glob.slice(2);
  while (glob.startsWith('/')) glob = glob.slice(1);
  let dir = false;
  if (glob.endsWith('/**') && glob.length > 3) {
    glob = glob.slice(0, -3);
    dir = true;
  }
  while (glob.endsWith('/')) {
    glob = glob.slice(0, -1);
    dir = true;
  }
  return { source, glob, dir };
}

/**
 * Why a pattern is unusable, or undefined when it is fine. Used by validateConfig so that a bad
 * pattern is a config error with file and line, never a silent no-match.
 */
export function patternProblem(source: string): string | undefined {
  const p = parsePattern(source);
  if (p.glob === '') return `pattern "${source}" is empty (it would match nothing)`;
  if (source.trim().startsWith('!')) {
    return `pattern "${source}": negation is not supported here; list exceptions under "allow"`;
  }
  if (p.glob.split('/').some((seg) => seg === '..')) {
    return `pattern "${source}" leaves the repository ("..")`;
  }
  if (p.glob.includes('\\')) {
    return `pattern "${source}" contains a backslash; paths use "/" (escape glob characters with [ ])`;
  }
  try {
    new Minimatch(p.glob, baseOptions(false));
  } catch (e) {
    return `pattern "${source}" does not compile: ${(e as Error).message}`;
  }
  return undefined;
}

function baseOptions(caseSensitive: boolean): MinimatchOptions {
  return { dot: true, nocase: !caseSensitive, nocomment: true, nonegate: true };
}

const MAGIC = /[*?[{(!+@]/;

/** One brace-expanded alternative, compiled. */
interface Alternative {
  /** Tests the base name only (`**\/<segment>`). */
  basename: boolean;
  /** Literal prefix of the path (lower-cased when case-insensitive), a cheap guard. */
  prefix: string;
  /** The longest literal run of the glob: a matching string must contain it (cheap guard). */
  needle: string;
  mm: Minimatch;
}

/**
 * The longest run of literal characters in a brace-expanded glob (lower-cased when
 * case-insensitive), or `''` when the glob uses extglobs or has no literal worth testing.
 * Every string the glob matches contains this run, so `includes` rules most strings out before
 * minimatch runs.
 */
export function longestLiteral(glob: string, caseSensitive: boolean): string {
  if (glob.includes('(')) return '';
  let best = '';
  let run = '';
  const end = () => {
    if (run.length > best.length) best = run;
    run = '';
  };
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '\\' && i + 1 < glob.length) {
      run += glob[++i];
    } else if (c === '*' || c === '?') {
      end();
    } else if (c === '[') {
      end();
      const close = glob.indexOf(']', i + 2);
      if (close < 0) return '';
      i = close;
    } else {
      run += c;
    }
  }
  end();
  return caseSensitive ? best : best.toLowerCase();
}

/** A compiled set of globs that all share one case mode; tests paths or base names. */
class GlobGroup {
  private readonly full: Alternative[] = [];
  private readonly base: Alternative[] = [];
  private readonly baseMemo = new Map<string, boolean>();

  constructor(
    globs: readonly string[],
    private readonly caseSensitive: boolean,
  ) {
    const opts = baseOptions(caseSensitive);
    for (const glob of globs) {
      const alts = new Minimatch(glob, opts).braceExpand();
      for (const alt of alts) {
        const rest = alt.startsWith('**/') ? alt.slice(3) : undefined;
        if (rest !== undefined && rest !== '' && !rest.includes('/') && !rest.includes('**')) {
          this.base.push({
            basename: true,
            prefix: '',
            needle: longestLiteral(rest, caseSensitive),
            mm: new Minimatch(rest, opts),
          });
        } else {
          const m = MAGIC.exec(alt);
          const lit = m ? alt.slice(0, m.index) : alt;
          this.full.push({
            basename: false,
            prefix: caseSensitive ? lit : lit.toLowerCase(),
            needle: longestLiteral(alt, caseSensitive),
            mm: new Minimatch(alt, opts),
          });
        }
      }
    }
  }

  get empty(): boolean {
    return this.full.length === 0 && this.base.length === 0;
  }

  /** True when some glob has to see the whole path (not of the `**\/<segment>` form). */
  get needsFullPath(): boolean {
    return this.full.length > 0;
  }

  /**
   * True when a `**\/<segment>` glob matches this base name. Memoised unless `memo` is false
   * (for a caller that memoises across several groups itself).
   */
  testBasename(name: string, memo = true): boolean {
    if (this.base.length === 0) return false;
    let hit = memo ? this.baseMemo.get(name) : undefined;
    if (hit === undefined) {
      const folded = this.caseSensitive ? name : name.toLowerCase();
      hit = this.base.some((a) => folded.includes(a.needle) && a.mm.match(name));
      if (memo) this.baseMemo.set(name, hit);
    }
    return hit;
  }

  /** True when a glob that needs the whole path matches `path`. */
  testFullPath(path: string): boolean {
    if (this.full.length === 0) return false;
    let folded: string | undefined;
    for (const a of this.full) {
      if (a.prefix) {
        const head = path.slice(0, a.prefix.length);
        if ((this.caseSensitive ? head : head.toLowerCase()) !== a.prefix) continue;
      }
      folded ??= this.caseSensitive ? path : path.toLowerCase();
      if (!folded.includes(a.needle)) continue;
      if (a.mm.match(path)) return true;
    }
    return false;
  }

  /** True when `path` (a file or directory path, no trailing `/`) matches some glob. */
  test(path: string): boolean {
    return (
      (this.base.length > 0 && this.testBasename(path.slice(path.lastIndexOf('/') + 1))) ||
      this.testFullPath(path)
    );
  }
}

/** The parent directory of a repository path (`''` for a root entry). */
export function parentDir(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/**
 * A compiled list of patterns (file and directory forms). Construction throws for a pattern
 * minimatch rejects; call {@link patternProblem} first to report it as a config error.
 */
export class PathMatcher {
  readonly sources: readonly string[];
  private readonly files: GlobGroup;
  private readonly dirs: GlobGroup;
  /** directory → outermost matching directory at or above it (null: none). */
  private readonly dirMemo = new Map<string, string | null>();
  /**
   * The depths (count of `/`) a covered path can have, when every pattern fixes it: file
   * patterns without `**` or braces. Undefined when some pattern can match at any depth.
   */
  readonly fixedDepths: ReadonlySet<number> | undefined;

  constructor(patterns: readonly string[], opts: { caseSensitive?: boolean } = {}) {
    const caseSensitive = opts.caseSensitive ?? true;
    this.sources = patterns;
    const parsed = patterns.map(parsePattern).filter((p) => p.glob !== '');
    this.fixedDepths = parsed.every((p) => !p.dir && !/\*\*|[{}(]/.test(p.glob))
      ? new Set(parsed.map((p) => p.glob.split('/').length - 1))
      : undefined;
    this.files = new GlobGroup(
      parsed.filter((p) => !p.dir).map((p) => p.glob),
      caseSensitive,
    );
    this.dirs = new GlobGroup(
      parsed.filter((p) => p.dir).map((p) => p.glob),
      caseSensitive,
    );
  }

  /** True when the matcher has no patterns at all. */
  get empty(): boolean {
    return this.files.empty && this.dirs.empty;
  }

  /** True when a file pattern matches `path` itself (directory patterns are not consulted). */
  matchesFile(path: string): boolean {
    return !this.files.empty && this.files.test(path);
  }

  /** True when some file pattern must see the whole path (see {@link matchesFileBasename}). */
  get fileNeedsFullPath(): boolean {
    return this.files.needsFullPath;
  }

  /**
   * True when a `**\/<segment>` file pattern matches this base name. Together with
   * {@link matchesFileFullPath} this is {@link matchesFile}, split so a caller scanning many
   * files can memoise on the base name across several matchers.
   */
  matchesFileBasename(name: string): boolean {
    return this.files.testBasename(name, false);
  }

  /** True when the matcher has directory patterns (`dir/` forms). */
  get hasDirPatterns(): boolean {
    return !this.dirs.empty;
  }

  /** True when a file pattern that needs the whole path matches `path`. */
  matchesFileFullPath(path: string): boolean {
    return this.files.testFullPath(path);
  }

  /**
   * The outermost directory at or above `dir` (a directory path, `''` for the root) that a
   * directory pattern matches, or undefined. Memoised per directory.
   */
  outermostDir(dir: string): string | undefined {
    if (dir === '' || this.dirs.empty) return undefined;
    const known = this.dirMemo.get(dir);
    if (known !== undefined) return known ?? undefined;
    const above = this.outermostDir(parentDir(dir));
    const found = above ?? (this.dirs.test(dir) ? dir : undefined);
    this.dirMemo.set(dir, found ?? null);
    return found;
  }

  /** True when a directory pattern matches this directory path itself. */
  matchesDir(dir: string): boolean {
    return dir !== '' && !this.dirs.empty && this.dirs.test(dir);
  }

  /**
   * How `path` (a tracked file) is matched: `{ dir }` when it lies under a matched directory
   * (the outermost one), `{ file: true }` when a file pattern matches it, else undefined.
   */
  match(path: string): { dir?: string; file?: true } | undefined {
    const dir = this.dirs.empty ? undefined : this.outermostDir(parentDir(path));
    if (dir !== undefined) return { dir };
    return this.matchesFile(path) ? { file: true } : undefined;
  }

  /** True when `path` is matched in either way. */
  covers(path: string): boolean {
    return this.match(path) !== undefined;
  }
}
