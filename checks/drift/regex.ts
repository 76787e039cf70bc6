/**
 * User-supplied regular expressions, compiled with RE2JS (a JavaScript port of RE2): matching
 * runs in time linear in the input, so a pattern such as `(a+)+$` cannot hang the bot (no
 * backtracking). The syntax is RE2's (https://github.com/google/re2/wiki/Syntax): no
 * look-around and no back-references; `(?P<name>...)` and `(?<name>...)` name a group.
 *
 * Flags: `^` and `$` match at line boundaries (multi-line) unless a rule says otherwise; `.`
 * never matches a newline; `ignore-case` adds case-insensitive matching.
 */
import { RE2JS } from 're2js';

/** How to compile a user pattern. */
export interface RegexOptions {
  ignoreCase?: boolean;
  /** `^`/`$` at line boundaries (default true). */
  multiline?: boolean;
}

/** A compiled user pattern. */
export interface UserRegex {
  source: string;
  re: RE2JS;
  /** Capture groups in the pattern (0 when none). */
  groups: number;
  /** Index of the group named `value`, if any. */
  valueGroup?: number;
  ignoreCase: boolean;
}

/** One match: UTF-16 offsets into the text, and the chosen capture (see {@link capture}). */
export interface RegexMatch {
  start: number;
  end: number;
  text: string;
  /** The `value` group, else group 1, else the whole match; with its offset. */
  capture: { text: string; start: number } | undefined;
}

/** The pattern does not compile; `message` is RE2's own explanation. */
export class RegexError extends Error {
  constructor(
    readonly source: string,
    message: string,
  ) {
    super(message);
    this.name = 'RegexError';
  }
}

/**
 * Compiled patterns by flags and source, shared by every run of the process (an App evaluates
 * the same policy's patterns for every pull request; compiling the recommended portability
 * pattern costs ~1 ms). A compiled RE2JS pattern is immutable, so sharing it is safe. Bounded:
 * past the limit the oldest entry goes.
 */
const COMPILED = new Map<string, UserRegex>();
const COMPILED_MAX = 512;

/**
 * Compiles `source` (or returns the same pattern compiled earlier); throws RegexError with RE2's
 * message when the syntax is invalid.
 */
export function compileRegex(source: string, opts: RegexOptions = {}): UserRegex {
  let flags = 0;
  if (opts.multiline !== false) flags |= RE2JS.MULTILINE;
  if (opts.ignoreCase) flags |= RE2JS.CASE_INSENSITIVE;
  const key = `${flags}\u0000${source}`;
  const known = COMPILED.get(key);
  if (known) return known;
  const compiled = compileUncached(source, flags, opts);
  if (COMPILED.size >= COMPILED_MAX) COMPILED.delete(COMPILED.keys().next().value!);
  COMPILED.set(key, compiled);
  return compiled;
}

function compileUncached(source: string, flags: number, opts: RegexOptions): UserRegex {
  let re: RE2JS;
  try {
    re = RE2JS.compile(source, flags);
  } catch (e) {
    const msg = (e as Error).message.replace(/^error parsing regexp: /, '');
    throw new RegexError(source, `invalid regular expression (RE2 syntax): ${msg}`);
  }
  const named = re.namedGroups() as Record<string, number>;
  return {
    source,
    re,
    groups: re.groupCount(),
    valueGroup: named.value,
    ignoreCase: opts.ignoreCase === true,
  };
}

/**
 * Why `source` is unusable as a pattern, or undefined when it compiles. With `nonEmpty`, a
 * pattern that matches the empty string is refused too (it would match every file).
 */
export function regexProblem(
  source: string,
  opts: RegexOptions & { nonEmpty?: boolean } = {},
): string | undefined {
  let r: UserRegex;
  try {
    r = compileRegex(source, opts);
  } catch (e) {
    return (e as Error).message;
  }
  if (opts.nonEmpty && r.re.matches(''))
    return `regular expression ${JSON.stringify(source)} matches the empty string`;
  return undefined;
}

/** True when the pattern matches somewhere in `text` (DFA, no capture bookkeeping). */
export function testRegex(r: UserRegex, text: string): boolean {
  return r.re.test(text);
}

/** Every non-overlapping match in `text`, left to right (empty matches advance by one). */
export function* matchAll(r: UserRegex, text: string): Generator<RegexMatch> {
  const m = r.re.matcher(text);
  while (m.find()) {
    const start = m.start();
    const end = m.end();
    let capture: RegexMatch['capture'];
    const g = r.valueGroup ?? (r.groups > 0 ? 1 : 0);
    const t = m.group(g);
    if (t !== null) capture = { text: t, start: m.start(g) };
    yield { start, end, text: text.slice(start, end), capture };
  }
}

/** A literal string as an RE2 pattern (metacharacters quoted). */
export function quoteLiteral(s: string): string {
  return RE2JS.quote(s);
}

const RE2_META = new Set([...'\\.+*?()|[]{}^$']);

/**
 * A string every match of `source` (RE2 syntax) starts with, or undefined when none of at
 * least `min` characters is certain. Conservative on purpose (a wrong answer would hide
 * matches): only a leading run of plain characters and escaped punctuation counts, after an
 * optional `^`, in a pattern with no `|` at all; a character followed by `?`, `*` or `{` is not
 * certain. `/home/[a-z]+/` gives `/home/`, `C:\\dev\\` gives `C:\dev\`.
 */
export function requiredLiteral(source: string, min = 3): string | undefined {
  if (source.includes('|')) return undefined;
  let i = source.startsWith('^') ? 1 : 0;
  let out = '';
  while (i < source.length) {
    const c = source[i]!;
    if (c === '\\') {
      const next = source[i + 1];
      if (next === undefined || /[A-Za-z0-9]/.test(next)) break;
      out += next;
      i += 2;
      continue;
    }
    if (RE2_META.has(c)) break;
    out += c;
    i++;
  }
  if (out && source[i] !== undefined && '?*{'.includes(source[i]!))
    out = [...out].slice(0, -1).join('');
  return out.length >= min ? out : undefined;
}
