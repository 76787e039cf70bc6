/**
 * Rule family 4, consistency: one named value (a version, a port, a service name) extracted
 * from several places must be equal everywhere. A source is a file (or a glob of files) and
 * either a JSON/YAML key path (keypath.ts) or an RE2 regular expression whose `value` group
 * (else group 1, else the whole match) is the value; every match is a place. Regex matches in
 * a section labelled legacy are not places. One source may be the declared source of truth.
 *
 * For each place whose value differs from the reference (the source of truth's value, else
 * the most common value), one finding at that place lists every place and its value.
 */
import type { Finding } from '../model.js';
import type { RepoSnapshot } from '../snapshot.js';
import type { CompiledConsistencyRule, CompiledSource } from './config.js';
import { lookupKeyPath } from './keypath.js';
import { findRegions, inRegions } from './markers.js';
import { matchAll } from './regex.js';
import { makeFinding, RULE } from './rules.js';
import { excerpt, LineIndex, OccurrenceCounter } from './text.js';

/** One place a value was found. */
export interface ValuePlace {
  path: string;
  line: number;
  column: number;
  value: string;
  sourceOfTruth: boolean;
  /** Index of the source in the rule's `sources`. */
  source: number;
}

/** Legacy label settings the regex sources honour. */
export interface ConsistencyOptions {
  legacyLabel: string;
  bannerLines: number;
}

/** Checks every consistency rule. */
export async function checkConsistency(
  snapshot: RepoSnapshot,
  rules: readonly CompiledConsistencyRule[],
  opts: ConsistencyOptions,
  out: Finding[],
): Promise<{ places: number }> {
  let count = 0;
  const texts = new Map<string, Promise<string | { error: string }>>();
  const readText = (path: string) => {
    let p = texts.get(path);
    if (!p) {
      p = snapshot
        .read(path)
        .then((c) =>
          c.kind === 'text'
            ? c.text
            : { error: c.kind === 'unreadable' ? `unreadable: ${c.error}` : `${c.kind}` },
        );
      texts.set(path, p);
    }
    return p;
  };
  for (const rule of rules) {
    const places: ValuePlace[] = [];
    for (const src of rule.sources) {
      const files = src.glob
        ? snapshot.files
            .filter((f) => f.kind === 'file' && src.selector.matches(f.path))
            .map((f) => f.path)
        : [src.file];
      const before = places.length;
      for (const path of files) {
        if (!snapshot.hasFile(path)) continue;
        const text = await readText(path);
        if (typeof text !== 'string') {
          out.push(
            sourceProblem(
              rule,
              src,
              path,
              `${path} cannot be read as text (${text.error})`,
              'read',
            ),
          );
          continue;
        }
        extract(rule, src, path, text, opts, places, out);
      }
      if (places.length === before && src.required) {
        const missingFile = !src.glob && !snapshot.hasFile(src.file);
        out.push(
          makeFinding({
            rule: RULE.missingValue,
            severity: rule.severity,
            message: missingFile
              ? `consistency ${rule.name}: source ${src.index + 1} file ${src.file} is not tracked`
              : `consistency ${rule.name}: source ${src.index + 1} (${src.file}${src.keySource ? ` key ${src.keySource}` : ` /${excerpt(src.regex?.source ?? '', 60)}/`}) yields no value`,
            path: missingFile || src.glob ? undefined : src.file,
            key: `${RULE.missingValue}\0${rule.name}\0${src.index}\0${src.file}`,
            help: `Fix consistency.rules.${rule.name}.sources[${src.index}] in the drift config, or mark it "required: false".`,
          }),
        );
      }
    }
    count += places.length;
    report(rule, places, out);
  }
  return { places: count };
}

function extract(
  rule: CompiledConsistencyRule,
  src: CompiledSource,
  path: string,
  text: string,
  opts: ConsistencyOptions,
  places: ValuePlace[],
  out: Finding[],
): void {
  if (src.key) {
    const found = lookupKeyPath(path, text, src.key);
    if (!found.ok) {
      out.push(
        sourceProblem(rule, src, path, `consistency ${rule.name}: ${path} ${found.error}`, 'parse'),
      );
      return;
    }
    for (const p of found.places) {
      if (p.value !== null && typeof p.value === 'object') {
        out.push(
          sourceProblem(
            rule,
            src,
            path,
            `consistency ${rule.name}: ${path} ${p.at} holds a ${Array.isArray(p.value) ? 'list' : 'map'}, not a value`,
            `type\0${p.at}`,
            {
              line: p.line,
              column: p.column,
            },
          ),
        );
        continue;
      }
      places.push({
        path,
        line: p.line,
        column: p.column,
        value: String(p.value).trim(),
        sourceOfTruth: src.sourceOfTruth,
        source: src.index,
      });
    }
    return;
  }
  if (!src.regex) return;
  const lines = new LineIndex(text);
  const legacy = findRegions(text, opts.legacyLabel, opts.bannerLines, lines);
  for (const m of matchAll(src.regex, text)) {
    if (!m.capture || inRegions(legacy, m.start)) continue;
    const pos = lines.position(m.capture.start);
    places.push({
      path,
      line: pos.line,
      column: pos.column,
      value: m.capture.text.trim(),
      sourceOfTruth: src.sourceOfTruth,
      source: src.index,
    });
  }
}

function report(rule: CompiledConsistencyRule, places: ValuePlace[], out: Finding[]): void {
  if (places.length < 2) return;
  const sot = places.find((p) => p.sourceOfTruth);
  let reference: string;
  if (sot) reference = sot.value;
  else {
    const counts = new Map<string, number>();
    for (const p of places) counts.set(p.value, (counts.get(p.value) ?? 0) + 1);
    reference = places[0]!.value;
    for (const p of places) if (counts.get(p.value)! > counts.get(reference)!) reference = p.value;
  }
  if (places.every((p) => p.value === reference)) return;
  const where = (p: ValuePlace) => `${p.path}:${p.line}`;
  const listing = places
    .slice(0, 12)
    .map((p) => `${where(p)} = "${excerpt(p.value, 40)}"${p === sot ? ' (source of truth)' : ''}`)
    .join('; ');
  const more = places.length > 12 ? `; and ${places.length - 12} more` : '';
  const refText = sot
    ? `"${excerpt(reference, 40)}" in ${where(sot)} (source of truth)`
    : `"${excerpt(reference, 40)}" (the most common value; no source of truth declared)`;
  const counter = new OccurrenceCounter();
  for (const p of places) {
    if (p.value === reference) continue;
    out.push(
      makeFinding({
        rule: RULE.inconsistent,
        severity: rule.severity,
        message: `${rule.name}${rule.description ? ` (${rule.description})` : ''} is "${excerpt(p.value, 40)}" here but ${refText}. All places: ${listing}${more}`,
        path: p.path,
        at: { line: p.line, column: p.column },
        key: counter.next(`${RULE.inconsistent}\0${rule.name}\0${p.path}\0${p.value}`),
        help: sot
          ? `Change this value to "${reference}" to match ${sot.path}, the declared source of truth.`
          : `Make every place agree, and declare one source as "source-of-truth: true" in consistency.rules.${rule.name}.`,
        properties: {
          rule: rule.name,
          value: p.value,
          expected: reference,
          places: places.map((x) => ({
            path: x.path,
            line: x.line,
            column: x.column,
            value: x.value,
            sourceOfTruth: x.sourceOfTruth,
          })),
        },
      }),
    );
  }
}

function sourceProblem(
  rule: CompiledConsistencyRule,
  src: CompiledSource,
  path: string,
  message: string,
  key: string,
  at?: { line: number; column: number },
): Finding {
  return makeFinding({
    rule: RULE.invalidSource,
    severity: rule.severity,
    message,
    path,
    at,
    key: `${RULE.invalidSource}\0${rule.name}\0${src.index}\0${key}`,
  });
}
