/**
 * Markdown for the `sot` check: parsing (CommonMark + GFM, via mdast-util-from-markdown), the
 * links a document renders (inline, reference-style, and `href` of raw HTML anchors) with the
 * headings they sit under, and how a link resolves to a repository path the way GitHub's file
 * view resolves it (relative to the document's directory; a leading `/` is the repository root).
 */
import path from 'node:path';
import type { Definition, Heading, Html, Link, LinkReference, Nodes, Root } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { toString } from 'mdast-util-to-string';
import { gfm } from 'micromark-extension-gfm';
import { normalizeRepoPath } from '../snapshot.js';

/** Parses Markdown (GFM) into an mdast tree with positions. Never throws for any input text. */
export function parseMarkdown(text: string): Root {
  return fromMarkdown(text, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });
}

/** A link as a reader sees it rendered. Lines and columns are 1-based. */
export interface MdLink {
  /** The destination as written (reference-style links: the definition's destination). */
  url: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** Texts of the top-level headings the link sits under, outermost first. */
  headings: string[];
}

const HREF = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')/gi;

/**
 * Every link the document renders, in document order: `[t](url)`, `[t][ref]` / `[ref]` resolved
 * through their definitions (an undefined reference renders as text and is skipped), and the
 * `href` of HTML anchors. Links inside code are not links. Heading context comes from top-level
 * headings (`#`/setext), which is how a document's sections are read.
 */
export function collectLinks(tree: Root): MdLink[] {
  const definitions = new Map<string, string>();
  visit(tree, (node) => {
    if (node.type === 'definition') {
      const d = node as Definition;
      if (!definitions.has(d.identifier)) definitions.set(d.identifier, d.url);
    }
  });
  const links: MdLink[] = [];
  const stack: Array<{ depth: number; text: string }> = [];
  for (const child of tree.children) {
    if (child.type === 'heading') {
      const h = child as Heading;
      while (stack.length && stack[stack.length - 1]!.depth >= h.depth) stack.pop();
      stack.push({ depth: h.depth, text: normalizeHeading(toString(h)) });
    }
    const headings = stack.map((s) => s.text);
    visit(child, (node) => {
      const pos = node.position;
      if (!pos) return;
      const at = {
        line: pos.start.line,
        column: pos.start.column,
        endLine: pos.end.line,
        endColumn: pos.end.column,
        headings,
      };
      if (node.type === 'link') links.push({ url: (node as Link).url, ...at });
      else if (node.type === 'linkReference') {
        const url = definitions.get((node as LinkReference).identifier);
        if (url !== undefined) links.push({ url, ...at });
      } else if (node.type === 'html') {
        for (const m of (node as Html).value.matchAll(HREF)) {
          links.push({ url: decodeEntities(m[1] ?? m[2] ?? ''), ...at });
        }
      }
    });
  }
  return links;
}

/** The normalised texts of the top-level headings of a document, in order. */
export function headingTexts(tree: Root): string[] {
  return tree.children
    .filter((c): c is Heading => c.type === 'heading')
    .map((h) => normalizeHeading(toString(h)));
}

/** A heading's text as sections are matched: whitespace collapsed, trimmed, lower-cased. */
export function normalizeHeading(text: string): string {
  return text.replace(/\s+/g, ' ').trim().toLowerCase();
}

/** Where a link points inside the repository. */
export interface LinkTarget {
  /** Normalised repository path ('' for the repository root). */
  path: string;
  /** The link ends with `/`: it names a directory. */
  directory: boolean;
}

/**
 * Resolves a link destination written in `fromFile` to a repository path, as GitHub's file view
 * does: relative to the file's directory, or to the repository root when it starts with `/`;
 * `?query` and `#fragment` dropped; percent-escapes decoded. Undefined for external URLs
 * (any `scheme:` or `//host`), same-document anchors, and paths that leave the repository.
 */
export function resolveLink(fromFile: string, url: string): LinkTarget | undefined {
  const raw = url.trim();
  if (raw === '' || raw.startsWith('#') || raw.startsWith('//')) return undefined;
  if (/^[a-z][a-z0-9+.-]*:/i.test(raw)) return undefined;
  let p = raw.replace(/[?#].*$/s, '');
  if (p === '') return undefined;
  try {
    p = decodeURIComponent(p);
  } catch {
    // a stray `%`: keep the text as written
  }
  const joined = p.startsWith('/') ? p.slice(1) : path.posix.join(path.posix.dirname(fromFile), p);
  const rel = normalizeRepoPath(joined);
  if (rel === undefined) return undefined;
  return { path: rel, directory: p.endsWith('/') };
}

/** Calls `fn` for `node` and every descendant, in document order. */
export function visit(node: Nodes, fn: (node: Nodes) => void): void {
  fn(node);
  if ('children' in node) for (const c of node.children as Nodes[]) visit(c, fn);
}

function decodeEntities(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
