/**
 * Text helpers shared by the drift rules: offset → line/column, one-line excerpts, occurrence
 * counting for stable fingerprints, and a small edit distance for "did you mean" hints.
 *
 * Offsets and columns are in UTF-16 code units (JavaScript string indices), which is SARIF's
 * default `columnKind` (utf16CodeUnits); lines and columns are 1-based.
 */

/** A 1-based line and column. */
export interface LineCol {
  line: number;
  column: number;
}

/** Maps string offsets to 1-based line/column, built once per text (O(n)), queried in O(log n). */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1))
      this.starts.push(i + 1);
  }

  /** The line and column of `offset` (clamped to the text). */
  position(offset: number): LineCol {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: o - this.starts[lo]! + 1 };
  }

  /** The offset where 1-based `line` starts (the text length past the last line). */
  lineStart(line: number): number {
    return this.starts[line - 1] ?? this.text.length;
  }

  /** The offset just past the end of 1-based `line`, excluding its `\n` (and a `\r` before it). */
  lineEnd(line: number): number {
    const next = this.starts[line];
    let end = next === undefined ? this.text.length : next - 1;
    if (end > 0 && this.text.charCodeAt(end - 1) === 13) end--;
    return Math.max(end, this.lineStart(line));
  }

  get lineCount(): number {
    return this.starts.length;
  }
}

/** Shortens `s` to at most `max` characters for a message, on one line. */
export function excerpt(s: string, max = 80): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length <= max ? one : `${one.slice(0, max - 1)}…`;
}

/**
 * Counts how often each key has been seen, so that findings with the same path, rule and
 * matched text get distinct yet line-independent fingerprints: the first occurrence keeps the
 * bare key, later ones get `#2`, `#3`, ... (stable under line shifts, changes only when an
 * earlier identical occurrence is removed).
 */
export class OccurrenceCounter {
  private readonly seen = new Map<string, number>();

  /** The fingerprint key for the next occurrence of `key`. */
  next(key: string): string {
    const n = (this.seen.get(key) ?? 0) + 1;
    this.seen.set(key, n);
    return n === 1 ? key : `${key}#${n}`;
  }
}

/**
 * Levenshtein distance between two strings, or `limit + 1` as soon as it must exceed `limit`
 * (O(|a|·|b|) worst case, early exit per row). Used only for "did you mean" hints.
 */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(
        prev[j]! + 1,
        cur[j - 1]! + 1,
        prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return limit + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

/** The candidate closest to `wanted` within `limit` edits (ties: first in order), if any. */
export function closest(
  wanted: string,
  candidates: Iterable<string>,
  limit = 3,
): string | undefined {
  let best: string | undefined;
  let bestD = limit + 1;
  let n = 0;
  for (const c of candidates) {
    if (++n > 5000) break; // hint only: never let a huge candidate list cost real time
    const d = editDistance(wanted, c, Math.min(limit, bestD));
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best;
}
