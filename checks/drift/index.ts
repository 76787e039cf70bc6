/**
 * The `drift` check: docs and config agree with the tree and with each other.
 *
 * Five rule families, each configurable in the `drift` section (schemas/config/drift.schema.json,
 * docs/checks/drift.md): forbidden patterns (forbidden.ts), links and anchors (links.ts),
 * references to paths (references.ts, codeowners.ts), consistency rules (consistency.ts) and
 * portability (portability.ts).
 *
 * One read pass: every file any content rule selects is read once through `snapshot.read`
 * (bounded concurrency), each Markdown file is parsed at most once (and only when it can hold a
 * link or a code span the rules check), and link targets' anchors are parsed lazily, once.
 * Read failures are findings (`unreadable-file`), never dropped.
 */
import { sectionOf } from '../config.js';
import { LRUCache } from 'lru-cache';
import type { Check, CheckContext, CheckOutcome, Finding } from '../model.js';
import type { RepoFile } from '../snapshot.js';
import { checkConsistency } from './consistency.js';
import { compileDrift, type CompiledDrift, type DriftSection } from './config.js';
import { readPass, type SkippedFile } from './files.js';
import { scanForbidden, type FileScan, type ForbiddenStats } from './forbidden.js';
import { LinkChecker, readMkdocsDocsDirs } from './links.js';
import { mightHaveLinks, parseMarkdown, type MdDoc } from './markdown.js';
import { findRegions, type Regions } from './markers.js';
import {
  combinedPortabilityRegex,
  portabilityLiterals,
  scanPortability,
  type PortabilityStats,
} from './portability.js';
import {
  checkCodeowners,
  checkCodeSpans,
  checkRegistries,
  type ReferenceStats,
} from './references.js';
import { CHECK_ID, driftReadsEveryFile, makeFinding, RULE, RULES, TITLE } from './rules.js';
import { LineIndex, OccurrenceCounter, type LineCol } from './text.js';
import { TreeIndex } from './tree.js';
import { validateDriftConfig } from './validate.js';

/** Which rules of a compiled config apply to one path (a pure function of config and path). */
interface Decision {
  /** Indices into `cfg.forbidden`. */
  forbidden: number[];
  portability: boolean;
  links: boolean;
  spans: boolean;
}

/**
 * What the path- and content-only rules make of one file: a pure function of the config, the
 * path and the text. For a content-addressed snapshot (the App's), it is cached by config, path
 * and blob SHA across evaluations, so a new head costs only its changed files. Findings that
 * depend on the tree (link targets, code-span paths) are never part of it.
 */
interface FileResult {
  findings: readonly Finding[];
  forbidden: ForbiddenStats;
  portability: PortabilityStats;
  permalinks: ReadonlyArray<readonly [string, string]>;
  doc?: MdDoc;
  /** Where each of `doc.links` is. */
  linkAt: readonly LineCol[];
}

/** What is known about one path under one config. */
interface PathEntry {
  decision: Decision;
  blobSha?: string;
  result?: FileResult;
}

const PATHS_PER_CONFIG = 200_000;

/**
 * Portability-only files from which on the snapshot is asked which may hold a pattern's
 * literal (two git processes, ~10-20 ms) instead of reading them all (~6 µs a file).
 */
const PREFILTER_MIN = 2_000;

/**
 * Process-wide caches, used only with content-addressed snapshots (see RepoSnapshot); made on
 * first use, so that a CLI run does not build them.
 */
let sharedCaches: ReturnType<typeof makeSharedCaches> | undefined;
const makeSharedCaches = () => ({
  compiled: new LRUCache<string, CompiledDrift>({ max: 32 }),
  /**
   * Per config: each path's decision and the result for the blob last seen there. One lookup
   * per file and evaluation, so a plain Map (an LRU's bookkeeping cost more than the rest of a
   * warm file's handling); a path keeps one result (its newest blob); past 200,000 paths per
   * config, however many repositories share it, the map starts over.
   */
  paths: new LRUCache<string, Map<string, PathEntry>>({ max: 32 }),
  docs: new LRUCache<string, MdDoc>({ max: 50_000 }),
});

async function run(ctx: CheckContext): Promise<CheckOutcome> {
  const { snapshot } = ctx;
  const section = sectionOf<DriftSection>(ctx.config, CHECK_ID);
  const caches = snapshot.contentAddressed ? (sharedCaches ??= makeSharedCaches()) : undefined;
  const shared = caches !== undefined;
  // The read limit decides what is text, so it is part of the key.
  const configKey = shared ? `${snapshot.maxReadBytes}\0${JSON.stringify(section ?? null)}` : '';
  let cfg = caches?.compiled.get(configKey);
  if (!cfg) {
    cfg = compileDrift(section);
    caches?.compiled.set(configKey, cfg);
  }
  const tree = new TreeIndex(snapshot);
  const findings: Finding[] = [];
  /**
   * Parses a file, with its code spans only when `spans` (a parse with them also serves a caller
   * that does not want them). Shared parses are keyed by blob SHA and variant.
   */
  const parse = (f: RepoFile, text: string, spans = false): MdDoc => {
    if (!caches || !f.blobSha) return parseMarkdown(text, { codeSpans: spans });
    const full = caches.docs.get(f.blobSha);
    if (full) return full;
    const key = spans ? f.blobSha : `${f.blobSha}:links`;
    let doc = spans ? undefined : caches.docs.get(key);
    if (!doc) caches.docs.set(key, (doc = parseMarkdown(text, { codeSpans: spans })));
    return doc;
  };
  const cachedDoc = (f: RepoFile) =>
    caches && f.blobSha
      ? (caches.docs.get(f.blobSha) ?? caches.docs.get(`${f.blobSha}:links`))
      : undefined;
  const links = cfg.links
    ? new LinkChecker(
        snapshot,
        tree,
        cfg.links,
        parse,
        cachedDoc,
        cfg.links.autoSites ? await readMkdocsDocsDirs(snapshot) : undefined,
      )
    : undefined;
  const spans = cfg.references?.codeSpans;
  const portability = cfg.portability;
  const combined = portability ? combinedPortabilityRegex(portability) : undefined;
  const forbiddenStats: ForbiddenStats = { matches: 0, exempt: 0 };
  const portabilityStats: PortabilityStats = { matches: 0, exempt: 0 };
  const refStats: ReferenceStats = {
    'codeowners-patterns': 0,
    'registry-paths': 0,
    'code-span-paths': 0,
  };

  let known = caches?.paths.get(configKey);
  if (caches && !known) caches.paths.set(configKey, (known = new Map()));
  /** A path's entry: remembered across evaluations when shared, else made once per run. */
  const entryOf = (path: string): PathEntry => {
    if (!known) return { decision: decideNew(path) };
    let e = known.get(path);
    if (!e) {
      if (known.size >= PATHS_PER_CONFIG) known.clear();
      known.set(path, (e = { decision: decideNew(path) }));
    }
    return e;
  };
  const compiledCfg = cfg;
  function decideNew(path: string): Decision {
    return {
      forbidden: compiledCfg.forbidden.flatMap((r, i) => (r.selector.matches(path) ? [i] : [])),
      portability: portability?.selector.matches(path) ?? false,
      links: links?.cfg.selector.matches(path) ?? false,
      spans: spans?.selector.matches(path) ?? false,
    };
  }
  const wanted = (d: Decision) => d.forbidden.length > 0 || d.portability || d.links || d.spans;
  // Each selected file with its entry, side by side: one decision per file and run, no lookups.
  const selected: RepoFile[] = [];
  const selectedEntries: PathEntry[] = [];
  for (const f of snapshot.files) {
    if (f.kind !== 'file') continue;
    const e = entryOf(f.path);
    if (!wanted(e.decision)) continue;
    selected.push(f);
    selectedEntries.push(e);
  }

  const apply = (path: string, r: FileResult, d: Decision): void => {
    // Copies: a cached finding is shared by every evaluation that reuses it.
    for (const f of r.findings) findings.push({ ...f });
    forbiddenStats.matches += r.forbidden.matches;
    forbiddenStats.exempt += r.forbidden.exempt;
    portabilityStats.matches += r.portability.matches;
    portabilityStats.exempt += r.portability.exempt;
    if (links) {
      links.addPermalinks(path, r.permalinks);
      if (r.doc) links.addAnchors(path, r.doc);
      if (d.links) links.addLinks(path, r.doc, r.linkAt);
    }
  };

  // Files only the portability rule reads, and only for patterns with a certain literal: when
  // there are many, the snapshot may name the few that can hold one (git grep, for a checkout).
  const onlyPortability = (d: Decision) =>
    d.portability && d.forbidden.length === 0 && !d.links && !d.spans;
  let candidates: ReadonlySet<string> | undefined;
  const prefilter =
    portability && snapshot.filesContaining ? portabilityLiterals(portability) : undefined;
  if (
    prefilter &&
    selectedEntries.filter((e) => onlyPortability(e.decision)).length >= PREFILTER_MIN
  ) {
    candidates = await snapshot.filesContaining!(prefilter.literals, {
      ignoreCase: prefilter.ignoreCase,
    });
  }

  // Files whose result is cached (same config, path and blob) are not read at all.
  const toRead: RepoFile[] = [];
  const toReadEntries: PathEntry[] = [];
  let cached = 0;
  let prefiltered = 0;
  for (let k = 0; k < selected.length; k++) {
    const f = selected[k]!;
    const e = selectedEntries[k]!;
    if (shared && e.result && f.blobSha !== undefined && e.blobSha === f.blobSha) {
      cached++;
      apply(f.path, e.result, e.decision);
    } else if (candidates && !candidates.has(f.path) && onlyPortability(e.decision)) {
      prefiltered++;
    } else {
      toRead.push(f);
      toReadEntries.push(e);
    }
  }

  const onText = (path: string, text: string, index: number): void => {
    const entry = toRead[index]!;
    const pathEntry = toReadEntries[index]!;
    const d = pathEntry.decision;
    let lines: LineIndex | undefined;
    let legacy: Regions | undefined;
    let windows: Regions | undefined;
    const file: FileScan = {
      path,
      text,
      lines: () => (lines ??= new LineIndex(text)),
      legacy: () =>
        (legacy ??= findRegions(
          text,
          compiledCfg.legacyLabel,
          compiledCfg.bannerLines,
          file.lines(),
        )),
      windowsOnly: () =>
        (windows ??= findRegions(
          text,
          compiledCfg.windowsLabel,
          compiledCfg.bannerLines,
          file.lines(),
        )),
      occurrences: new OccurrenceCounter(),
    };
    const own: Finding[] = [];
    const r: FileResult = {
      findings: own,
      forbidden: { matches: 0, exempt: 0 },
      portability: { matches: 0, exempt: 0 },
      permalinks: d.links && links ? links.permalinksOf(path, text) : [],
      linkAt: [],
    };
    if (d.forbidden.length) {
      scanForbidden(
        file,
        d.forbidden.map((i) => compiledCfg.forbidden[i]!),
        own,
        r.forbidden,
      );
      if (text.includes(compiledCfg.legacyLabel))
        reportUnclosed(file, file.legacy(), compiledCfg.legacyLabel, own);
    }
    if (d.portability) {
      scanPortability(file, portability!, combined, own, r.portability);
      if (text.includes(compiledCfg.windowsLabel))
        reportUnclosed(file, file.windowsOnly(), compiledCfg.windowsLabel, own);
    }
    if ((d.links && mightHaveLinks(text)) || (d.spans && text.includes('`'))) {
      r.doc = parse(entry, text, d.spans);
      r.linkAt = r.doc.links.map((l) => file.lines().position(l.offset));
    }
    // Code-span paths are checked against the tree: never cached.
    if (shared && entry.blobSha && !d.spans) {
      pathEntry.blobSha = entry.blobSha;
      pathEntry.result = r;
    }
    apply(path, r, d);
    if (d.spans && r.doc) {
      const position = (offset: number) => file.lines().position(offset);
      checkCodeSpans(path, r.doc, tree, spans!, position, file.occurrences, findings, refStats);
    }
  };

  const pass = await readPass(snapshot, toRead, onText);
  const unreadable: SkippedFile[] = [...pass.unreadable];
  if (links) unreadable.push(...(await links.finish(findings)));
  if (cfg.references?.codeowners)
    await checkCodeowners(snapshot, tree, cfg.references, findings, refStats);
  if (cfg.references?.registries.length)
    await checkRegistries(snapshot, tree, cfg.references.registries, findings, refStats);
  const consistency = cfg.consistency.length
    ? await checkConsistency(
        snapshot,
        cfg.consistency,
        { legacyLabel: cfg.legacyLabel, bannerLines: cfg.bannerLines },
        findings,
      )
    : { places: 0 };

  for (const u of unreadable) {
    const why =
      u.content.kind === 'unreadable'
        ? u.content.error
        : 'tracked but missing from the working tree';
    findings.push(
      makeFinding({
        rule: RULE.unreadable,
        severity: cfg.unreadableSeverity,
        message: `could not read ${u.path}: ${why}; its drift rules were not checked`,
        path: u.path,
        key: RULE.unreadable,
      }),
    );
  }

  const sites = links?.siteRoots ?? [];
  return {
    findings: findings.sort(byPlace),
    summary: sites.length
      ? `Links in documentation sites follow the site's routing: ${sites.map((x) => `\`${x}\``).join(', ')} (links.sites, links.auto-sites).`
      : undefined,
    stats: {
      'files-selected': selected.length,
      'files-read': pass.stats.read,
      'files-cached': cached,
      'files-prefiltered': prefiltered,
      'files-binary': pass.stats.binary,
      'files-too-large': pass.stats.tooLarge,
      'files-unreadable': unreadable.length,
      'forbidden-matches': forbiddenStats.matches,
      'forbidden-exempt': forbiddenStats.exempt,
      'portability-matches': portabilityStats.matches,
      'portability-exempt': portabilityStats.exempt,
      ...(links ? links.stats : {}),
      ...refStats,
      'consistency-places': consistency.places,
    },
  };
}

/** Deterministic order (the read pass is concurrent): path, line, column, rule, message. */
function byPlace(a: Finding, b: Finding): number {
  const s = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return (
    s(a.path ?? '', b.path ?? '') ||
    (a.line ?? 0) - (b.line ?? 0) ||
    (a.column ?? 0) - (b.column ?? 0) ||
    s(a.ruleId, b.ruleId) ||
    s(a.message, b.message)
  );
}

function reportUnclosed(file: FileScan, regions: Regions, label: string, out: Finding[]): void {
  for (const offset of regions.unclosed) {
    out.push(
      makeFinding({
        rule: RULE.unclosedMarker,
        severity: 'warning',
        message: `section marker ${label} is never closed (no /${label} after it), so it exempts nothing`,
        path: file.path,
        at: file.lines().position(offset),
        key: file.occurrences.next(`${RULE.unclosedMarker}\0${label}`),
        help: `Close the section with a line containing /${label} (for example <!-- /${label} -->), or use ${label}-file near the top for the whole file.`,
      }),
    );
  }
}

/** The check, as registered in checks/registry.ts. */
export const driftCheck: Check = {
  id: CHECK_ID,
  title: TITLE,
  rules: RULES,
  bulkReads: driftReadsEveryFile,
  run,
  validateConfig: validateDriftConfig,
};
