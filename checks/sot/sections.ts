/**
 * Rendered sections: the text between `<!-- autopack:render KEY -->` and
 * `<!-- /autopack:render -->`, each marker an HTML comment block on its own line at the top
 * level of a Markdown document (markers inside code blocks, lists or quotes are not markers, so
 * documentation can show them). Finding sections, comparing them, and rewriting only their
 * bodies with every other byte preserved.
 */
import type { Html } from 'mdast';
import { parseMarkdown, visit } from './markdown.js';

/** The text that must appear in a document for it to hold a marker (a cheap pre-filter). */
export const MARKER_NEEDLE = 'autopack:render';

const OPEN = /^<!--\s*autopack:render\s+(\S+?)\s*-->$/;
const CLOSE = /^<!--\s*\/autopack:render\s*-->$/;
const ANY = /^<!--\s*\/?autopack:render\b/;

/** One rendered section of a document. Offsets index the document's text (UTF-16 code units). */
export interface RenderSection {
  key: string;
  /** 1-based line and column of the opening marker. */
  line: number;
  column: number;
  /** 1-based line of the closing marker. */
  endLine: number;
  /** The body: from the line after the opening marker to the start of the closing marker's line. */
  bodyStart: number;
  bodyEnd: number;
  body: string;
}

/** A marker problem: unbalanced, nested, or not at the top level. */
export interface MarkerProblem {
  message: string;
  line: number;
  column: number;
  /** Stable identity for a fingerprint (never a line number). */
  key: string;
}

/** Finds the rendered sections of a Markdown document, and the marker problems. */
export function findSections(text: string): {
  sections: RenderSection[];
  problems: MarkerProblem[];
} {
  const sections: RenderSection[] = [];
  const problems: MarkerProblem[] = [];
  if (!text.includes(MARKER_NEEDLE)) return { sections, problems };
  const tree = parseMarkdown(text);
  const topLevel = new Set<unknown>(tree.children);
  let open: { key: string; node: Html } | undefined;
  let occurrence = 0;
  visit(tree, (node) => {
    if (node.type !== 'html' || !node.position) return;
    const value = node.value.trim();
    if (!ANY.test(value)) return;
    const { line, column } = node.position.start;
    occurrence++;
    if (!topLevel.has(node)) {
      problems.push({
        message:
          'a render marker must be an HTML comment on its own line at the top level of the document (not inside a list, quote or paragraph); it is ignored',
        line,
        column,
        key: `nested-block:${occurrence}`,
      });
      return;
    }
    const openMatch = OPEN.exec(value);
    if (openMatch) {
      if (open) {
        problems.push({
          message: `render marker for ${openMatch[1]} opens inside the section ${open.key}, which is not closed yet`,
          line,
          column,
          key: `nested:${open.key}:${openMatch[1]}`,
        });
        return;
      }
      open = { key: openMatch[1]!, node };
      return;
    }
    if (CLOSE.test(value)) {
      if (!open) {
        problems.push({
          message:
            'closing render marker without an opening `<!-- autopack:render KEY -->` above it',
          line,
          column,
          key: `stray-close:${occurrence}`,
        });
        return;
      }
      const start = open.node.position!;
      const nl = text.indexOf('\n', start.end.offset!);
      const bodyStart = nl === -1 ? text.length : nl + 1;
      const closeStart = node.position.start.offset!;
      const bodyEnd = Math.max(bodyStart, text.lastIndexOf('\n', closeStart - 1) + 1);
      sections.push({
        key: open.key,
        line: start.start.line,
        column: start.start.column,
        endLine: line,
        bodyStart,
        bodyEnd,
        body: text.slice(bodyStart, bodyEnd),
      });
      open = undefined;
      return;
    }
    problems.push({
      message: `malformed render marker ${JSON.stringify(value.slice(0, 80))}: write \`<!-- autopack:render KEY -->\` or \`<!-- /autopack:render -->\``,
      line,
      column,
      key: `malformed:${value.slice(0, 80)}`,
    });
  });
  if (open) {
    const { line, column } = open.node.position!.start;
    problems.push({
      message: `render marker for ${open.key} is never closed with \`<!-- /autopack:render -->\``,
      line,
      column,
      key: `unclosed:${open.key}`,
    });
  }
  return { sections, problems };
}

/** The line ending a document uses (`\r\n` when its first line ends so, else `\n`). */
export function eolOf(text: string): string {
  const i = text.indexOf('\n');
  return i > 0 && text[i - 1] === '\r' ? '\r\n' : '\n';
}

/**
 * The canonical body written for rendered Markdown: a blank line, the rendered text, a blank
 * line (so a table or list never runs into a marker), in the document's line ending.
 */
export function canonicalBody(rendered: string, eol: string): string {
  const lines = rendered.replace(/\r\n/g, '\n').replace(/\n+$/, '').split('\n');
  return ['', ...lines, '', ''].join(eol);
}

/**
 * True when a section's body says the same as the rendered text: compared line by line after
 * trimming trailing whitespace and blank lines at either end; table rows are compared cell by
 * cell (padding ignored, delimiter rows by alignment only), so a Markdown formatter that aligns
 * tables does not break the match. Any other difference, however small, is a mismatch.
 */
export function sectionMatches(body: string, rendered: string): boolean {
  return firstDifference(body, rendered) === undefined;
}

/**
 * The first line where a section's body and the rendered text differ (after the normalisation
 * of {@link sectionMatches}), or undefined when they match. `actual`/`expected` are undefined
 * past the end of either side.
 */
export function firstDifference(
  body: string,
  rendered: string,
): { actual?: string; expected?: string } | undefined {
  const a = normalizeForCompare(body);
  const b = normalizeForCompare(rendered);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return { actual: a[i], expected: b[i] };
  }
  return undefined;
}

function normalizeForCompare(text: string): string[] {
  const lines = text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((l) => l.trimEnd());
  while (lines.length && lines[0] === '') lines.shift();
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.map(normalizeTableRow);
}

function normalizeTableRow(line: string): string {
  const t = line.trim();
  if (!t.startsWith('|')) return line;
  const cells = splitCells(t).map((c) => c.trim());
  if (cells.length && cells.every((c) => /^:?-+:?$/.test(c))) {
    return `|${cells.map((c) => `${c.startsWith(':') ? ':' : ''}-${c.endsWith(':') ? ':' : ''}`).join('|')}|`;
  }
  return `|${cells.join('|')}|`;
}

/** Splits a GFM table row on unescaped `|` (outer pipes dropped). */
function splitCells(row: string): string[] {
  const cells: string[] = [];
  let cur = '';
  for (let i = 0; i < row.length; i++) {
    const ch = row[i]!;
    if (ch === '\\' && i + 1 < row.length) {
      cur += ch + row[i + 1];
      i++;
    } else if (ch === '|') {
      cells.push(cur);
      cur = '';
    } else cur += ch;
  }
  cells.push(cur);
  if (cells[0]?.trim() === '') cells.shift();
  if (cells.length && cells[cells.length - 1]!.trim() === '') cells.pop();
  return cells;
}

/**
 * Replaces section bodies (each `[section, newBody]`) in `text`; everything outside the bodies,
 * the markers included, is kept byte for byte. Sections must come from {@link findSections}
 * on this same text.
 */
export function replaceSections(
  text: string,
  replacements: ReadonlyArray<readonly [RenderSection, string]>,
): string {
  const sorted = [...replacements].sort((a, b) => a[0].bodyStart - b[0].bodyStart);
  let out = '';
  let at = 0;
  for (const [section, body] of sorted) {
    out += text.slice(at, section.bodyStart) + body;
    at = section.bodyEnd;
  }
  return out + text.slice(at);
}
