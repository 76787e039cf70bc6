/**
 * A CODEOWNERS parser and matcher following GitHub's documented rules
 * (docs.github.com, "About code owners", "CODEOWNERS syntax"):
 *
 * - GitHub reads the first of `.github/CODEOWNERS`, `CODEOWNERS`, `docs/CODEOWNERS` on the base
 *   branch; a file of 3 MB or more is not loaded.
 * - Each line is a pattern followed by owners (`@user`, `@org/team`, or an e-mail address);
 *   `#` starts a comment (a whole line, or after whitespace). The LAST matching line wins; a
 *   matching line with no owners leaves the path with no owner.
 * - Patterns follow .gitignore rules, except: `\#` escaping does not work, `!` negation does
 *   not work, `[ ]` ranges do not work, and paths are case-sensitive. A line GitHub cannot
 *   parse is skipped (listed in `errors` here).
 * - A pattern with a slash at the start or in the middle is anchored at the repository root;
 *   otherwise it matches at any depth. A pattern matching a directory matches everything
 *   inside it; a trailing `/*` matches only the directory's direct children; a trailing `/`
 *   matches only what is inside the directory; `**` spans directories.
 */
import type { FileContent } from '../snapshot.js';
import type { CodeownersSource } from './types.js';

/** The locations GitHub reads, in the order it looks. */
export const CODEOWNERS_PATHS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'] as const;

/** GitHub does not load a CODEOWNERS file of this size or more (bytes). */
export const CODEOWNERS_MAX_BYTES = 3 * 1024 * 1024;

/** One owner: a user, a team (`org/slug`) or an e-mail address. Logins and teams lower-cased. */
export type Owner =
  | { kind: 'user'; login: string; raw: string }
  | { kind: 'team'; team: string; raw: string }
  | { kind: 'email'; email: string; raw: string };

/** One parsed line. */
export interface CodeownersEntry {
  pattern: string;
  owners: Owner[];
  /** 1-based line number in the file. */
  line: number;
  regex: RegExp;
}

/** A line GitHub would skip. */
export interface CodeownersError {
  line: number;
  message: string;
}

/** A parsed CODEOWNERS file. */
export interface Codeowners {
  path: string;
  entries: CodeownersEntry[];
  errors: CodeownersError[];
}

/** The owners of one path, and the line that decided it. */
export interface OwnerMatch {
  owners: Owner[];
  /** The deciding line, or undefined when no line matches. */
  entry?: CodeownersEntry;
}

const USER_RE = /^@([A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38})$/;
const TEAM_RE = /^@([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9][A-Za-z0-9._-]*)$/;
const EMAIL_RE = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Parses CODEOWNERS text. Never throws: unparseable lines are reported in `errors` and skipped. */
export function parseCodeowners(text: string, path = '.github/CODEOWNERS'): Codeowners {
  const entries: CodeownersEntry[] = [];
  const errors: CodeownersError[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const tokens = tokenize(lines[i] ?? '');
    if (tokens.length === 0) continue;
    const [pattern, ...ownerTokens] = tokens as [string, ...string[]];
    const problem = patternProblem(pattern);
    if (problem) {
      errors.push({ line: lineNo, message: problem });
      continue;
    }
    const owners: Owner[] = [];
    let bad: string | undefined;
    for (const t of ownerTokens) {
      const team = TEAM_RE.exec(t);
      const user = USER_RE.exec(t);
      if (team) owners.push({ kind: 'team', team: `${team[1]}/${team[2]}`.toLowerCase(), raw: t });
      else if (user) owners.push({ kind: 'user', login: user[1]!.toLowerCase(), raw: t });
      else if (EMAIL_RE.test(t)) owners.push({ kind: 'email', email: t.toLowerCase(), raw: t });
      else {
        bad = t;
        break;
      }
    }
    if (bad !== undefined) {
      errors.push({
        line: lineNo,
        message: `invalid owner "${bad}" (expected @user, @org/team or an e-mail address)`,
      });
      continue;
    }
    entries.push({ pattern, owners, line: lineNo, regex: patternToRegex(pattern) });
  }
  return { path, entries, errors };
}

/**
 * Splits a line into pattern and owners: whitespace separates, `\ ` keeps a space in the
 * pattern, `#` at the start of a token starts a comment.
 */
function tokenize(line: string): string[] {
  const tokens: string[] = [];
  let cur = '';
  let inToken = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '\\' && i + 1 < line.length && line[i + 1] === ' ') {
      cur += '\\ ';
      inToken = true;
      i++;
      continue;
    }
    if (ch === ' ' || ch === '\t') {
      if (inToken) tokens.push(cur);
      cur = '';
      inToken = false;
      continue;
    }
    if (ch === '#' && !inToken) break;
    cur += ch;
    inToken = true;
  }
  if (inToken) tokens.push(cur);
  return tokens;
}

function patternProblem(pattern: string): string | undefined {
  if (pattern.startsWith('!')) return `negation ("${pattern}") is not supported in CODEOWNERS`;
  if (/(^|[^\\])\[/.test(pattern))
    return `character ranges ("${pattern}") are not supported in CODEOWNERS`;
  if (pattern.includes('***'))
    return `"${pattern}": three consecutive asterisks are not a valid pattern`;
  return undefined;
}

function escapeRe(ch: string): string {
  return ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** Compiles one CODEOWNERS pattern to an anchored regular expression over repo-relative paths. */
export function patternToRegex(pattern: string): RegExp {
  if (pattern === '/') return /^(?!)/; // matches nothing
  let segs = pattern.split('/');
  if (segs[0] === '') {
    segs = segs.slice(1); // leading slash: anchored at the root
  } else if (segs.length === 1 || (segs.length === 2 && segs[1] === '')) {
    // A single segment (optionally with a trailing slash) matches at any depth.
    if (segs[0] !== '**') segs = ['**', ...segs];
  }
  if (segs.length > 1 && segs[segs.length - 1] === '') segs[segs.length - 1] = '**'; // trailing slash: contents
  const last = segs.length - 1;
  let re = '^';
  let needSlash = false;
  segs.forEach((seg, i) => {
    if (seg === '**') {
      if (i === 0 && i === last) re += '.+';
      else if (i === 0) {
        re += '(?:.+/)?';
        needSlash = false;
      } else if (i === last) re += '/.*';
      else {
        re += '(?:/.+)?';
        needSlash = true;
      }
      return;
    }
    if (needSlash) re += '/';
    if (seg === '*') {
      re += '[^/]+';
    } else {
      for (let j = 0; j < seg.length; j++) {
        const ch = seg[j]!;
        if (ch === '\\' && j + 1 < seg.length) re += escapeRe(seg[++j]!);
        else if (ch === '*') re += '[^/]*';
        else if (ch === '?') re += '[^/]';
        else re += escapeRe(ch);
      }
      if (i === last) re += '(?:/.*)?'; // a file, or a directory and everything in it
    }
    needSlash = true;
  });
  return new RegExp(re + '$');
}

/** The owners of `path`: the last matching line wins (GitHub's precedence). */
export function ownersOf(co: Codeowners, path: string): OwnerMatch {
  for (let i = co.entries.length - 1; i >= 0; i--) {
    const e = co.entries[i]!;
    if (e.regex.test(path)) return { owners: e.owners, entry: e };
  }
  return { owners: [] };
}

/**
 * Reads CODEOWNERS the way GitHub does: the first of {@link CODEOWNERS_PATHS} that exists on
 * the given revision (the base branch). A file of 3 MB or more is not loaded (as on GitHub);
 * an unreadable one is an `error` (fail closed: no code owner is confirmed).
 */
export async function readCodeowners(
  read: (path: string) => Promise<FileContent>,
): Promise<CodeownersSource> {
  for (const path of CODEOWNERS_PATHS) {
    const content = await read(path);
    switch (content.kind) {
      case 'missing':
        continue;
      case 'text':
        if (content.size >= CODEOWNERS_MAX_BYTES)
          return { status: 'error', error: `${path} is 3 MB or larger; GitHub does not load it` };
        return { status: 'found', path, text: content.text };
      case 'too-large':
        return { status: 'error', error: `${path} is too large to read (${content.size} bytes)` };
      case 'binary':
        return { status: 'error', error: `${path} is not a text file` };
      case 'symlink':
        return { status: 'error', error: `${path} is a symbolic link; GitHub does not follow it` };
      case 'unreadable':
        return { status: 'error', error: `${path} could not be read: ${content.error}` };
    }
  }
  return { status: 'absent' };
}
