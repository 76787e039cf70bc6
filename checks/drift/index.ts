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
import type { Check, CheckContext, CheckOutcome, Finding } from '../model.js';
import { checkConsistency } from './consistency.js';
import { compileDrift, type DriftSection } from './config.js';
import { readPass, type SkippedFile } from './files.js';
import { scanForbidden, type FileScan, type ForbiddenStats } from './forbidden.js';
import { LinkChecker } from './links.js';
import { mightHaveLinks, parseMarkdown, type MdDoc } from './markdown.js';
import { findRegions, type Regions } from './markers.js';
import { combinedPortabilityRegex, scanPortability, type PortabilityStats } from './portability.js';
import {
  checkCodeowners,
  checkCodeSpans,
  checkRegistries,
  type ReferenceStats,
} from './references.js';
import { CHECK_ID, makeFinding, RULE, RULES, TITLE } from './rules.js';
import { LineIndex, OccurrenceCounter } from './text.js';
import { TreeIndex } from './tree.js';
import { validateDriftConfig } from './validate.js';

async function run(ctx: CheckContext): Promise<CheckOutcome> {
  const { snapshot } = ctx;
  const cfg = compileDrift(sectionOf<DriftSection>(ctx.config, CHECK_ID));
  const tree = new TreeIndex(snapshot);
  const findings: Finding[] = [];
  const links = cfg.links ? new LinkChecker(snapshot, tree, cfg.links) : undefined;
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

  const wants = (path: string): boolean =>
    cfg.forbidden.some((r) => r.selector.matches(path)) ||
    (links?.cfg.selector.matches(path) ?? false) ||
    (spans?.selector.matches(path) ?? false) ||
    (portability?.selector.matches(path) ?? false);
  const selected = snapshot.files.filter((f) => f.kind === 'file' && wants(f.path));

  const onText = (path: string, text: string): void => {
    let lines: LineIndex | undefined;
    let legacy: Regions | undefined;
    let windows: Regions | undefined;
    const file: FileScan = {
      path,
      text,
      lines: () => (lines ??= new LineIndex(text)),
      legacy: () => (legacy ??= findRegions(text, cfg.legacyLabel, cfg.bannerLines, file.lines())),
      windowsOnly: () =>
        (windows ??= findRegions(text, cfg.windowsLabel, cfg.bannerLines, file.lines())),
      occurrences: new OccurrenceCounter(),
    };
    const forbiddenHere = cfg.forbidden.filter((r) => r.selector.matches(path));
    if (forbiddenHere.length) {
      scanForbidden(file, forbiddenHere, findings, forbiddenStats);
      if (text.includes(cfg.legacyLabel))
        reportUnclosed(file, file.legacy(), cfg.legacyLabel, findings);
    }
    if (portability?.selector.matches(path)) {
      scanPortability(file, portability, combined, findings, portabilityStats);
      if (text.includes(cfg.windowsLabel))
        reportUnclosed(file, file.windowsOnly(), cfg.windowsLabel, findings);
    }
    const linkFile = links?.cfg.selector.matches(path) ?? false;
    const spanFile = spans?.selector.matches(path) ?? false;
    if (linkFile) links!.addFile(path, text);
    let doc: MdDoc | undefined;
    if ((linkFile && mightHaveLinks(text)) || (spanFile && text.includes('`'))) {
      doc = parseMarkdown(text);
      links?.addAnchors(path, doc);
    }
    const position = (offset: number) => file.lines().position(offset);
    if (linkFile) links!.addLinks(path, doc, position);
    if (spanFile && doc)
      checkCodeSpans(path, doc, tree, spans!, position, file.occurrences, findings, refStats);
  };

  const pass = await readPass(snapshot, selected, onText);
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
  run,
  validateConfig: validateDriftConfig,
};
