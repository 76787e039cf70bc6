/**
 * Small, exact Markdown writers for renderers: code spans, escaped inline text, table cells and
 * relative links. Output never contains an HTML comment opener, so rendered text can never
 * close or open a render marker.
 */
import path from 'node:path';

/** A code span that survives backticks in `text` (CommonMark §6.1: a longer fence). */
export function code(text: string): string {
  const runs = text.match(/`+/g) ?? [];
  const fence = '`'.repeat(Math.max(0, ...runs.map((r) => r.length)) + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** Escapes Markdown punctuation so `text` renders literally inline (`|` is left to {@link cell}). */
export function escapeInline(text: string): string {
  return text.replace(/[\\`*_[\]<>#~!&]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

/** Makes a table cell of already-formatted Markdown: `|` escaped (also inside code spans, as GFM requires). */
export function cell(markdown: string): string {
  return markdown.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A GFM table: a header row, a delimiter row and one row per entry (cells already formatted). */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), `| ${header.map(() => '---').join(' | ')} |`, ...rows.map(line)].join('\n');
}

/**
 * The link destination from the document `fromFile` to the repository path `to`, relative to the
 * document's directory (as GitHub resolves it), percent-encoded where Markdown needs it.
 */
export function relativeLink(fromFile: string, to: string): string {
  const rel = path.posix.relative(path.posix.dirname(fromFile), to) || path.posix.basename(to);
  return rel
    .split('/')
    .map((seg) =>
      encodeURIComponent(seg).replace(
        /[()]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      ),
    )
    .join('/');
}
