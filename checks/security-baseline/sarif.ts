/**
 * SARIF ingestion: parses one SARIF 2.1.0 log and validates it against the official OASIS
 * schema (schemas/vendor/sarif-schema-2.1.0.json, Errata 01) with ajv. Pure: the shell reads the
 * files and hands over `{ path, text }`; a bad file becomes an error value naming the file, never
 * an exception, so the other files' results still count.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Log } from 'sarif';
import { readJsonAsset } from '../../policies/assets.js';
import type { SarifInputFile } from './types.js';

/** The vendored schema's package-relative path. */
export const SARIF_SCHEMA_PATH = 'schemas/vendor/sarif-schema-2.1.0.json';

/** Parsing one SARIF file gave either the log or a reason it is unusable. */
export type SarifParseResult =
  { ok: true; file: string; log: Log } | { ok: false; file: string; message: string };

let validator: ValidateFunction | undefined;

// ajv-formats is CommonJS; under NodeNext its default export arrives as the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as (ajv: Ajv) => Ajv;

/**
 * The compiled validator. The vendored schema says draft-04 (`id`); it is handed to ajv's
 * draft-07 mode with `$id` in memory (schemas/vendor/README.md explains why that is faithful).
 */
export function sarifValidator(): ValidateFunction {
  if (validator) return validator;
  const raw = readJsonAsset<Record<string, unknown>>(SARIF_SCHEMA_PATH);
  const { id, $schema: _draft04, ...rest } = raw;
  const schema = renameUniqueItems({
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: id,
    ...rest,
  });
  const ajv = new Ajv({ strict: false, allErrors: false, allowUnionTypes: true });
  addFormats(ajv);
  ajv.addKeyword({ keyword: UNIQUE, type: 'array', schemaType: 'boolean', validate: uniqueItems });
  validator = ajv.compile(schema as object);
  return validator;
}

/**
 * `uniqueItems` with the same meaning (no two items deep-equal, object key order ignored) in
 * linear time: each item is reduced to a canonical JSON text and looked up in a set. Ajv's own
 * implementation compares every pair with a deep-equal, which is quadratic: on a CodeQL log with
 * thousands of `artifacts` it took seconds. Only the keyword's implementation changes.
 */
const UNIQUE = 'x-autopack-uniqueItems';

function renameUniqueItems(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(renameUniqueItems);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'uniqueItems' && typeof v === 'boolean') out[UNIQUE] = v;
    else out[k] = renameUniqueItems(v);
  }
  return out;
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

function uniqueItems(schema: boolean, data: unknown[]): boolean {
  if (!schema || data.length < 2) return true;
  const seen = new Set<string>();
  for (const item of data) {
    const c = canonical(item);
    if (seen.has(c)) {
      (uniqueItems as unknown as { errors: unknown[] }).errors = [
        { keyword: UNIQUE, message: 'must NOT have duplicate items', params: {} },
      ];
      return false;
    }
    seen.add(c);
  }
  return true;
}

/** Parses and validates one file. Never throws for bad content. */
export function parseSarifFile(input: SarifInputFile): SarifParseResult {
  const file = input.path;
  const text = input.text.charCodeAt(0) === 0xfeff ? input.text.slice(1) : input.text;
  if (text.trim() === '')
    return { ok: false, file, message: `${file}: the file is empty, not a SARIF log` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return {
      ok: false,
      file,
      message: `${file}: not valid JSON (${jsonErrorWhere(text, e as Error)}); the file may be truncated`,
    };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return {
      ok: false,
      file,
      message: `${file}: a SARIF log is a JSON object, this is ${Array.isArray(value) ? 'an array' : typeof value}`,
    };
  }
  const version = (value as { version?: unknown }).version;
  if (version !== '2.1.0') {
    return {
      ok: false,
      file,
      message: `${file}: SARIF version ${JSON.stringify(version ?? null)} is not supported; only 2.1.0 is (convert it with the tool's SARIF 2.1.0 output option)`,
    };
  }
  const validate = sarifValidator();
  if (!validate(value)) {
    return {
      ok: false,
      file,
      message: `${file}: does not match the SARIF 2.1.0 schema: ${describeErrors(validate.errors ?? [])}`,
    };
  }
  const log = value as Log;
  if (!Array.isArray(log.runs)) {
    return { ok: false, file, message: `${file}: the log has no "runs" array` };
  }
  return { ok: true, file, log };
}

function describeErrors(errors: readonly ErrorObject[]): string {
  const shown = errors.slice(0, 3).map((e) => {
    const at = e.instancePath === '' ? '(root)' : e.instancePath;
    const extra =
      e.keyword === 'additionalProperties'
        ? ` "${(e.params as { additionalProperty: string }).additionalProperty}"`
        : e.keyword === 'enum'
          ? ` (${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')})`
          : '';
    return `${at} ${e.message ?? e.keyword}${extra}`;
  });
  return shown.join('; ') + (errors.length > 3 ? `; and ${errors.length - 3} more` : '');
}

/** "line L, column C" for a JSON.parse error, from the position V8 puts in its message. */
function jsonErrorWhere(text: string, err: Error): string {
  const m = /position (\d+)/.exec(err.message);
  const pos = m ? Number(m[1]) : /end of JSON input/i.test(err.message) ? text.length : undefined;
  if (pos === undefined) return err.message;
  let line = 1;
  let col = 1;
  for (let i = 0; i < pos && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      col = 1;
    } else col++;
  }
  const what = /end of JSON input/i.test(err.message)
    ? 'unexpected end of input'
    : err.message
        .replace(/ in JSON at position \d+.*$/, '')
        .replace(/,? ?"[^"]*"? is not valid JSON$/, '');
  return `${what} at line ${line}, column ${col}`;
}
