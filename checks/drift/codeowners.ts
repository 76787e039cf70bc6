/**
 * CODEOWNERS parsing and pattern matching with GitHub's semantics
 * (https://docs.github.com/en/repositories/managing-your-repositorys-settings-and-features/customizing-your-repository/about-code-owners):
 * - GitHub reads the first of `.github/CODEOWNERS`, `CODEOWNERS`, `docs/CODEOWNERS`;
 * - a line is a path pattern followed by owners; `#` starts a comment line; `\#` escapes a
 *   pattern that starts with `#`; `\ ` escapes a space;
 * - patterns follow gitignore rules (the `ignore` package): no slash (or only a trailing one)
 *   matches at any depth, a leading or inner `/` anchors at the root, a trailing `/` means a
 *   directory and everything in it, `*` and `**` glob; `!` negation and `[ ]` ranges are not
 *   supported by GitHub and are reported.
 */
import ignore from 'ignore';
import type { RepoSnapshot } from '../snapshot.js';
import type { TreeIndex } from './tree.js';

/** Where GitHub looks for CODEOWNERS, in its order of precedence. */
export const CODEOWNERS_PATHS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'] as const;

/** One pattern line. */
export interface CodeownersEntry {
  /** The pattern with escapes resolved. */
  pattern: string;
  /** The pattern as written. */
  raw: string;
  line: number;
  column: number;
}

/** Parses CODEOWNERS text into its pattern lines (comments and blank lines skipped). */
export function parseCodeowners(text: string): CodeownersEntry[] {
  const out: CodeownersEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    const lead = line.length - line.trimStart().length;
    const body = line.slice(lead);
    if (body === '' || body.startsWith('#')) continue;
    let pattern = '';
    let j = 0;
    for (; j < body.length; j++) {
      const c = body[j]!;
      if (c === '\\' && j + 1 < body.length) {
        pattern += body[++j];
        continue;
      }
      if (c === ' ' || c === '\t') break;
      pattern += c;
    }
    out.push({ pattern, raw: body.slice(0, j), line: i + 1, column: lead + 1 });
  }
  return out;
}

/** Why GitHub cannot use this pattern, or undefined. */
export function unsupportedSyntax(pattern: string): string | undefined {
  if (pattern.startsWith('!'))
    return 'negation ("!") is not supported in CODEOWNERS; GitHub skips this line';
  if (/\[[^\]]*\]/.test(pattern))
    return 'character ranges ("[ ]") are not supported in CODEOWNERS; GitHub skips this line';
  return undefined;
}

/** Answers "does this CODEOWNERS pattern match at least one tracked file?". */
export class CodeownersMatcher {
  constructor(
    private readonly snapshot: RepoSnapshot,
    private readonly tree: TreeIndex,
  ) {}

  matchesAny(pattern: string): boolean {
    let p = pattern;
    const dirOnly = p.endsWith('/');
    p = p.replace(/\/+$/, '');
    const rooted = p.startsWith('/');
    p = p.replace(/^\/+/, '');
    if (p === '' || p === '**') return rooted || dirOnly ? this.snapshot.files.length > 0 : true;
    const anchored = rooted || p.includes('/');
    if (!/[*?[]/.test(p)) {
      if (anchored) return dirOnly ? this.tree.isDir(p) && p !== '' : this.tree.exists(p);
      return dirOnly
        ? this.tree.hasDirName(p)
        : this.tree.hasBaseName(p) || this.tree.hasDirName(p);
    }
    const ig = ignore().add(pattern.replace(/^#/, '\\#').replace(/ /g, '\\ '));
    // An anchored pattern can only match below its literal leading directories.
    let prefix = '';
    if (anchored) {
      const segs = p.split('/');
      const lit: string[] = [];
      for (const s of segs.slice(0, -1)) {
        if (/[*?[]/.test(s)) break;
        lit.push(s);
      }
      prefix = lit.length ? `${lit.join('/')}/` : '';
      if (prefix && !this.tree.isDir(prefix.slice(0, -1))) return false;
    }
    for (const f of this.snapshot.files) {
      if (prefix && !f.path.startsWith(prefix)) continue;
      if (ig.ignores(f.path)) return true;
    }
    return false;
  }
}
