/**
 * Labelled regions of a file: the `legacy` label (exempts forbidden patterns) and the
 * `windows-only` label (exempts machine-specific paths).
 *
 * A label `NAME` (default `autopack:legacy`, `autopack:windows-only`) is written in any comment
 * syntax, usually an HTML comment in Markdown:
 * - a section: a comment line holding only `NAME` opens it, the next comment line holding only
 *   `/NAME` closes it; the section covers both marker lines and everything between;
 * - the whole file: a comment line holding only `NAME-file` on one of the first `bannerLines` lines.
 * An opening marker without a closing one exempts nothing (fail closed) and is reported.
 */
import { LineIndex } from './text.js';

/** The regions of one file carrying a label. */
export interface Regions {
  /** True when the file-level banner is present. */
  whole: boolean;
  /** Half-open offset ranges [start, end) of closed sections. */
  ranges: Array<[number, number]>;
  /** Offsets of opening markers that were never closed. */
  unclosed: number[];
}

const cache = new Map<string, { open: RegExp; close: RegExp; file: RegExp }>();

function escapeJs(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function markerRegexes(name: string) {
  let r = cache.get(name);
  if (!r) {
    const n = escapeJs(name);
    // A marker is a comment holding only the label, alone on its line (`<!-- NAME -->`,
    // `# NAME`, `// NAME`, `/* NAME */`...). Prose or code that merely mentions the label (the
    // docs of this very feature, a config string) neither opens nor closes a section.
    const line = (label: string) =>
      new RegExp(
        `^[ \\t]*(?:<!--|#|//|/\\*|--|;|%|\\{#|REM\\b)[ \\t]*${label}[ \\t]*(?:-->|\\*/|#\\})?[ \\t]*\r?$`,
        'gm',
      );
    r = { open: line(n), close: line(`/${n}`), file: line(`${n}-file`) };
    cache.set(name, r);
  }
  return r;
}

/** True when `text` mentions the label at all (a cheap pre-check before {@link findRegions}). */
export function mentionsLabel(text: string, name: string): boolean {
  return text.includes(name);
}

/** Finds the labelled regions of `text` for label `name`. */
export function findRegions(
  text: string,
  name: string,
  bannerLines: number,
  lines?: LineIndex,
): Regions {
  const out: Regions = { whole: false, ranges: [], unclosed: [] };
  if (!text.includes(name)) return out;
  const idx = lines ?? new LineIndex(text);
  const { open, close, file } = markerRegexes(name);
  const bannerEnd = idx.lineStart(bannerLines + 1);
  file.lastIndex = 0;
  if (file.test(text.slice(0, bannerEnd))) out.whole = true;
  const opens: number[] = [];
  const closes: number[] = [];
  for (const m of text.matchAll(open)) opens.push(m.index + m[0].indexOf(name));
  for (const m of text.matchAll(close)) closes.push(m.index + m[0].indexOf(`/${name}`));
  let ci = 0;
  for (let oi = 0; oi < opens.length; oi++) {
    const o = opens[oi]!;
    while (ci < closes.length && closes[ci]! < o) ci++;
    const c = closes[ci];
    const nextOpen = opens[oi + 1];
    if (c === undefined || (nextOpen !== undefined && nextOpen < c)) {
      out.unclosed.push(o);
      continue;
    }
    const startLine = idx.position(o).line;
    const endLine = idx.position(c).line;
    out.ranges.push([idx.lineStart(startLine), idx.lineEnd(endLine)]);
    ci++;
  }
  return out;
}

/** True when `offset` lies in the file banner's scope or in a closed section. */
export function inRegions(r: Regions, offset: number): boolean {
  if (r.whole) return true;
  for (const [s, e] of r.ranges) if (offset >= s && offset < e) return true;
  return false;
}
