/**
 * Rule family 5, portability: machine-specific absolute paths (`C:\dev\...`, `C:\Users\<name>`,
 * `/home/<user>/`, `/Users/<user>/`, plus any configured pattern) in tracked text files.
 * Binary files (a NUL byte in the first 8,000 bytes, git's own test) and files above the
 * snapshot's read limit are skipped; unreadable files are reported by the caller. Paths
 * matching `portability.exclude` are allowed, and so are documents (or sections) labelled
 * Windows-only (markers.ts).
 *
 * Built-in patterns are matched only on the lines that hold one of their literals (config.ts,
 * BUILTIN_PORTABILITY_LITERALS); the other patterns are first tested at once through one
 * combined RE2 alternation, so a file without any match costs a single linear scan.
 */
import type { Finding } from '../model.js';
import type { CompiledPortability, CompiledPortabilityPattern } from './config.js';
import type { FileScan } from './forbidden.js';
import { inRegions } from './markers.js';
import {
  compileRegex,
  matchAll,
  requiredLiteral,
  testRegex,
  type RegexMatch,
  type UserRegex,
} from './regex.js';
import { makeFinding, RULE } from './rules.js';

/** Counters for the run summary. */
export interface PortabilityStats {
  matches: number;
  exempt: number;
}

/**
 * Builds the combined pre-test for the patterns matched over whole texts, those without
 * literals (undefined when there are none).
 */
export function combinedPortabilityRegex(cfg: CompiledPortability): UserRegex | undefined {
  const whole = cfg.patterns.filter((p) => !p.literals);
  if (whole.length === 0) return undefined;
  const parts = whole.map((p) => {
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
  const wholeText = combined !== undefined && testRegex(combined, file.text);
  for (const p of cfg.patterns) {
    if (p.literals) {
      for (const [from, to] of linesHolding(file.text, p.literals)) {
        for (const m of matchAll(p.regex, file.text.slice(from, to))) report(p, m, from);
      }
    } else if (wholeText && testRegex(p.regex, file.text)) {
      for (const m of matchAll(p.regex, file.text)) report(p, m, 0);
    }
  }

  function report(p: CompiledPortabilityPattern, m: RegexMatch, offset: number): void {
    const found = m.capture ?? { text: m.text, start: m.start };
    const hit = { text: found.text, start: found.start + offset };
    if (hit.text === '') return;
    stats.matches++;
    if (inRegions(file.windowsOnly(), hit.start) || cfg.allow.some((a) => testRegex(a, hit.text))) {
      stats.exempt++;
      return;
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

/**
 * The lines of `text` (as `[start, end)` offsets, line end excluded) that contain one of
 * `literals`, in order, each once. Native string search: a text without any costs one pass per
 * literal.
 */
export function linesHolding(text: string, literals: readonly string[]): Array<[number, number]> {
  const starts: number[] = [];
  for (const lit of literals) {
    for (let at = text.indexOf(lit); at !== -1;) {
      const start = text.lastIndexOf('\n', at - 1) + 1;
      starts.push(start);
      const end = text.indexOf('\n', at + lit.length);
      if (end === -1) break;
      at = text.indexOf(lit, end + 1);
    }
  }
  if (starts.length === 0) return [];
  starts.sort((a, b) => a - b);
  const out: Array<[number, number]> = [];
  for (const start of starts) {
    if (out.length && out[out.length - 1]![0] === start) continue;
    const end = text.indexOf('\n', start);
    out.push([start, end === -1 ? text.length : end]);
  }
  return out;
}

/**
 * Strings one of which every match of every pattern contains (each pattern's built-in literals,
 * or the literal its regex starts with), for RepoSnapshot.filesContaining; undefined when a
 * pattern has none that is certain, or folds case beyond ASCII.
 */
export function portabilityLiterals(
  cfg: CompiledPortability,
): { literals: string[]; ignoreCase: boolean } | undefined {
  const literals: string[] = [];
  let ignoreCase = false;
  for (const p of cfg.patterns) {
    const own = p.literals ?? [requiredLiteral(p.regex.source)];
    if (own.some((l) => l === undefined)) return undefined;
    if (p.regex.ignoreCase) {
      // git folds ASCII letters only (LC_ALL=C); RE2 folds Unicode.
      if (own.some((l) => [...l!].some((c) => c.charCodeAt(0) > 0x7f))) return undefined;
      ignoreCase = true;
    }
    literals.push(...(own as string[]));
  }
  return literals.length ? { literals: [...new Set(literals)], ignoreCase } : undefined;
}
