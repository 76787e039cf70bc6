/**
 * Rule path matching: ordered minimatch globs where a `!` pattern excludes and the last pattern
 * that matches a path decides (as in .gitignore). Dotfiles match (`dot: true`), matching is
 * case-sensitive, and globs are repository-relative.
 */
import { Minimatch } from 'minimatch';
import type { ChangedFile } from '../snapshot.js';

/** A compiled ordered glob list. */
export class PathMatcher {
  private readonly patterns: Array<{ negate: boolean; mm: Minimatch }>;

  /** Compiles `globs`; a glob that does not compile never matches (validation reports it). */
  constructor(readonly globs: readonly string[]) {
    this.patterns = globs.map((g) => {
      const negate = g.startsWith('!');
      return {
        negate,
        mm: new Minimatch(negate ? g.slice(1) : g, { dot: true, nocomment: true, nonegate: true }),
      };
    });
  }

  /** True when the last glob matching `path` is a positive one. */
  matches(path: string): boolean {
    let result = false;
    for (const p of this.patterns) if (p.mm.match(path)) result = !p.negate;
    return result;
  }
}

/** Which of a changed file's paths a rule matched (a rename is judged by its old and new path). */
export interface MatchedFile {
  file: ChangedFile;
  /** The paths that matched: the new path, the old one, or both. */
  matchedBy: string[];
}

/**
 * The changed files that `matcher` protects. A renamed or copied file matches when either its
 * new path or its previous path matches, so moving a protected file out of a protected
 * directory is still a protected change.
 */
export function matchFiles(matcher: PathMatcher, files: readonly ChangedFile[]): MatchedFile[] {
  const out: MatchedFile[] = [];
  for (const file of files) {
    const matchedBy: string[] = [];
    if (matcher.matches(file.path)) matchedBy.push(file.path);
    if (
      file.previousPath &&
      file.previousPath !== file.path &&
      matcher.matches(file.previousPath)
    ) {
      matchedBy.push(file.previousPath);
    }
    if (matchedBy.length) out.push({ file, matchedBy });
  }
  return out;
}

/** True when `branch` (no `refs/heads/`) matches one of the globs. */
export function branchMatches(branch: string, globs: readonly string[]): boolean {
  const name = branch.replace(/^refs\/heads\//, '');
  return new PathMatcher(globs).matches(name);
}
