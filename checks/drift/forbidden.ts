/**
 * Rule family 1, forbidden patterns: a literal or RE2 regular expression that must not appear
 * in the selected files (for example a legacy command in `docs/**`), except inside a section
 * labelled legacy or in a file carrying the legacy banner (markers.ts).
 */
import type { Finding } from '../model.js';
import type { CompiledForbiddenRule } from './config.js';
import { inRegions, type Regions } from './markers.js';
import { matchAll, testRegex } from './regex.js';
import { makeFinding, RULE } from './rules.js';
import { excerpt, LineIndex, OccurrenceCounter } from './text.js';

/** Per-file context the scanner shares between families (built lazily). */
export interface FileScan {
  path: string;
  text: string;
  lines(): LineIndex;
  legacy(): Regions;
  windowsOnly(): Regions;
  occurrences: OccurrenceCounter;
}

/** Counters for the run summary. */
export interface ForbiddenStats {
  matches: number;
  exempt: number;
}

/** Scans one file with the rules that select it; pushes findings, returns nothing. */
export function scanForbidden(
  file: FileScan,
  rules: readonly CompiledForbiddenRule[],
  out: Finding[],
  stats: ForbiddenStats,
): void {
  for (const rule of rules) {
    if (!rule.selector.matches(file.path)) continue;
    if (!testRegex(rule.regex, file.text)) continue;
    for (const m of matchAll(rule.regex, file.text)) {
      if (m.end === m.start) continue;
      stats.matches++;
      if (inRegions(file.legacy(), m.start)) {
        stats.exempt++;
        continue;
      }
      const shown = excerpt(m.text);
      const what =
        rule.literal !== undefined
          ? `"${shown}"`
          : `"${shown}" (matches /${excerpt(rule.regex.source, 60)}/)`;
      const message = `forbidden pattern ${rule.name}: ${what}${rule.message ? ` — ${rule.message}` : ''}`;
      const help = rule.replacement
        ? `Replace it with "${rule.replacement}", or move it into a section labelled legacy.`
        : undefined;
      out.push(
        makeFinding({
          rule: RULE.forbidden,
          severity: rule.severity,
          message,
          path: file.path,
          at: file.lines().position(m.start),
          end: file.lines().position(m.end),
          key: file.occurrences.next(`${RULE.forbidden}\0${rule.name}\0${m.text}`),
          help,
          properties: {
            pattern: rule.name,
            match: m.text,
            ...(rule.replacement ? { replacement: rule.replacement } : {}),
          },
        }),
      );
    }
  }
}
