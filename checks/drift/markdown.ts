/**
 * One parse of a Markdown file (CommonMark + GitHub's tables, strikethrough and footnotes, via
 * markdown-it and markdown-it-footnote) into what the drift rules need:
 * - the links it makes: inline links and images, reference definitions (which carry the URL
 *   of every reference-style link), and `href`/`src` of `<a>`/`<img>` in raw HTML;
 * - the anchors it defines, as GitHub renders them: heading slugs with GitHub's rules
 *   (github-slugger: lower case, punctuation and emoji dropped, spaces to `-`, duplicates
 *   suffixed `-1`, `-2`, ...), `<hN>` headings in raw HTML, explicit `id=`/`name=` attributes,
 *   and GFM footnotes (`fn-<label>`, `fnref-<label>`);
 * - its code spans (for the opt-in code-span references).
 * Text inside code blocks and code spans is never a link. Offsets are UTF-16 string indices
 * into the text as given (CRLF line ends included).
 *
 * Why markdown-it (docs/architecture.md, "Markdown parser"): it is a CommonMark-compliant token
 * parser ~10x faster than micromark + mdast on real documentation, and the drift check parses
 * every linking Markdown file of a tree on every run. markdown-it keeps line ranges on block
 * tokens only, so a small plugin records where each link, image, code span and inline HTML
 * starts inside its block's inline content; {@link BlockLocator} maps that back to the source.
 */
import GithubSlugger, { slug as githubSlug } from 'github-slugger';
import markdownIt, {
  type Env,
  type MarkdownIt,
  type StateBlock,
  type StateInline,
  type Token,
} from 'markdown-it';
import footnote from 'markdown-it-footnote';

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

/** What one parse yields. Treat as read-only: parses may be shared (see {@link parseMarkdown}). */
export interface MdDoc {
  links: MdLink[];
  /** Anchor ids the rendered page has (without GitHub's `user-content-` prefix). */
  anchors: Set<string>;
  /**
   * Extra ids documentation sites give headings: `{#custom-id}` attributes, and slugs with
   * runs of punctuation collapsed to one `-` (VitePress, Docusaurus, MkDocs style). Computed on
   * first use: only links resolved through a documentation site read them.
   */
  readonly siteAnchors: Set<string>;
  codeSpans: MdCodeSpan[];
}

/** Where an inline construct starts in its block's inline content (set by the plugin below). */
interface SrcMeta {
  srcPos?: number;
  /** For links and images: written inline (`](`), not by reference (`][`, `[]`, shortcut). */
  inline?: boolean;
}

/** Definitions met by the block parser, in order: label and the line it starts on (0-based). */
interface ParseEnv extends Env {
  definitions?: Array<{ label: string; line: number }>;
  /** Which inline blocks the parse needs ({@link INLINE_NEEDED}). */
  inlineNeeded?: RegExp;
  footnotes?: { refs?: Record<string, number> };
}

/**
 * Wraps an inline rule so that the first token it pushes of one of `types` records where the
 * construct started (`state.pos` before the rule ran) and whether it ended with `)`. `marker`
 * is the character the rule's construct starts with: anywhere else the rule is not called at
 * all (it would refuse at once; the wrapper runs at every candidate position of every file).
 */
function recordStart(
  md: MarkdownIt,
  name: string,
  marker: number,
  types: ReadonlySet<string>,
): void {
  const rules = (md.inline.ruler as unknown as { __rules__: Array<{ name: string; fn: Rule }> })
    .__rules__;
  type Rule = (state: StateInline, silent: boolean) => boolean;
  const orig = rules.find((r) => r.name === name)?.fn;
  if (!orig) throw new Error(`markdown-it has no inline rule ${name}`);
  md.inline.ruler.at(name, (state: StateInline, silent: boolean) => {
    if (state.src.charCodeAt(state.pos) !== marker) return false;
    const start = state.pos;
    const from = state.tokens.length;
    const ok = orig(state, silent);
    if (ok && !silent) {
      for (let i = from; i < state.tokens.length; i++) {
        const t = state.tokens[i]!;
        if (!types.has(t.type)) continue;
        const meta = (t.meta ?? {}) as Record<string, unknown>;
        meta.srcPos = start;
        meta.inline = state.src.charCodeAt(state.pos - 1) === 0x29; // ')'
        t.meta = meta;
        break;
      }
    }
    return ok;
  });
}

/** Wraps the block rule for reference definitions to note each one's label and line. */
function recordDefinitions(md: MarkdownIt): void {
  type Rule = (state: StateBlock, startLine: number, endLine: number, silent: boolean) => boolean;
  const rules = (md.block.ruler as unknown as { __rules__: Array<{ name: string; fn: Rule }> })
    .__rules__;
  const orig = rules.find((r) => r.name === 'reference')?.fn;
  if (!orig) throw new Error('markdown-it has no block rule reference');
  md.block.ruler.at(
    'reference',
    (state: StateBlock, startLine: number, endLine: number, silent: boolean) => {
      // A definition starts with `[`: other blocks are passed on without the bookkeeping.
      if (state.src.charCodeAt(state.bMarks[startLine]! + state.tShift[startLine]!) !== 0x5b)
        return orig(state, startLine, endLine, silent);
      const env = state.env as ParseEnv;
      const before = silent ? undefined : new Set(Object.keys(env.references ?? {}));
      const ok = orig(state, startLine, endLine, silent);
      if (ok && before) {
        for (const label of Object.keys(env.references ?? {})) {
          if (!before.has(label)) (env.definitions ??= []).push({ label, line: startLine });
        }
      }
      return ok;
    },
    // The original rule has no alternation chain (`at` would otherwise reset it to none too).
  );
}

function createParser(): MarkdownIt {
  // html: raw HTML is parsed (its links and ids count); linkify off: bare URLs are external.
  const md = markdownIt('default', { html: true, linkify: false });
  // Keep destinations as written (decoded, not percent-encoded) and every scheme: which links
  // are external is decided by the link rule, not by the renderer's safety filter.
  md.normalizeLink = (url: string) => url;
  md.validateLink = () => true;
  md.use(footnote);
  recordStart(md, 'link', 0x5b /* [ */, new Set(['link_open']));
  recordStart(md, 'image', 0x21 /* ! */, new Set(['image']));
  recordStart(md, 'backticks', 0x60 /* ` */, new Set(['code_inline']));
  recordStart(md, 'html_inline', 0x3c /* < */, new Set(['html_inline']));
  recordDefinitions(md);
  inlineOnlyWhereNeeded(md);
  return md;
}

/**
 * What an inline block must contain for its inline parse to yield anything {@link parseMarkdown}
 * keeps: `](` (an inline link or image: reference-style uses are answered by their
 * definitions, which are block tokens), a tag with an `href`, `src`, `id` or `name` attribute
 * (inline HTML links and anchors; `<https://…>` autolinks and other tags yield nothing), or `[^`
 * (a footnote reference); with code spans wanted, also a backtick. Both tests are linear: a
 * tag's scan stops at the next `<` or `>`.
 */
const INLINE_NEEDED = {
  links: /\]\(|\[\^|<[a-zA-Z][^<>]*\s(?:href|src|id|name)\s*=/i,
  linksAndCodeSpans: /\]\(|\[\^|`|<[a-zA-Z][^<>]*\s(?:href|src|id|name)\s*=/i,
};

/**
 * Replaces markdown-it's core `inline` rule with one that parses a block's inline content only
 * when it can hold a construct the caller keeps (`env.inlineNeeded`), and always for headings
 * (their text makes the slug). Most prose has none, and the inline parse was half of every
 * file's parse; a skipped block keeps an empty `children`.
 */
function inlineOnlyWhereNeeded(md: MarkdownIt): void {
  md.core.ruler.at('inline', (state) => {
    const tokens = state.tokens;
    const needed = (state.env as ParseEnv).inlineNeeded ?? INLINE_NEEDED.linksAndCodeSpans;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t.type !== 'inline') continue;
      const children = t.children ?? (t.children = []);
      if (tokens[i - 1]?.type === 'heading_open') {
        if (PLAIN_TEXT.test(t.content)) {
          // What the inline parse would give: the text as one token.
          const text = new state.Token('text', '', 0);
          text.content = t.content;
          children.push(text);
        } else {
          state.md.inline.parse(t.content, state.md, state.env, children);
        }
      } else if (needed.test(t.content)) {
        state.md.inline.parse(t.content, state.md, state.env, children);
      }
    }
  });
}

/**
 * Inline content that the inline parse (linkify and typographer off) turns into one text token
 * equal to it: no escape, code span, emphasis, strikethrough, link, image, footnote, autolink,
 * HTML, entity or line break can start without one of these characters. Most headings are
 * such text, and a heading is always inline-parsed otherwise (its text makes the slug).
 */
const PLAIN_TEXT = /^[^\\`*_~[\]!<>&\n\r]*$/;

let parser: MarkdownIt | undefined;

/**
 * Maps positions inside a block's content back to offsets in the original text. A block's
 * content line k is source line `firstLine + k` with the container markers (`>`, list indent)
 * and leading spaces removed, so its column is found by matching the line's tail.
 */
class BlockLocator {
  constructor(
    private readonly source: SourceLines,
    private readonly content: string,
    private readonly firstLine: number,
    /** Where the content starts on its first line, when known (table cells). */
    private readonly firstColumn?: number,
    /** A table cell whose `\|` were read as `|`: each `|` before a position is 2 columns. */
    private readonly escapedPipes = false,
  ) {}

  offset(pos: number): number {
    const lineStartInContent = this.content.lastIndexOf('\n', pos - 1) + 1;
    let k = 0;
    for (
      let i = this.content.indexOf('\n');
      i !== -1 && i < pos;
      i = this.content.indexOf('\n', i + 1)
    )
      k++;
    const line = this.firstLine + k;
    const end = this.content.indexOf('\n', lineStartInContent);
    const piece = this.content.slice(lineStartInContent, end === -1 ? undefined : end);
    const src = this.source.line(line);
    const shift =
      k === 0 && this.firstColumn !== undefined ? this.firstColumn : tailShift(src, piece);
    let col = shift + (pos - lineStartInContent);
    if (this.escapedPipes) col += this.content.slice(0, pos).split('|').length - 1;
    return this.source.start(line) + Math.min(col, src.length);
  }
}

/** Column at which `piece` ends `src` (trailing blanks ignored); 0 when it does not. */
function tailShift(src: string, piece: string): number {
  const s = src.trimEnd();
  const p = piece.trimEnd();
  if (s.endsWith(p)) return s.length - p.length;
  const at = src.indexOf(piece);
  return at >= 0 ? at : 0;
}

/** The original text's lines (any of `\r\n`, `\r`, `\n` ends a line, as markdown-it reads it). */
class SourceLines {
  private readonly starts: number[] = [0];
  private readonly ends: number[] = [];

  constructor(private readonly text: string) {
    const re = /\r\n|\r|\n/g;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      this.ends.push(m.index);
      this.starts.push(m.index + m[0].length);
    }
    this.ends.push(text.length);
  }

  start(line: number): number {
    return this.starts[Math.min(line, this.starts.length - 1)]!;
  }

  line(line: number): string {
    const i = Math.min(line, this.starts.length - 1);
    return this.text.slice(this.starts[i], this.ends[i]);
  }
}

/** What a parse must find besides links and anchors. */
export interface ParseOptions {
  /**
   * Collect code spans (`doc.codeSpans`); default true. Without them, blocks whose only inline
   * construct is a code span are not inline-parsed (on prose-heavy docs, most of the blocks the
   * inline parse would visit) and `codeSpans` may be incomplete.
   */
  codeSpans?: boolean;
}

/**
 * Parses Markdown text. Never throws for odd input (markdown-it accepts any string). Pure: the
 * same text and options always give an equal result, so callers may cache it by content (blob
 * SHA) and options.
 */
export function parseMarkdown(text: string, options: ParseOptions = {}): MdDoc {
  parser ??= createParser();
  const env: ParseEnv = {
    inlineNeeded:
      options.codeSpans === false ? INLINE_NEEDED.links : INLINE_NEEDED.linksAndCodeSpans,
  };
  const tokens = parser.parse(text, env);
  const source = new SourceLines(text);
  const doc = new ParsedDoc();
  const slugger = new GithubSlugger();
  let rowLine = 0;
  let cellFrom = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    switch (t.type) {
      case 'tr_open':
        rowLine = t.map?.[0] ?? rowLine;
        cellFrom = 0;
        break;
      case 'heading_open': {
        const inline = tokens[i + 1];
        const text = inline?.type === 'inline' ? inlineText(inline.children ?? []) : '';
        doc.anchors.add(slugger.slug(text));
        doc.headings.push(text);
        break;
      }
      case 'html_block':
        if (t.map) {
          const at = new BlockLocator(source, t.content, t.map[0]);
          scanHtml(t.content, (p) => at.offset(p), doc, slugger);
        }
        break;
      case 'inline': {
        if (t.content.includes('{')) {
          for (const m of t.content.matchAll(ATTR_LIST_ID)) doc.attrIds.push(m[1]!);
        }
        let column: number | undefined;
        let escapedPipes = false;
        if (!t.map) {
          // A table cell: found left to right in its row (an escaped `\|` reads as `|`).
          const row = source.line(rowLine);
          for (const written of [t.content, t.content.replaceAll('|', '\\|')]) {
            const at = row.indexOf(written, cellFrom);
            if (at >= 0) {
              column = at;
              cellFrom = at + written.length;
              escapedPipes = written !== t.content;
              break;
            }
          }
        }
        const at = new BlockLocator(source, t.content, t.map?.[0] ?? rowLine, column, escapedPipes);
        collectInline(t.children ?? [], at, doc, slugger);
        break;
      }
    }
  }
  for (const d of env.definitions ?? []) {
    const ref = env.references?.[d.label];
    if (!ref) continue;
    const src = source.line(d.line);
    doc.links.push({
      kind: 'definition',
      url: ref.href,
      offset: source.start(d.line) + Math.max(0, src.indexOf('[')),
    });
  }
  for (const key of Object.keys(env.footnotes?.refs ?? {})) doc.anchors.add(`fn-${key.slice(1)}`);
  return doc;
}

/** What {@link parseMarkdown} returns: an MdDoc whose site anchors are made when first read. */
class ParsedDoc implements MdDoc {
  links: MdLink[] = [];
  anchors = new Set<string>();
  codeSpans: MdCodeSpan[] = [];
  /** Each heading's text, in order. */
  readonly headings: string[] = [];
  /** Ids of `{: #id }` attribute lists anywhere in the text ({@link ATTR_LIST_ID}). */
  readonly attrIds: string[] = [];
  private site: Set<string> | undefined;

  get siteAnchors(): Set<string> {
    if (!this.site) {
      this.site = new Set(this.attrIds);
      for (const text of this.headings) addSiteAnchors(text, this.site);
    }
    return this.site;
  }
}

/** Links, images, code spans, inline HTML and footnote references of one inline block. */
function collectInline(
  children: Token[],
  at: BlockLocator,
  doc: MdDoc,
  slugger: GithubSlugger,
): void {
  for (const c of children) {
    const meta = (c.meta ?? {}) as SrcMeta & { label?: string | number };
    switch (c.type) {
      case 'link_open':
      case 'image':
        // Reference-style links carry their definition's URL; the definition is checked once.
        if (meta.inline && meta.srcPos !== undefined) {
          const url = String(c.attrGet(c.type === 'image' ? 'src' : 'href') ?? '');
          doc.links.push({
            kind: c.type === 'image' ? 'image' : 'link',
            url,
            offset: at.offset(meta.srcPos),
          });
        }
        break;
      case 'code_inline':
        doc.codeSpans.push({ value: c.content, offset: at.offset(meta.srcPos ?? 0) });
        break;
      case 'html_inline': {
        const base = meta.srcPos ?? 0;
        scanHtml(c.content, (p) => at.offset(base + p), doc, slugger);
        break;
      }
      case 'footnote_ref':
        if (meta.label !== undefined) doc.anchors.add(`fnref-${String(meta.label)}`);
        break;
    }
  }
}

/** The text GitHub slugs for a heading: its rendered text content (image alt and tags dropped). */
export function inlineText(children: readonly Token[]): string {
  let out = '';
  for (const c of children) {
    if (c.type === 'text' || c.type === 'code_inline') out += c.content;
    else if (c.type === 'softbreak') out += '\n';
    else if (c.type === 'html_inline') out += decodeEntities(c.content.replace(/<[^>]*>/g, ''));
  }
  return out;
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

/**
 * An attribute list with an id, as Python-Markdown's `attr_list` extension (MkDocs) writes it
 * after a heading, a paragraph or an inline element: `{: #id }`, `{ #id .class key=value }`.
 * The id is the site's anchor for that element; GitHub shows the braces as text.
 */
const ATTR_LIST_ID =
  /\{:?[ \t]*(?:[^{}#\s][^{}\s]*[ \t]+)*#([A-Za-z_][\w:.-]*)(?=[\s}])[^{}\n]*\}/g;

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

const TAG = /<([a-zA-Z][a-zA-Z0-9-]*)(\s[^<>]*)?>/g;
const ATTR = /\s([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))/g;
const HTML_HEADING = /<h([1-6])(?:\s[^<>]*)?>([\s\S]*?)<\/h\1\s*>/gi;

/**
 * Links, ids and headings in raw HTML (comments blanked first, positions preserved);
 * `offsetOf` maps a position in `raw` to an offset in the document.
 */
function scanHtml(
  raw: string,
  offsetOf: (pos: number) => number,
  doc: MdDoc,
  slugger: GithubSlugger,
): void {
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
      const written = a[2] ?? a[3] ?? a[4] ?? '';
      const value = decodeEntities(written);
      const valueAt = () =>
        offsetOf(attrsAt + a.index + a[0].length - written.length - (a[4] === undefined ? 1 : 0));
      if (name === 'id' || (name === 'name' && tag === 'a')) doc.anchors.add(value);
      else if (name === 'href' && tag === 'a')
        doc.links.push({ kind: 'html-href', url: value, offset: valueAt() });
      else if (name === 'src' && (tag === 'img' || tag === 'source' || tag === 'video')) {
        doc.links.push({ kind: 'html-src', url: value, offset: valueAt() });
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
