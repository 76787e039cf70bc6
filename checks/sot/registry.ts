/**
 * Loads the SOT registry: inline entries from `sot.registry` in the config, or a JSON/YAML file
 * the config names (validated with ajv against schemas/sot-registry.schema.json). Every problem
 * is reported through a callback with the file and line it sits on; loading never throws for
 * bad input.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import {
  findNodeAtLocation,
  getNodeValue,
  parseTree,
  printParseErrorCode,
  type ParseError,
} from 'jsonc-parser';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import { readJsonAsset } from '../../policies/assets.js';
import type { ResolvedConfig } from '../../policies/types.js';
import { normalizeRepoPath, type FileContent } from '../snapshot.js';
import type { RawEntry, RegistrySetting } from './config.js';

/** A registered document, normalised, with where it was registered. */
export interface SotEntry {
  /** Normalised repository path. */
  path: string;
  title?: string;
  owner?: string;
  kind: 'document' | 'ledger';
  /** Where the entry is written: a repository file (or the config's name) and 1-based line. */
  at: Place;
}

/** A place in a file; `file` is a repository path when `inRepo` is true. */
export interface Place {
  file: string;
  line?: number;
  column?: number;
  /** True when `file` is a repository path (a finding can point at it). */
  inRepo: boolean;
}

/** A problem with the registry, at a place, with a stable key for its fingerprint. */
export interface RegistryProblem {
  message: string;
  at: Place;
  key: string;
}

/** The loaded registry. `source` says where it came from (`none` when not configured). */
export interface LoadedRegistry {
  source: 'none' | 'inline' | 'file';
  /** The registry file (repository path) when `source` is `file`. */
  file?: string;
  entries: SotEntry[];
}

/** What the loader needs: the resolved config (for positions), and a reader of repository files. */
export interface RegistryLoadOptions {
  config: ResolvedConfig;
  read(path: string): Promise<FileContent>;
  /** True when a path is a file of the repository (decides whether a config layer is in the repo). */
  hasFile(path: string): boolean;
  onProblem(problem: RegistryProblem): void;
}

let validators: { file: ValidateFunction; entries: ValidateFunction } | undefined;

/** The ajv validators of schemas/sot-registry.schema.json (whole file, and a bare entry list). */
function getValidators(): { file: ValidateFunction; entries: ValidateFunction } {
  if (validators) return validators;
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  ajv.addSchema(readJsonAsset('schemas/sot-registry.schema.json') as object);
  validators = {
    file: ajv.compile({ $ref: 'urn:autopack:schema:sot-registry' }),
    entries: ajv.compile({ $ref: 'urn:autopack:schema:sot-registry#/definitions/entries' }),
  };
  return validators;
}

/**
 * Loads the registry described by `setting` (`sot.registry`). Problems (a missing or invalid
 * file, an escaping or duplicated path) go to `opts.onProblem`; the entries that are usable are
 * returned all the same, so one bad entry does not hide the others.
 */
export async function loadRegistry(
  setting: RegistrySetting | undefined,
  opts: RegistryLoadOptions,
): Promise<LoadedRegistry> {
  if (setting === undefined) return { source: 'none', entries: [] };
  if (Array.isArray(setting)) {
    const entries = collect(
      setting,
      (i) => configPlace(opts, ['sot', 'registry', i]),
      'config',
      opts.onProblem,
    );
    return { source: 'inline', entries };
  }
  const file = typeof setting === 'string' ? setting : setting.file;
  const key = typeof setting === 'string' ? undefined : setting.key;
  const settingAt = configPlace(opts, ['sot', 'registry']);
  const rel = normalizeRepoPath(file);
  if (rel === undefined || rel === '') {
    opts.onProblem({
      message: `the registry file ${file} is outside the repository`,
      at: settingAt,
      key: `file:${file}`,
    });
    return { source: 'file', file, entries: [] };
  }
  const content = await opts.read(rel);
  if (content.kind !== 'text') {
    opts.onProblem({
      message: `the registry file ${rel} ${describeUnreadable(content)}`,
      at: settingAt,
      key: `file:${rel}`,
    });
    return { source: 'file', file: rel, entries: [] };
  }
  const parsed = parseRegistryText(rel, content.text);
  if (!parsed.ok) {
    opts.onProblem({ message: parsed.message, at: parsed.at, key: `parse:${rel}` });
    return { source: 'file', file: rel, entries: [] };
  }
  const place = (p: ReadonlyArray<string | number>): Place => ({
    file: rel,
    inRepo: true,
    ...parsed.locate(p),
  });
  let value: unknown = parsed.value;
  const keyPath = key === undefined ? [] : key.split('.').filter(Boolean);
  for (const [i, seg] of keyPath.entries()) {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !(seg in value)) {
      opts.onProblem({
        message: `the registry file ${rel} has no key ${keyPath.slice(0, i + 1).join('.')} (sot.registry.key)`,
        at: place(keyPath.slice(0, i)),
        key: `key:${rel}:${key}`,
      });
      return { source: 'file', file: rel, entries: [] };
    }
    value = (value as Record<string, unknown>)[seg];
  }
  const { file: validateFile, entries: validateEntries } = getValidators();
  const validate = key === undefined ? validateFile : validateEntries;
  if (!validate(value)) {
    for (const e of usefulErrors(validate.errors ?? [])) {
      const p = [...keyPath, ...pointerSegments(e.instancePath)];
      opts.onProblem({
        message: `the registry file ${rel}${p.length ? ` at ${p.join('.')}` : ''} ${describeAjvError(e)}`,
        at: place(p),
        key: `schema:${rel}:${p.join('.')}:${e.keyword}`,
      });
    }
    return { source: 'file', file: rel, entries: [] };
  }
  const list = Array.isArray(value) ? value : (value as { documents: RawEntry[] }).documents;
  const base = key === undefined ? (Array.isArray(value) ? [] : ['documents']) : keyPath;
  const entries = collect(list as RawEntry[], (i) => place([...base, i]), rel, opts.onProblem);
  return { source: 'file', file: rel, entries };
}

/** Normalises raw entries: escaping paths and duplicates are problems, the rest are entries. */
function collect(
  raw: readonly RawEntry[],
  placeOf: (i: number) => Place,
  where: string,
  onProblem: (p: RegistryProblem) => void,
): SotEntry[] {
  const out: SotEntry[] = [];
  const seen = new Map<string, Place>();
  raw.forEach((item, i) => {
    const obj = typeof item === 'string' ? { path: item } : item;
    const at = placeOf(i);
    const rel = normalizeRepoPath(obj.path);
    if (rel === undefined || rel === '') {
      onProblem({
        message: `registry entry ${obj.path} is not a path inside the repository`,
        at,
        key: `escape:${where}:${obj.path}`,
      });
      return;
    }
    const first = seen.get(rel);
    if (first) {
      onProblem({
        message: `${rel} is registered twice${first.line ? ` (first on line ${first.line})` : ''}`,
        at,
        key: `duplicate:${where}:${rel}`,
      });
      return;
    }
    seen.set(rel, at);
    const entry: SotEntry = { path: rel, kind: obj.kind ?? 'document', at };
    if (obj.title !== undefined) entry.title = obj.title;
    if (obj.owner !== undefined) entry.owner = obj.owner;
    out.push(entry);
  });
  return out;
}

/** A parsed registry file: its value, and where the node at a key path starts. */
type Parsed =
  | {
      ok: true;
      value: unknown;
      locate(path: ReadonlyArray<string | number>): { line?: number; column?: number };
    }
  | { ok: false; message: string; at: Place };

/**
 * Parses a registry file's text with positions: `*.json` with jsonc-parser in strict JSON mode
 * (no comments, no trailing commas), anything else as YAML (`yaml`, unique keys).
 */
export function parseRegistryText(file: string, text: string): Parsed {
  return /\.json$/i.test(file) ? parseJson(file, text) : parseYaml(file, text);
}

function parseJson(file: string, text: string): Parsed {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, {
    disallowComments: true,
    allowTrailingComma: false,
    allowEmptyContent: false,
  });
  const lines = new LineCounter();
  lines.addNewLine(0);
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines.addNewLine(i + 1);
  const err = errors[0];
  if (err || !root) {
    const { line, col } = lines.linePos(err?.offset ?? 0);
    const what = err ? printParseErrorCode(err.error) : 'empty file';
    return {
      ok: false,
      message: `the registry file ${file} is not valid JSON: ${what}`,
      at: { file, line, column: col, inRepo: true },
    };
  }
  return {
    ok: true,
    value: getNodeValue(root),
    locate(path) {
      for (let n = path.length; n >= 0; n--) {
        const node = findNodeAtLocation(root, path.slice(0, n) as Array<string | number>);
        if (node) {
          // For a property value, point at its key (where an editor shows the property).
          const at = node.parent?.type === 'property' ? node.parent.offset : node.offset;
          const { line, col } = lines.linePos(at);
          return { line, column: col };
        }
      }
      return {};
    },
  };
}

function parseYaml(file: string, text: string): Parsed {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const err = doc.errors[0];
  if (err) {
    const { line, col } = lines.linePos(err.pos[0]);
    return {
      ok: false,
      message: `the registry file ${file} does not parse: ${firstLine(err.message)}`,
      at: { file, line, column: col, inRepo: true },
    };
  }
  return {
    ok: true,
    value: doc.toJS({ maxAliasCount: 100 }),
    locate: (path) => nodePosition(doc, lines, path),
  };
}

/** The line and column of the node at `path` (or of the nearest ancestor that exists). */
function nodePosition(
  doc: Document,
  lines: LineCounter,
  path: ReadonlyArray<string | number>,
): { line?: number; column?: number } {
  for (let n = path.length; n >= 0; n--) {
    const node = (n === 0 ? doc.contents : doc.getIn(path.slice(0, n) as unknown[], true)) as
      Node | null | undefined;
    if (node && (isScalar(node) || isMap(node) || isSeq(node)) && node.range) {
      const { line, col } = lines.linePos(node.range[0]);
      return { line, column: col };
    }
  }
  return {};
}

/** Where a key path of the config is set, as a Place (a repository file when it is one). */
export function configPlace(
  opts: Pick<RegistryLoadOptions, 'config' | 'hasFile'>,
  keyPath: ReadonlyArray<string | number>,
): Place {
  const pos = opts.config.locate(keyPath);
  if (!pos) return { file: opts.config.layers.at(-1) ?? 'config', inRepo: false };
  const rel = normalizeRepoPath(pos.file);
  const inRepo = rel !== undefined && rel !== '' && opts.hasFile(rel);
  return { file: inRepo ? rel : pos.file, line: pos.line, column: pos.column, inRepo };
}

/** ajv errors worth showing: if/then/else cascades and `$ref` echoes dropped, one per place and message. */
function usefulErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    if (e.keyword === 'if') return false;
    const k = `${e.instancePath}|${describeAjvError(e)}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function describeAjvError(e: ErrorObject): string {
  if (e.keyword === 'additionalProperties') {
    return `has an unknown key "${String((e.params as { additionalProperty: string }).additionalProperty)}"`;
  }
  if (e.keyword === 'enum') {
    return `must be one of: ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).join(', ')}`;
  }
  if (e.keyword === 'pattern')
    return 'must be a repository-relative path (no leading / or drive letter)';
  return e.message ?? 'is invalid';
}

function pointerSegments(pointer: string): Array<string | number> {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** A phrase for a FileContent that is not text, e.g. `does not exist`. */
export function describeUnreadable(content: FileContent): string {
  switch (content.kind) {
    case 'missing':
      return 'does not exist';
    case 'binary':
      return 'is binary, not text';
    case 'too-large':
      return `is too large to read (${content.size} bytes, limit ${content.limit})`;
    case 'symlink':
      return `is a symbolic link (to ${content.target}), not a file`;
    case 'unreadable':
      return `cannot be read (${content.error})`;
    default:
      return 'is not text';
  }
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
