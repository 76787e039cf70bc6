/**
 * Semantic validation of the `drift` section (what the JSON Schema cannot express): every
 * regular expression must compile with RE2 (and a forbidden or portability pattern must not
 * match the empty string), every glob must be usable, every key path must parse, a
 * consistency rule has at most one source of truth, and a portability pattern without `regex`
 * must name a built-in. Problems carry key paths relative to the section; the shell turns
 * them into a ConfigError with file, line and key (`autopack config validate` exits 2).
 */
import type { ConfigIssue } from '../model.js';
import { BUILTIN_PORTABILITY_PATTERNS, type DriftSection } from './config.js';
import { globProblem } from './files.js';
import { KeyPathError, parseKeyPath } from './keypath.js';
import { regexProblem } from './regex.js';

type Path = Array<string | number>;

/** Validates a (schema-valid) drift section; an empty list means it is usable. */
export function validateDriftConfig(raw: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (raw === null || typeof raw !== 'object') return issues;
  const s = raw as DriftSection;
  const globs = (list: readonly string[] | undefined, path: Path) =>
    list?.forEach((g, i) => {
      const p = globProblem(g);
      if (p) issues.push({ path: [...path, i], message: p });
    });
  const regex = (
    source: string | undefined,
    path: Path,
    opts: { ignoreCase?: boolean; nonEmpty?: boolean; multiline?: boolean },
  ) => {
    if (source === undefined) return;
    const p = regexProblem(source, opts);
    if (p) issues.push({ path, message: p });
  };
  const keyPath = (key: string | string[] | undefined, path: Path) => {
    if (key === undefined) return;
    try {
      parseKeyPath(key);
    } catch (e) {
      if (e instanceof KeyPathError) issues.push({ path, message: e.message });
      else throw e;
    }
  };

  const fp = s['forbidden-patterns'];
  if (fp) {
    globs(fp.files, ['forbidden-patterns', 'files']);
    globs(fp.exclude, ['forbidden-patterns', 'exclude']);
    for (const [name, r] of Object.entries(fp.rules ?? {})) {
      const base = ['forbidden-patterns', 'rules', name];
      if (r.literal === undefined && r.regex === undefined && r.enabled !== false) {
        issues.push({
          path: base,
          message: `forbidden pattern ${name} needs "literal" or "regex"`,
        });
      }
      if (r.literal !== undefined && r.regex !== undefined) {
        issues.push({
          path: [...base, 'regex'],
          message: `forbidden pattern ${name} has both "literal" and "regex"; keep one`,
        });
      }
      regex(r.regex, [...base, 'regex'], { ignoreCase: r['ignore-case'], nonEmpty: true });
      globs(r.files, [...base, 'files']);
      globs(r.exclude, [...base, 'exclude']);
    }
  }

  const ln = s.links;
  if (ln) {
    globs(ln.files, ['links', 'files']);
    globs(ln.exclude, ['links', 'exclude']);
    globs(ln['host-relative-files'], ['links', 'host-relative-files']);
    ln.ignore?.forEach((r, i) => regex(r, ['links', 'ignore', i], { multiline: false }));
    for (const [name, site] of Object.entries(ln.sites ?? {})) {
      globs(site.files, ['links', 'sites', name, 'files']);
      if (/(^|\/)\.\.(\/|$)/.test(site.root))
        issues.push({
          path: ['links', 'sites', name, 'root'],
          message: `site root ${JSON.stringify(site.root)} leaves the repository`,
        });
    }
  }

  const rf = s.references;
  if (rf) {
    for (const [name, r] of Object.entries(rf.registries ?? {}))
      keyPath(r.key, ['references', 'registries', name, 'key']);
    const cs = rf['code-spans'];
    if (cs) {
      globs(cs.files, ['references', 'code-spans', 'files']);
      globs(cs.exclude, ['references', 'code-spans', 'exclude']);
      cs.ignore?.forEach((r, i) =>
        regex(r, ['references', 'code-spans', 'ignore', i], { multiline: false }),
      );
    }
  }

  const cn = s.consistency;
  if (cn) {
    for (const [name, rule] of Object.entries(cn.rules ?? {})) {
      let sot = 0;
      rule.sources?.forEach((src, i) => {
        const base = ['consistency', 'rules', name, 'sources', i];
        if ((src.key === undefined) === (src.regex === undefined)) {
          issues.push({
            path: base,
            message: 'a consistency source needs exactly one of "key" or "regex"',
          });
        }
        keyPath(src.key, [...base, 'key']);
        regex(src.regex, [...base, 'regex'], { ignoreCase: src['ignore-case'] });
        const g = globProblem(src.file);
        if (g) issues.push({ path: [...base, 'file'], message: g });
        if (src['source-of-truth'] === true && ++sot > 1) {
          issues.push({
            path: [...base, 'source-of-truth'],
            message: `consistency rule ${name} declares more than one source of truth`,
          });
        }
      });
    }
  }

  const pt = s.portability;
  if (pt) {
    globs(pt.files, ['portability', 'files']);
    globs(pt.exclude, ['portability', 'exclude']);
    pt.allow?.forEach((a, i) =>
      regex(a, ['portability', 'allow', i], { ignoreCase: true, multiline: false }),
    );
    for (const [name, p] of Object.entries(pt.patterns ?? {})) {
      const base = ['portability', 'patterns', name];
      const builtin = pt['builtin-patterns'] !== false && name in BUILTIN_PORTABILITY_PATTERNS;
      if (p.regex === undefined && !builtin && p.enabled !== false) {
        issues.push({
          path: base,
          message: `portability pattern ${name} has no "regex" and is not a built-in (${Object.keys(BUILTIN_PORTABILITY_PATTERNS).join(', ')})`,
        });
      }
      regex(p.regex, [...base, 'regex'], { ignoreCase: p['ignore-case'], nonEmpty: true });
    }
  }
  return issues;
}
