/**
 * One parse of a Markdown file (CommonMark + GFM via mdast-util-from-markdown,
 * micromark-extension-gfm and mdast-util-gfm) into what the drift rules need:
 * - the links it makes: inline links and images, reference definitions (which carry the URL
 *   of every reference-style link), and `href`/`src` of `<a>`/`<img>` in raw HTML;
 * - the anchors it defines, as GitHub renders them: heading slugs with GitHub's rules
 *   (github-slugger: lower case, punctuation and emoji dropped, spaces to `-`, duplicates
 *   suffixed `-1`, `-2`, ...), `<hN>` headings in raw HTML, explicit `id=`/`name=` attributes,
 *   and GFM footnotes (`fn-<label>`, `fnref-<label>`);
 * - its code spans (for the opt-in code-span references).
 * Text inside code blocks and code spans is never a link. Offsets are UTF-16 string indices.
 */
import GithubSlugger, { slug as githubSlug } from 'github-slugger';
import type { Nodes, Parents, Root } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';

/** Where a link came from. */
export type LinkKind = 'link' | 'image' | 'definition' | 'html-href' | 'html-src';

/** One link destination in a Markdown file. */
export interface MdLink {
  kind: LinkKind;
  /** The destination as the parser decoded it (escapes and entities resolved). */
  url: string;
  /** Offset of the construct (`[`, `![`, the definition, or the HTML attribute value). */
  offset: number;
}

/** One code span (`` `x` ``). */
export interface MdCodeSpan {
  value: string;
  /** Offset of the opening backtick. */
  offset: number;
}

/** What one parse yields. */
export interface MdDoc {
  links: MdLink[];
  /** Anchor ids the rendered page has (without GitHub's `user-content-` prefix). */
  anchors: Set<string>;
  /**
   * Extra ids documentation sites give headings: `{#custom-id}` attributes, and slugs with
   * runs of punctuation collapsed to one `-` (VitePress, Docusaurus, MkDocs style).
   */
  siteAnchors: Set<string>;
  codeSpans: MdCodeSpan[];
}

const EXTENSIONS = [gfm()];
const MDAST_EXTENSIONS = [gfmFromMarkdown()];

/** Parses Markdown text. Never throws for odd input (micromark accepts any string). */
export function parseMarkdown(text: string): MdDoc {
  const tree = fromMarkdown(text, {
    extensions: EXTENSIONS,
    mdastExtensions: MDAST_EXTENSIONS,
  }) as Root;
  const doc: MdDoc = { links: [], anchors: new Set(), siteAnchors: new Set(), codeSpans: [] };
  const slugger = new GithubSlugger();
  const stack: Nodes[] = [tree];
  while (stack.length) {
    const node = stack.pop()!;
    const offset = node.position?.start.offset ?? 0;
    switch (node.type) {
      case 'heading': {
        const text = headingText(node);
        doc.anchors.add(slugger.slug(text));
        addSiteAnchors(text, doc.siteAnchors);
        break;
      }
      case 'link':
      case 'image':
      case 'definition':
        doc.links.push({ kind: node.type, url: node.url, offset });
        break;
      case 'inlineCode':
        doc.codeSpans.push({ value: node.value, offset });
        break;
      case 'footnoteDefinition':
        doc.anchors.add(`fn-${node.label ?? node.identifier}`);
        break;
      case 'footnoteReference':
        doc.anchors.add(`fnref-${node.label ?? node.identifier}`);
        break;
      case 'html':
        scanHtml(node.value, offset, doc, slugger);
        break;
    }
    if ('children' in node) {
      const kids = (node as Parents).children;
      for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
    }
  }
  return doc;
}

const CANDIDATE = /\]\(\s*<?|\]:\s*<?|\b(?:href|src)\s*=\s*["']?/gi;
const EXTERNAL_START = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i;

/**
 * True when `text` may contain a link the link rule must resolve. Sound pre-filter: every inline
 * link or image has `](` before its destination, every reference definition (which carries
 * the URL of each reference-style link) has `]:`, and HTML links need `href=`/`src=`; a text
 * where every such destination starts with a URL scheme or `//` has only external links, which
 * are never checked. Such a file is not parsed for its links (it may still be parsed, lazily,
 * when a link points at one of its anchors).
 */
export function mightHaveLinks(text: string): boolean {
  CANDIDATE.lastIndex = 0;
  for (let m = CANDIDATE.exec(text); m; m = CANDIDATE.exec(text)) {
    const after = m.index + m[0].length;
    if (!EXTERNAL_START.test(text.slice(after, after + 40))) return true;
  }
  return false;
}

const CUSTOM_ID = /\s*\{#([^{}\s]+)\}\s*$/;

/** Adds the ids a documentation site would give a heading with this text. */
function addSiteAnchors(text: string, out: Set<string>): void {
  const m = CUSTOM_ID.exec(text);
  if (m) out.add(m[1]!);
  const plain = m ? text.slice(0, m.index) : text;
  out.add(githubSlug(plain));
  out.add(
    plain
      .toLowerCase()
      .replace(/[^\p{L}\p{N}_]+/gu, '-')
      .replace(/^-+|-+$/g, ''),
  );
}

/** The text GitHub slugs for a heading: its rendered text content (image alt and tags dropped). */
export function headingText(node: Nodes): string {
  switch (node.type) {
    case 'text':
    case 'inlineCode':
      return node.value;
    case 'html':
      return decodeEntities(node.value.replace(/<[^>]*>/g, ''));
    case 'image':
    case 'imageReference':
    case 'footnoteReference':
    case 'break':
      return '';
    default:
      return 'children' in node
        ? (node as Parents).children.map((c) => headingText(c as Nodes)).join('')
        : '';
  }
}

const TAG = /<([a-zA-Z][a-zA-Z0-9-]*)(\s[^<>]*)?>/g;
const ATTR = /\s([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))/g;
const HTML_HEADING = /<h([1-6])(?:\s[^<>]*)?>([\s\S]*?)<\/h\1\s*>/gi;

/** Links, ids and headings in a raw HTML node (comments blanked first, offsets preserved). */
function scanHtml(raw: string, base: number, doc: MdDoc, slugger: GithubSlugger): void {
  const html = raw.includes('<!--')
    ? raw.replace(/<!--[\s\S]*?(?:-->|$)/g, (c) => ' '.repeat(c.length))
    : raw;
  // Headings first, in order: GitHub slugs <h1>-<h6> in raw HTML like Markdown headings.
  for (const m of html.matchAll(HTML_HEADING)) {
    const text = decodeEntities(m[2]!.replace(/<[^>]*>/g, ''));
    doc.anchors.add(slugger.slug(text));
  }
  for (const t of html.matchAll(TAG)) {
    const tag = t[1]!.toLowerCase();
    const attrs = t[2];
    if (!attrs) continue;
    const attrsAt = t.index + 1 + t[1]!.length;
    for (const a of attrs.matchAll(ATTR)) {
      const name = a[1]!.toLowerCase();
      const value = decodeEntities(a[2] ?? a[3] ?? a[4] ?? '');
      const valueAt =
        base +
        attrsAt +
        a.index +
        a[0].length -
        (a[2] ?? a[3] ?? a[4] ?? '').length -
        (a[4] === undefined ? 1 : 0);
      if (name === 'id' || (name === 'name' && tag === 'a')) doc.anchors.add(value);
      else if (name === 'href' && tag === 'a')
        doc.links.push({ kind: 'html-href', url: value, offset: valueAt });
      else if (name === 'src' && (tag === 'img' || tag === 'source' || tag === 'video')) {
        doc.links.push({ kind: 'html-src', url: value, offset: valueAt });
      }
    }
  }
}

const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
};

/** Decodes the common HTML character references (named basics, decimal and hex). */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,6});/gi, (m, body: string) => {
    if (body[0] === '#') {
      const cp =
        body[1] === 'x' || body[1] === 'X'
          ? parseInt(body.slice(2), 16)
          : parseInt(body.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    }
    return NAMED[body.toLowerCase()] ?? m;
  });
}
