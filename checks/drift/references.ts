/**
 * Rule family 3, references: paths that other files name must exist in the tree.
 * - CODEOWNERS: every pattern must match at least one tracked file (codeowners.ts);
 * - registries: the strings at a key path of a JSON/YAML file (for example
 *   `config/sot_registry.json` → `docs_sot_files`) are repository paths (or globs) that must
 *   match a tracked file or directory, relative to the root (or to the registry file);
 * - code spans (opt-in): a `` `path/like/this.ext` `` in a chosen document must exist, judged
 *   by a path-shaped heuristic (see {@link pathCandidate}).
 */
import { Minimatch } from 'minimatch';
import type { Finding } from '../model.js';
import type { RepoSnapshot } from '../snapshot.js';
import {
  CODEOWNERS_PATHS,
  CodeownersMatcher,
  parseCodeowners,
  unsupportedSyntax,
} from './codeowners.js';
import {
  GLOB_CHARS,
  type CompiledCodeSpans,
  type CompiledReferences,
  type CompiledRegistry,
} from './config.js';
import { normalizeGlob } from './files.js';
import { lookupKeyPath } from './keypath.js';
import type { MdDoc } from './markdown.js';
import { testRegex } from './regex.js';
import { makeFinding, RULE } from './rules.js';
import { excerpt, OccurrenceCounter, type LineCol } from './text.js';
import { dirOf, joinPath, type TreeIndex } from './tree.js';

/** Counters for the run summary. */
export interface ReferenceStats {
  'codeowners-patterns': number;
  'registry-paths': number;
  'code-span-paths': number;
}

/** Checks every CODEOWNERS file GitHub would consider. */
export async function checkCodeowners(
  snapshot: RepoSnapshot,
  tree: TreeIndex,
  cfg: CompiledReferences,
  out: Finding[],
  stats: ReferenceStats,
): Promise<void> {
  const matcher = new CodeownersMatcher(snapshot, tree);
  const present = CODEOWNERS_PATHS.filter((p) => snapshot.hasFile(p));
  for (const [i, path] of present.entries()) {
    const content = await snapshot.read(path);
    if (content.kind !== 'text') {
      out.push(unreadableSource(path, content.kind, cfg.severity));
      continue;
    }
    const counter = new OccurrenceCounter();
    for (const e of parseCodeowners(content.text)) {
      stats['codeowners-patterns']++;
      const at: LineCol = { line: e.line, column: e.column };
      const why = unsupportedSyntax(e.pattern);
      const matched = why === undefined && matcher.matchesAny(e.pattern);
      if (matched) continue;
      out.push(
        makeFinding({
          rule: RULE.codeowners,
          severity: cfg.severity,
          message: why
            ? `CODEOWNERS pattern "${excerpt(e.raw)}": ${why}`
            : `CODEOWNERS pattern "${excerpt(e.raw)}" matches no tracked file${i > 0 ? ` (note: GitHub uses ${present[0]} and ignores this file)` : ''}`,
          path,
          at,
          key: counter.next(`${RULE.codeowners}\0${e.pattern}`),
          help: why
            ? 'Rewrite the pattern with GitHub-supported syntax (globs, a leading "/" to anchor, a trailing "/" for directories).'
            : 'Remove the stale line, or fix the pattern (a leading "/" anchors it at the root; no slash matches at any depth).',
          properties: { pattern: e.pattern },
        }),
      );
    }
  }
}

/** Checks the path lists of every configured registry. */
export async function checkRegistries(
  snapshot: RepoSnapshot,
  tree: TreeIndex,
  registries: readonly CompiledRegistry[],
  out: Finding[],
  stats: ReferenceStats,
): Promise<void> {
  for (const reg of registries) {
    const content = await snapshot.read(reg.file);
    if (content.kind === 'missing') {
      out.push(
        makeFinding({
          rule: RULE.invalidSource,
          severity: reg.severity,
          message: `registry ${reg.name}: file ${reg.file} is not tracked`,
          key: `${RULE.invalidSource}\0registry\0${reg.name}\0missing`,
          help: `Restore ${reg.file}, or fix references.registries.${reg.name}.file in the drift config.`,
        }),
      );
      continue;
    }
    if (content.kind !== 'text') {
      out.push(unreadableSource(reg.file, content.kind, reg.severity));
      continue;
    }
    const found = lookupKeyPath(reg.file, content.text, reg.key);
    if (!found.ok) {
      out.push(
        invalidSource(
          reg.file,
          reg.severity,
          `registry ${reg.name}: ${found.error}`,
          `parse\0${reg.name}`,
        ),
      );
      continue;
    }
    if (found.places.length === 0) {
      out.push(
        invalidSource(
          reg.file,
          reg.severity,
          `registry ${reg.name}: key ${reg.keySource} not found in ${reg.file}`,
          `key\0${reg.name}`,
        ),
      );
      continue;
    }
    // A key holding a list: report each element at its own position.
    const elements = found.places.some((p) => Array.isArray(p.value))
      ? lookupKeyPath(reg.file, content.text, [...reg.key, { kind: 'any' }])
      : undefined;
    const places = found.places.flatMap((p) =>
      Array.isArray(p.value) && elements?.ok
        ? elements.places.filter((e) => e.at.startsWith(`${p.at}[`))
        : [p],
    );
    const counter = new OccurrenceCounter();
    for (const place of places) {
      const v = place.value;
      if (typeof v !== 'string') {
        out.push(
          invalidSource(
            reg.file,
            reg.severity,
            `registry ${reg.name}: ${place.at} holds ${v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v}, not a path string`,
            `type\0${reg.name}\0${place.at}`,
            { line: place.line, column: place.column },
          ),
        );
        continue;
      }
      stats['registry-paths']++;
      if (registryPathExists(tree, snapshot, reg, v)) continue;
      out.push(
        makeFinding({
          rule: RULE.registry,
          severity: reg.severity,
          message: `registry ${reg.name} (${reg.keySource}) lists "${excerpt(v)}", which matches no tracked file or directory`,
          path: reg.file,
          at: { line: place.line, column: place.column },
          key: counter.next(`${RULE.registry}\0${reg.name}\0${v}`),
          help: `Restore the file or remove "${excerpt(v)}" from ${reg.file} (${reg.keySource}).`,
          properties: { registry: reg.name, value: v, at: place.at },
        }),
      );
    }
  }
}

function registryPathExists(
  tree: TreeIndex,
  snapshot: RepoSnapshot,
  reg: CompiledRegistry,
  value: string,
): boolean {
  const v = value.trim();
  const rooted = v.startsWith('/');
  const base = reg.base === 'file' && !rooted ? dirOf(reg.file) : '';
  if (GLOB_CHARS.test(v)) {
    const j = joinPath(base, normalizeGlob(v));
    if (j.escapes) return false;
    const mm = new Minimatch(j.path, { dot: true });
    return snapshot.files.some((f) => mm.match(f.path));
  }
  const j = joinPath(base, v);
  return j.escapes === 0 && tree.exists(j.path);
}

/**
 * The repository path a code span names, or undefined when the span does not look like one.
 * Heuristic: one token without URL, option, variable, glob or quoting characters, containing a
 * `/`, whose first segment is a top-level directory of the tree (`src/app.ts`, `docs/adr/`),
 * with a known extension or none. Docs often name files of the reader's own project
 * (`.prettierrc.yml`, `./.gitignore`), so bare names and `./`/`../` paths are candidates only
 * when `bare-names` / `relative` say so. A trailing `:line[:col]` or `#L..` is dropped.
 */
export function pathCandidate(
  value: string,
  tree: TreeIndex,
  cfg: CompiledCodeSpans,
): string | undefined {
  let v = value.trim();
  if (v === '' || v.length > 200 || /\s/.test(v) || v.includes('://')) return undefined;
  if (/^[-$~@%/\\]/.test(v) || /[*?{}<>|;=,()[\]"'`\\]/.test(v)) return undefined;
  v = v.replace(/(:\d+){1,2}$/, '').replace(/#L\d+.*$/, '');
  const relative = v.startsWith('./') || v.startsWith('../');
  if (relative && !cfg.relative) return undefined;
  const last = v.replace(/\/+$/, '').split('/').pop() ?? '';
  const dot = last.lastIndexOf('.');
  const ext = dot > 0 ? last.slice(dot + 1).toLowerCase() : '';
  if (ext && !cfg.extensions.has(ext) && !v.endsWith('/')) return undefined;
  if (v.includes('/')) {
    const first = v.split('/')[0]!;
    if (!relative && !(tree.isTopLevel(first) && tree.isDir(first))) return undefined;
    return v;
  }
  return cfg.bareNames && ext ? v : undefined;
}

/** Checks the code spans of one parsed document. */
export function checkCodeSpans(
  path: string,
  doc: MdDoc,
  tree: TreeIndex,
  cfg: CompiledCodeSpans,
  position: (offset: number) => LineCol,
  counter: OccurrenceCounter,
  out: Finding[],
  stats: ReferenceStats,
): void {
  for (const span of doc.codeSpans) {
    const v = pathCandidate(span.value, tree, cfg);
    if (v === undefined) continue;
    if (cfg.ignore.some((re) => testRegex(re, v))) continue;
    stats['code-span-paths']++;
    if (!v.includes('/')) {
      if (tree.hasBaseName(v)) continue;
    } else if (v.startsWith('.')) {
      const fromDoc = joinPath(dirOf(path), v);
      if (fromDoc.escapes === 0 && tree.exists(fromDoc.path)) continue;
    } else if (tree.exists(joinPath('', v).path)) {
      continue;
    }
    const ci = tree.caseInsensitive(joinPath(v.startsWith('.') ? dirOf(path) : '', v).path);
    out.push(
      makeFinding({
        rule: RULE.docPath,
        severity: cfg.severity,
        message: `\`${excerpt(span.value)}\` names a path that does not exist in the tree`,
        path,
        at: position(span.offset),
        key: counter.next(`${RULE.docPath}\0${span.value}`),
        help: ci
          ? `Did you mean ${ci}? (paths are case-sensitive)`
          : 'Update the document to the current path, or add a pattern for it to references.code-spans.ignore.',
        properties: { value: span.value },
      }),
    );
  }
}

function invalidSource(
  path: string,
  severity: Finding['severity'],
  message: string,
  key: string,
  at?: LineCol,
  properties?: Record<string, unknown>,
): Finding {
  return makeFinding({
    rule: RULE.invalidSource,
    severity,
    message,
    path,
    at,
    key: `${RULE.invalidSource}\0${key}`,
    properties,
  });
}

function unreadableSource(path: string, kind: string, severity: Finding['severity']): Finding {
  return makeFinding({
    rule: RULE.invalidSource,
    severity,
    message: `${path} cannot be read as text (${kind})`,
    path,
    key: `${RULE.invalidSource}\0unreadable`,
  });
}
