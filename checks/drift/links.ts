/**
 * Rule family 2, links: every relative link and image in the selected Markdown files must
 * resolve to a tracked file or directory, and every `#anchor` to an anchor of its target.
 *
 * Resolution follows GitHub's rendering of a file view (`/owner/repo/blob/<ref>/<path>`):
 * - `path`, `./path`, `../path` resolve against the linking file's directory;
 * - `/path` resolves against the repository root (GitHub rewrites it so) — except in files
 *   GitHub renders as issue/PR bodies (`host-relative-files`), where `/x` is `github.com/x`
 *   and is not checked;
 * - a link that climbs exactly one level above the root lands on `/owner/repo/blob/<x>` and is
 *   broken; two or more levels (`../../issues` from the root's `blob/<ref>/`) address GitHub
 *   pages such as issues or the wiki and are not checked;
 * - URLs with a scheme (`https:`, `mailto:`, ...) and `//host` links are external: never fetched;
 * - `#anchor` targets a heading slug, an explicit `id=`/`name=` anchor or a footnote; GitHub's
 *   `user-content-` prefix is accepted, and so is a case-insensitive match (GitHub's page script
 *   falls back to it); `#top` and `#` are the page top; `#L10` lines work with `?plain=1`.
 *   Anchors are checked only in Markdown targets (a directory's README counts).
 * A documentation site (`sites`) may instead resolve `/path` against its own root and public
 * directories, try extensions (`.md`) and index files, and accept `{#custom-id}` headings and
 * site-generator slugs.
 *
 * Each file is parsed once; a target's anchors are parsed at most once, lazily, and cached.
 */
import { isMap, parseDocument } from 'yaml';
import type { Finding, Severity } from '../model.js';
import type { RepoFile, RepoSnapshot } from '../snapshot.js';
import type { CompiledLinks, CompiledSite } from './config.js';
import { FileSelector, readPass, type SkippedFile } from './files.js';
import { parseMarkdown, type MdDoc, type MdLink } from './markdown.js';
import { testRegex } from './regex.js';
import { makeFinding, RULE } from './rules.js';
import { closest, excerpt, OccurrenceCounter, type LineCol } from './text.js';
import { dirOf, joinPath, type TreeIndex } from './tree.js';

/** Markdown file extensions whose rendered view has heading anchors. */
export const MARKDOWN_TARGET = /\.(md|markdown|mdown|mkdn?|mkd)$/i;
const README = /^readme(\.(md|markdown|mdown|mkdn?|mkd))?$/i;
const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;
const LINE_ANCHOR = /^L\d+(C\d+)?(-L\d+(C\d+)?)?$/;

/** A link found in the read pass, waiting for resolution. */
interface PendingLink {
  source: string;
  link: MdLink;
  at: LineCol;
}

/** An anchor to verify once the target's anchors are known. */
interface PendingAnchor extends PendingLink {
  target: string;
  fragment: string;
  site?: CompiledSite;
}

type Resolution =
  | {
      kind: 'skip';
      reason: 'empty' | 'external' | 'ignored' | 'host-relative' | 'github-page';
    }
  | { kind: 'missing'; resolved?: string; why: string; hint?: string }
  | {
      kind: 'ok';
      target: string;
      anchorTarget?: string;
      fragment?: string;
      query: string;
      site?: CompiledSite;
    };

/** Counters for the run summary. */
export interface LinkStats {
  'markdown-files': number;
  'markdown-parsed': number;
  links: number;
  'links-external': number;
  'links-checked': number;
  'anchors-checked': number;
  'anchor-targets-parsed': number;
}

/** Collects links during the read pass, then resolves them all. */
export class LinkChecker {
  /** GitHub anchors of every parsed Markdown file. */
  private readonly anchors = new Map<string, Set<string>>();
  /**
   * Parsed docs by path, for the extra anchors a documentation site accepts ({#id} headings,
   * site slugs): read only for links resolved through a site.
   */
  private readonly parsed = new Map<string, MdDoc>();
  private readonly pending: PendingLink[] = [];
  /** Per site with `permalinks`: normalised route → Markdown file. */
  private readonly routes = new Map<string, Map<string, string>>();
  /** File → its permalink, for relative links between permalinked pages. */
  private readonly permalinkOf = new Map<string, string>();
  private readonly counters = new Map<string, OccurrenceCounter>();
  readonly stats: LinkStats = {
    'markdown-files': 0,
    'markdown-parsed': 0,
    links: 0,
    'links-external': 0,
    'links-checked': 0,
    'anchors-checked': 0,
    'anchor-targets-parsed': 0,
  };

  /** The declared sites, then the detected ones (see {@link detectSites}). */
  private readonly sites: CompiledSite[];

  constructor(
    private readonly snapshot: RepoSnapshot,
    private readonly tree: TreeIndex,
    readonly cfg: CompiledLinks,
    /** Parses a file's Markdown (the check may answer from a cache keyed by blob SHA). */
    private readonly parse: (file: RepoFile, text: string) => MdDoc = (_f, text) =>
      parseMarkdown(text, { codeSpans: false }),
    /** A parse already cached for this file (by blob SHA): then it is not even read. */
    private readonly cachedDoc: (file: RepoFile) => MdDoc | undefined = () => undefined,
    /** MkDocs configs' `docs_dir` ({@link readMkdocsDocsDirs}), for site detection. */
    docsDirs: ReadonlyMap<string, string> = new Map(),
  ) {
    this.sites = [
      ...cfg.sites,
      ...(cfg.autoSites ? detectSites(snapshot, cfg.sites, docsDirs) : []),
    ];
  }

  /** `name:root` of each site in effect (declared and detected), for the run summary. */
  get siteRoots(): string[] {
    return this.sites.map((s) => `${s.name}:${s.root || '.'}`);
  }

  /** Records a parsed Markdown file's anchors (any parsed file may be a link target). */
  addAnchors(path: string, doc: MdDoc): void {
    this.anchors.set(path, doc.anchors);
    this.parsed.set(path, doc);
  }

  /**
   * The `permalink:` (front matter) a file declares for each site that resolves permalinks and
   * selects it: `[site name, permalink]` pairs. Pure (path and text only), so callers may cache it.
   */
  permalinksOf(path: string, text: string): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const site of this.sites) {
      if (!site.permalinks || !site.selector.matches(path)) continue;
      const link = frontMatterPermalink(text);
      if (link !== undefined) out.push([site.name, link]);
    }
    return out;
  }

  /** Records a file's permalinks (from {@link permalinksOf}), for sites that resolve them. */
  addPermalinks(path: string, permalinks: ReadonlyArray<readonly [string, string]>): void {
    for (const [siteName, link] of permalinks) {
      let table = this.routes.get(siteName);
      if (!table) this.routes.set(siteName, (table = new Map()));
      table.set(normalizeRoute(link), path);
      this.permalinkOf.set(path, link);
    }
  }

  /**
   * Records the links of a selected Markdown file (`doc` undefined: it has none to check);
   * `positions[i]` is where `doc.links[i]` is.
   */
  addLinks(path: string, doc: MdDoc | undefined, positions: readonly LineCol[]): void {
    this.stats['markdown-files']++;
    if (!doc) return;
    this.stats['markdown-parsed']++;
    doc.links.forEach((link, i) => {
      this.stats.links++;
      if ((link.kind === 'image' || link.kind === 'html-src') && !this.cfg.images) return;
      if ((link.kind === 'html-href' || link.kind === 'html-src') && !this.cfg.html) return;
      this.pending.push({ source: path, link, at: positions[i]! });
    });
  }

  /** Resolves every recorded link; pushes findings; returns files that could not be read. */
  async finish(out: Finding[]): Promise<SkippedFile[]> {
    const anchorsToCheck: PendingAnchor[] = [];
    for (const p of this.pending) {
      const r = this.resolve(p.source, p.link.url);
      if (r.kind === 'skip') {
        if (r.reason === 'external') this.stats['links-external']++;
        continue;
      }
      this.stats['links-checked']++;
      if (r.kind === 'missing') {
        out.push(this.brokenLink(p, r));
        continue;
      }
      if (r.fragment !== undefined && r.anchorTarget !== undefined && this.cfg.anchors) {
        if (anchorNeedsNoLookup(r.fragment, r.query)) continue;
        anchorsToCheck.push({ ...p, target: r.anchorTarget, fragment: r.fragment, site: r.site });
      }
    }
    // Parse each anchor target not parsed in the read pass, once.
    const wanted = new Map<string, RepoFile>();
    for (const a of anchorsToCheck) {
      if (!this.anchors.has(a.target) && !wanted.has(a.target)) {
        const f = this.tree.entry(a.target);
        const doc = f && this.cachedDoc(f);
        if (doc) this.addAnchors(a.target, doc);
        else if (f) wanted.set(a.target, f);
      }
    }
    let unreadable: SkippedFile[] = [];
    if (wanted.size) {
      const sorted = [...wanted.values()];
      const res = await readPass(this.snapshot, sorted, (path, text) => {
        this.stats['anchor-targets-parsed']++;
        this.addAnchors(path, this.parse(wanted.get(path)!, text));
      });
      unreadable = res.unreadable;
    }
    for (const a of anchorsToCheck) {
      const anchors = this.anchors.get(a.target);
      if (!anchors) continue; // binary, too large, a symlink, or unreadable (reported by the caller)
      this.stats['anchors-checked']++;
      const f = decodeFragment(a.fragment);
      const bare = f.startsWith('user-content-') ? f.slice('user-content-'.length) : f;
      const site = a.site ? this.parsed.get(a.target)?.siteAnchors : undefined;
      const has = (x: string) => anchors.has(x) || (site?.has(x) ?? false);
      if (has(bare) || has(bare.toLowerCase())) continue;
      out.push(this.brokenAnchor(a, bare, anchors));
    }
    return unreadable;
  }

  /** Resolves one destination written in `source`. */
  resolve(source: string, url: string): Resolution {
    const raw = url.trim();
    if (raw === '') return { kind: 'skip', reason: 'empty' };
    for (const re of this.cfg.ignore)
      if (testRegex(re, raw)) return { kind: 'skip', reason: 'ignored' };
    if (raw.startsWith('#')) {
      return {
        kind: 'ok',
        target: source,
        anchorTarget: source,
        fragment: raw.slice(1),
        query: '',
        site: this.sites.find((s) => s.selector.matches(source)),
      };
    }
    if (SCHEME.test(raw) || raw.startsWith('//')) return { kind: 'skip', reason: 'external' };
    const hash = raw.indexOf('#');
    const fragment = hash === -1 ? undefined : raw.slice(hash + 1);
    let rest = hash === -1 ? raw : raw.slice(0, hash);
    const q = rest.indexOf('?');
    const query = q === -1 ? '' : rest.slice(q + 1);
    if (q !== -1) rest = rest.slice(0, q);
    const path = decodePath(rest);
    const site = this.sites.find((s) => s.selector.matches(source));
    const rooted = path.startsWith('/');
    if (rooted && !site && this.cfg.hostRelative.matches(source))
      return { kind: 'skip', reason: 'host-relative' };
    if (path === '' && fragment !== undefined) {
      return { kind: 'ok', target: source, anchorTarget: source, fragment, query, site };
    }
    const base = rooted ? (site ? site.root : '') : dirOf(source);
    const joined = joinPath(base, path);
    if (joined.escapes > 0) {
      if (!site && joined.escapes >= 2) return { kind: 'skip', reason: 'github-page' };
      return { kind: 'missing', why: 'it climbs above the repository root' };
    }
    if (site?.permalinks) {
      // A page's links resolve against its URL: its permalink, not its file path.
      const own = this.permalinkOf.get(source);
      let route: string | undefined = rooted ? path : undefined;
      if (!rooted && own !== undefined) {
        const ownRoute = normalizeRoute(own).slice(1);
        route = joinPath(own.trim().endsWith('/') ? ownRoute : dirOf(ownRoute), path).path;
      }
      const file =
        route === undefined ? undefined : this.routes.get(site.name)?.get(normalizeRoute(route));
      if (file) return { kind: 'ok', target: file, anchorTarget: file, fragment, query, site };
    }
    const candidates = [joined.path];
    if (site && rooted) for (const pub of site.public) candidates.push(joinPath(pub, path).path);
    for (const c of candidates) {
      const hit = this.find(c, site);
      if (hit)
        return {
          kind: 'ok',
          target: hit.target,
          anchorTarget: hit.anchorTarget,
          fragment,
          query,
          site,
        };
    }
    return {
      kind: 'missing',
      resolved: joined.path,
      why: `${joined.path} is not a tracked file or directory`,
      hint: this.hint(joined.path),
    };
  }

  /** Finds `p` as GitHub would (file or directory), or as a documentation site would. */
  private find(
    p: string,
    site: CompiledSite | undefined,
  ): { target: string; anchorTarget?: string } | undefined {
    if (this.tree.isFile(p))
      return { target: p, anchorTarget: MARKDOWN_TARGET.test(p) ? p : undefined };
    if (this.tree.isDir(p)) {
      const index = site
        ? site.index.map((i) => (p ? `${p}/${i}` : i)).find((i) => this.tree.isFile(i))
        : this.tree.filesIn(p).find((f) => README.test(f.slice(f.lastIndexOf('/') + 1)));
      return { target: p, anchorTarget: index && MARKDOWN_TARGET.test(index) ? index : undefined };
    }
    if (site) {
      const stem = p.endsWith('.html') ? p.slice(0, -5) : p;
      for (const ext of site.extensions) {
        if (this.tree.isFile(stem + ext)) return { target: stem + ext, anchorTarget: stem + ext };
      }
    }
    return undefined;
  }

  private hint(p: string): string | undefined {
    const ci = this.tree.caseInsensitive(p);
    if (ci && ci !== p) return `did you mean ${ci}? (GitHub paths are case-sensitive)`;
    const dir = dirOf(p);
    if (!this.tree.isDir(dir)) return undefined;
    const name = p.slice(dir ? dir.length + 1 : 0);
    const sibling = closest(
      name,
      this.tree.filesIn(dir).map((f) => f.slice(f.lastIndexOf('/') + 1)),
      3,
    );
    return sibling ? `did you mean ${dir ? `${dir}/` : ''}${sibling}?` : undefined;
  }

  private counter(path: string): OccurrenceCounter {
    let c = this.counters.get(path);
    if (!c) this.counters.set(path, (c = new OccurrenceCounter()));
    return c;
  }

  private brokenLink(p: PendingLink, r: Extract<Resolution, { kind: 'missing' }>): Finding {
    const what =
      p.link.kind === 'image' || p.link.kind === 'html-src'
        ? 'image'
        : p.link.kind === 'definition'
          ? 'link definition'
          : 'link';
    return makeFinding({
      rule: RULE.brokenLink,
      severity: this.cfg.severity,
      message: `broken ${what} "${excerpt(p.link.url, 120)}": ${r.why}`,
      path: p.source,
      at: p.at,
      key: this.counter(p.source).next(`${RULE.brokenLink}\0${p.link.url}`),
      help: r.hint
        ? `Fix the link: ${r.hint}`
        : 'Point the link at an existing tracked file or directory (paths are relative to this file; "/" means the repository root), or restore the missing file.',
      properties: {
        url: p.link.url,
        kind: p.link.kind,
        ...(r.resolved !== undefined ? { resolved: r.resolved } : {}),
      },
    });
  }

  private brokenAnchor(a: PendingAnchor, fragment: string, anchors: Set<string>): Finding {
    const near = closest(
      fragment.toLowerCase(),
      anchors,
      Math.max(2, Math.floor(fragment.length / 3)),
    );
    const where = a.target === a.source ? 'this file' : a.target;
    const sample = [...anchors]
      .slice(0, 8)
      .map((x) => `#${x}`)
      .join(', ');
    return makeFinding({
      rule: RULE.brokenAnchor,
      severity: this.cfg.anchorSeverity as Severity,
      message: `broken anchor "#${excerpt(fragment, 80)}" in link "${excerpt(a.link.url, 120)}": no heading or anchor with that id in ${where}`,
      path: a.source,
      at: a.at,
      key: this.counter(a.source).next(`${RULE.brokenAnchor}\0${a.link.url}`),
      help: near
        ? `Did you mean #${near}? GitHub derives anchors from heading text (lower case, punctuation dropped, spaces to "-", duplicates "-1", "-2").`
        : anchors.size
          ? `Anchors in ${where}: ${sample}${anchors.size > 8 ? ', ...' : ''}. Link to one of them or add <a name="${fragment}"></a>.`
          : `${where} has no headings or anchors; link to the file without "#", or add <a name="${fragment}"></a>.`,
      properties: { url: a.link.url, target: a.target, anchor: fragment },
    });
  }
}

const VITEPRESS = /^(?:(.*)\/)?\.vitepress\/config\.[cm]?[jt]s$/;
const DOCUSAURUS = /^(?:(.*)\/)?docusaurus\.config\.[cm]?[jt]s$/;
const MKDOCS = /^(?:(.*)\/)?mkdocs\.ya?ml$/;

/**
 * The `docs_dir` of each MkDocs config in the snapshot (`mkdocs.yml` / `mkdocs.yaml`), by the
 * config's path, for {@link detectSites}. A config that cannot be read, or whose `docs_dir` is
 * not a string, is left out (MkDocs' default, `docs`, then applies). Custom YAML tags such as
 * `!!python/name:` are kept as plain values: only `docs_dir` is read.
 */
export async function readMkdocsDocsDirs(snapshot: RepoSnapshot): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of snapshot.files) {
    if (!f.path.includes('mkdocs.y') || f.kind !== 'file' || !MKDOCS.test(f.path)) continue;
    const content = await snapshot.read(f.path);
    if (content.kind !== 'text') continue;
    const doc = parseDocument(content.text, { logLevel: 'silent', uniqueKeys: false });
    const dir: unknown = isMap(doc.contents) ? doc.get('docs_dir') : undefined;
    if (typeof dir === 'string' && dir.trim()) out.set(f.path, dir.trim());
  }
  return out;
}

/**
 * Documentation sites recognised by their config file, for directories no declared site
 * covers: VitePress (`<dir>/.vitepress/config.*`: pages in `<dir>`, static files in
 * `<dir>/public`), Docusaurus (`<dir>/docusaurus.config.*`: routes from `<dir>`, static
 * files in `<dir>/static`) and MkDocs (`<dir>/mkdocs.yml`: pages and static files in its
 * `docs_dir`, `<dir>/docs` by default, as `docsDirs` gives it; `page/` and `page` are
 * `page.md`). Their links follow the site's routing.
 */
export function detectSites(
  snapshot: RepoSnapshot,
  declared: readonly CompiledSite[],
  docsDirs: ReadonlyMap<string, string> = new Map(),
): CompiledSite[] {
  const out: CompiledSite[] = [];
  const covered = (root: string) => {
    const probe = root ? `${root}/index.md` : 'index.md';
    return declared.some((s) => s.selector.matches(probe)) || out.some((s) => s.root === root);
  };
  for (const f of snapshot.files) {
    // Site configs are a handful among thousands of paths: a substring test first.
    if (!f.path.includes('config.') && !f.path.includes('mkdocs.y')) continue;
    const mk = MKDOCS.exec(f.path);
    if (mk) {
      const docs = joinPath(mk[1] ?? '', docsDirs.get(f.path) ?? 'docs');
      if (docs.escapes > 0 || docs.path === '' || !snapshot.hasDir(docs.path)) continue;
      if (covered(docs.path)) continue;
      out.push({
        name: `mkdocs(${mk[1] || '.'})`,
        selector: new FileSelector([`${docs.path}/**`]),
        root: docs.path,
        public: [],
        extensions: ['.md'],
        index: ['index.md', 'README.md'],
        permalinks: false,
      });
      continue;
    }
    const vp = VITEPRESS.exec(f.path);
    const du = vp ? undefined : DOCUSAURUS.exec(f.path);
    if (!vp && !du) continue;
    const dir = (vp ?? du)![1] ?? '';
    if (covered(dir)) continue;
    out.push({
      name: `${vp ? 'vitepress' : 'docusaurus'}(${dir || '.'})`,
      selector: new FileSelector([dir ? `${dir}/**` : '**']),
      root: dir,
      public: [dir ? `${dir}/${vp ? 'public' : 'static'}` : vp ? 'public' : 'static'],
      extensions: vp ? ['.md'] : ['.md', '.mdx'],
      index: vp ? ['index.md'] : ['index.md', 'index.mdx', 'README.md'],
      permalinks: false,
    });
  }
  return out;
}

/** Fragments that need no anchor lookup: empty, `top`, and `#L..` with `?plain=1`. */
function anchorNeedsNoLookup(fragment: string, query: string): boolean {
  if (fragment === '' || fragment.toLowerCase() === 'top') return true;
  return LINE_ANCHOR.test(fragment) && /(^|&)plain=1(&|$)/.test(query);
}

const FRONT_MATTER = /^---[ \t]*\r?\n([\s\S]*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/;
const PERMALINK = /^permalink:[ \t]*(["']?)([^\r\n]*?)\1[ \t]*$/m;

/** The `permalink:` of a YAML front matter block at the top of `text`, if any. */
export function frontMatterPermalink(text: string): string | undefined {
  if (!text.startsWith('---')) return undefined;
  const fm = FRONT_MATTER.exec(text.slice(0, 64 * 1024));
  const m = fm && PERMALINK.exec(fm[1]!);
  return m && m[2] ? m[2] : undefined;
}

/** A route for comparison: leading `/`, no trailing `/`, `.html` or `/index`. */
export function normalizeRoute(route: string): string {
  let r = route.trim().split(/[?#]/)[0]!;
  if (!r.startsWith('/')) r = `/${r}`;
  r = r
    .replace(/\/index(\.html?)?$/, '')
    .replace(/\.html?$/, '')
    .replace(/\/+$/, '');
  return r === '' ? '/' : r;
}

function decodeFragment(f: string): string {
  try {
    return decodeURIComponent(f);
  } catch {
    return f;
  }
}

/** Percent-decodes each path segment (a malformed escape is kept as written). */
function decodePath(p: string): string {
  if (!p.includes('%')) return p;
  return p
    .split('/')
    .map((seg) => {
      try {
        return decodeURIComponent(seg);
      } catch {
        return seg;
      }
    })
    .join('/');
}
