/**
 * Rule family 5, portability: machine-specific absolute paths (`C:\dev\...`, `C:\Users\<name>`,
 * `/home/<user>/`, `/Users/<user>/`, plus any configured pattern) in tracked text files.
 * Binary files (a NUL byte in the first 8,000 bytes, git's own test) and files above the
 * snapshot's read limit are skipped; unreadable files are reported by the caller. Paths
 * matching `portability.exclude` are allowed, and so are documents (or sections) labelled
 * Windows-only (markers.ts).
 *
 * All patterns are first tested at once through one combined RE2 alternation, so a file
 * without any match costs a single linear scan.
 */
import type { Finding } from '../model.js';
import type { CompiledPortability } from './config.js';
import type { FileScan } from './forbidden.js';
import { inRegions } from './markers.js';
import { compileRegex, matchAll, testRegex, type UserRegex } from './regex.js';
import { makeFinding, RULE } from './rules.js';

/** Counters for the run summary. */
export interface PortabilityStats {
  matches: number;
  exempt: number;
}

/** Builds the combined pre-test for all patterns (undefined when there are none). */
export function combinedPortabilityRegex(cfg: CompiledPortability): UserRegex | undefined {
  if (cfg.patterns.length === 0) return undefined;
  const parts = cfg.patterns.map((p) => {
    const flags = p.regex.ignoreCase ? '(?i)' : '';
    return `(?:${flags}${p.regex.source})`;
  });
  return compileRegex(parts.join('|'));
}

/** Scans one file (already selected by `cfg.selector`); pushes findings. */
export function scanPortability(
  file: FileScan,
  cfg: CompiledPortability,
  combined: UserRegex | undefined,
  out: Finding[],
  stats: PortabilityStats,
): void {
  if (!combined || !testRegex(combined, file.text)) return;
  for (const p of cfg.patterns) {
    if (!testRegex(p.regex, file.text)) continue;
    for (const m of matchAll(p.regex, file.text)) {
      const hit = m.capture ?? { text: m.text, start: m.start };
      if (hit.text === '') continue;
      stats.matches++;
      if (
        inRegions(file.windowsOnly(), hit.start) ||
        cfg.allow.some((a) => testRegex(a, hit.text))
      ) {
        stats.exempt++;
        continue;
      }
      out.push(
        makeFinding({
          rule: RULE.machinePath,
          severity: cfg.severity,
          message: `machine-specific path "${hit.text}": ${p.message}`,
          path: file.path,
          at: file.lines().position(hit.start),
          end: file.lines().position(hit.start + hit.text.length),
          key: file.occurrences.next(`${RULE.machinePath}\0${hit.text}`),
          properties: { pattern: p.name, match: hit.text },
        }),
      );
    }
  }
}
