/**
 * The baseline file: parsing (JSON + schemas/security-baseline.schema.json via ajv, duplicate
 * keys refused) and deterministic serialisation (entries sorted by tool, category, path, rule,
 * fingerprint; keys in a fixed order; two-space JSON; one trailing newline), so that a refresh
 * diff shows only real changes.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { readJsonAsset } from '../../policies/assets.js';
import type { BaselineEntry, BaselineFile } from './types.js';

/** The baseline schema's package-relative path. */
export const BASELINE_SCHEMA_PATH = 'schemas/security-baseline.schema.json';

let validator: ValidateFunction | undefined;

function baselineValidator(): ValidateFunction {
  if (validator) return validator;
  const ajv = new Ajv({ strict: true, allErrors: true });
  validator = ajv.compile(readJsonAsset(BASELINE_SCHEMA_PATH) as object);
  return validator;
}

/** Parsing a baseline gave the file or every reason it is unusable. */
export type BaselineParseResult =
  { ok: true; baseline: BaselineFile } | { ok: false; message: string };

/** The identity of an entry (and of a finding): tool, category, rule, path, fingerprint. */
export function entryKey(e: {
  tool: string;
  category?: string;
  rule: string;
  path: string;
  fingerprint: string;
}): string {
  return `${e.tool}\0${e.category ?? ''}\0${e.rule}\0${e.path}\0${e.fingerprint}`;
}

/** Parses and validates a baseline's text; `label` names it in messages. Never throws. */
export function parseBaseline(text: string, label: string): BaselineParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    return { ok: false, message: `${label}: not valid JSON (${(e as Error).message})` };
  }
  const validate = baselineValidator();
  if (!validate(value)) {
    const errs = (validate.errors ?? [])
      .slice(0, 5)
      .map((e) => `${e.instancePath || '(root)'} ${e.message ?? e.keyword}`);
    return {
      ok: false,
      message: `${label}: does not match schemas/security-baseline.schema.json: ${errs.join('; ')}`,
    };
  }
  const baseline = value as BaselineFile;
  const seen = new Map<string, number>();
  for (const [i, e] of baseline.entries.entries()) {
    const k = entryKey(e);
    const prev = seen.get(k);
    if (prev !== undefined) {
      return {
        ok: false,
        message: `${label}: entries ${prev} and ${i} are the same finding (${e.tool} ${e.rule} ${e.path} ${e.fingerprint}); regenerate it with \`autopack baseline update\``,
      };
    }
    seen.set(k, i);
  }
  return { ok: true, baseline };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortKey(e: BaselineEntry): string {
  return `${e.tool}\0${e.category ?? ''}\0${e.path}\0${e.rule}\0${e.fingerprint}`;
}

/** The entries in deterministic order (a new array). */
export function sortEntries(entries: readonly BaselineEntry[]): BaselineEntry[] {
  const keyed = entries.map((e) => ({ e, k: sortKey(e) }));
  keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  return keyed.map(({ e }) => e);
}

/** Deterministic order of two entries (the order of {@link sortEntries}). */
export function compareEntries(a: BaselineEntry, b: BaselineEntry): number {
  return (
    cmp(a.tool, b.tool) ||
    cmp(a.category ?? '', b.category ?? '') ||
    cmp(a.path, b.path) ||
    cmp(a.rule, b.rule) ||
    cmp(a.fingerprint, b.fingerprint)
  );
}

/**
 * The baseline as text: sorted entries, fixed key order, two-space JSON, trailing newline.
 * `alreadySorted`: the caller passes the output of {@link sortEntries} (skips a second sort).
 */
export function serializeBaseline(
  entries: readonly BaselineEntry[],
  alreadySorted = false,
): string {
  const sorted = (alreadySorted ? entries : sortEntries(entries)).map((e) => ({
    tool: e.tool,
    ...(e.category ? { category: e.category } : {}),
    rule: e.rule,
    path: e.path,
    fingerprint: e.fingerprint,
    severity: e.severity,
    firstSeen: e.firstSeen,
    ...(e.justification ? { justification: e.justification } : {}),
  }));
  return JSON.stringify({ version: 1, entries: sorted }, null, 2) + '\n';
}
