/**
 * Rules `index-missing`, `index-missing-link` and `index-unregistered-link`: the index document
 * (a derived projection of the registry) must link every registered document, and every link it
 * makes to a SOT document (a link under one of `sot.index.sections`, or to a path matching
 * `sot.index.include`) must be registered.
 */
import { Minimatch } from 'minimatch';
import type { RepoSnapshot } from '../snapshot.js';
import { normalizeRepoPath } from '../snapshot.js';
import { GLOB_OPTIONS, type IndexSetting } from './config.js';
import {
  collectLinks,
  headingTexts,
  normalizeHeading,
  parseMarkdown,
  resolveLink,
} from './markdown.js';
import { describeUnreadable, type Place, type SotEntry } from './registry.js';
import type { FindingSink } from './rules.js';

/** Counters of the index rules. */
export interface IndexStats {
  indexLinks: number;
  indexSotLinks: number;
}

/**
 * Checks the index against the registry. `indexAt` is where `sot.index.path` is configured
 * (for a finding about a missing index).
 */
export async function checkIndex(
  snapshot: RepoSnapshot,
  setting: IndexSetting,
  entries: readonly SotEntry[],
  indexAt: Place,
  sink: FindingSink,
): Promise<IndexStats> {
  const stats: IndexStats = { indexLinks: 0, indexSotLinks: 0 };
  const indexPath = normalizeRepoPath(setting.path);
  const content = indexPath ? await snapshot.read(indexPath) : undefined;
  if (!indexPath || !content || content.kind !== 'text') {
    sink.add({
      rule: 'index-missing',
      ...placeFields(indexAt),
      message: `the SOT index ${setting.path} ${indexPath && content ? describeUnreadable(content) : 'is outside the repository'}`,
      key: `index:${setting.path}`,
    });
    return stats;
  }
  const tree = parseMarkdown(content.text);
  const links = collectLinks(tree);
  stats.indexLinks = links.length;
  const registered = new Map(entries.map((e) => [e.path, e]));
  const linked = new Set<string>();
  for (const link of links) {
    const target = resolveLink(indexPath, link.url);
    if (target && !target.directory) linked.add(target.path);
  }

  for (const entry of entries) {
    if (entry.path === indexPath || linked.has(entry.path)) continue;
    const where = entry.at.line ? ` (registered at ${entry.at.file}:${entry.at.line})` : '';
    sink.add({
      rule: 'index-missing-link',
      path: indexPath,
      message: `${entry.path} is a registered SOT document${where} but ${indexPath} does not link it`,
      key: `missing-link:${entry.path}`,
    });
  }

  const sections = (setting.sections ?? []).map(normalizeHeading);
  const include = (setting.include ?? []).map((g) => new Minimatch(g, GLOB_OPTIONS));
  const exclude = (setting.exclude ?? []).map((g) => new Minimatch(g, GLOB_OPTIONS));
  if (sections.length === 0 && include.length === 0) return stats; // which links count is not configured
  if (sections.length) {
    const present = new Set(headingTexts(tree));
    for (const [i, s] of sections.entries()) {
      if (present.has(s)) continue;
      sink.add({
        rule: 'index-missing',
        path: indexPath,
        message: `${indexPath} has no heading "${setting.sections![i]}" (sot.index.sections), so the SOT links under it cannot be checked`,
        key: `section:${s}`,
        help: 'Add the heading to the index, or correct sot.index.sections to match an existing heading (case-insensitive).',
      });
    }
  }
  const reported = new Set<string>();
  for (const link of links) {
    const target = resolveLink(indexPath, link.url);
    if (!target || target.directory || target.path === indexPath) continue;
    if (sections.length && !link.headings.some((h) => sections.includes(h))) continue;
    if (include.length && !include.some((m) => m.match(target.path))) continue;
    if (exclude.some((m) => m.match(target.path))) continue;
    stats.indexSotLinks++;
    if (registered.has(target.path) || reported.has(target.path)) continue;
    reported.add(target.path);
    const missing = snapshot.hasFile(target.path) ? '' : ' (and the file does not exist)';
    sink.add({
      rule: 'index-unregistered-link',
      path: indexPath,
      line: link.line,
      column: link.column,
      endLine: link.endLine,
      endColumn: link.endColumn,
      message: `${indexPath} links ${target.path} as a SOT document, but it is not in the SOT registry${missing}`,
      key: `unregistered:${target.path}`,
    });
  }
  return stats;
}

function placeFields(at: Place): { path?: string; line?: number; column?: number } {
  return at.inRepo ? { path: at.file, line: at.line, column: at.column } : {};
}
