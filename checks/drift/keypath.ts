/**
 * Key paths into JSON and YAML files, with the source position of every value found.
 *
 * Syntax (string form): segments separated by `.`; `[n]` indexes a list; `*` (or `[*]`) is
 * every entry of a map or list; a numeric segment on a list is an index. Examples: `version`,
 * `docs_sot_files`, `services.api.ports[0]`, `packages.*.path`. For keys that contain a dot,
 * write the path as a list of literal keys: `["tool.poetry", "version"]` (`*` still means all).
 *
 * Files are parsed with the `yaml` package (YAML 1.2 is a superset of JSON), which gives line
 * and column for each value; a `.json` file above {@link POSITIONED_JSON_LIMIT} bytes is parsed
 * with JSON.parse instead and its values are reported at line 1.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';

/** One step of a key path. */
export type KeySeg =
  { kind: 'key'; key: string } | { kind: 'index'; index: number } | { kind: 'any' };
export type KeyPath = readonly KeySeg[];

/** The key path does not parse. */
export class KeyPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyPathError';
  }
}

/** Parses a key path (string or list form); throws KeyPathError naming the problem. */
export function parseKeyPath(src: string | readonly string[]): KeyPath {
  if (Array.isArray(src)) {
    if (src.length === 0) throw new KeyPathError('key path is empty');
    return src.map((k) => (k === '*' ? { kind: 'any' } : { kind: 'key', key: String(k) }));
  }
  const s = (src as string).trim();
  if (s === '') throw new KeyPathError('key path is empty');
  const out: KeySeg[] = [];
  for (const part of s.split('.')) {
    const m = /^([^[\]]*)((?:\[(?:\d+|\*)\])*)$/.exec(part);
    if (!m || (m[1] === '' && m[2] === '')) {
      throw new KeyPathError(
        `key path ${JSON.stringify(s)}: segment ${JSON.stringify(part)} is not a key, "*", or key[index]`,
      );
    }
    if (m[1] === '*') out.push({ kind: 'any' });
    else if (m[1] !== '') out.push({ kind: 'key', key: m[1]! });
    for (const b of m[2]!.matchAll(/\[(\d+|\*)\]/g)) {
      out.push(b[1] === '*' ? { kind: 'any' } : { kind: 'index', index: Number(b[1]) });
    }
  }
  return out;
}

/** Renders a key path for messages: `a.b[0].*`. */
export function keyPathToString(path: KeyPath): string {
  let s = '';
  for (const seg of path) {
    if (seg.kind === 'index') s += `[${seg.index}]`;
    else s += (s ? '.' : '') + (seg.kind === 'any' ? '*' : seg.key);
  }
  return s;
}

/** A value found at a key path. */
export interface KeyPlace {
  value: unknown;
  /** The concrete path (wildcards resolved), e.g. `packages.web.path`. */
  at: string;
  line: number;
  column: number;
}

/** The result of looking a key path up in a file. */
export type KeyLookup = { ok: true; places: KeyPlace[] } | { ok: false; error: string };

/** JSON files larger than this (bytes) are parsed without positions (speed). */
export const POSITIONED_JSON_LIMIT = 512 * 1024;

/**
 * Parses `text` (JSON or YAML, judged by `path`'s extension and content) and returns every value
 * at `keyPath`. An empty list means the path matched nothing; `ok: false` means the file does
 * not parse.
 */
export function lookupKeyPath(path: string, text: string, keyPath: KeyPath): KeyLookup {
  const isJson = /\.json[c5]?$/i.test(path);
  if (isJson && text.length > POSITIONED_JSON_LIMIT) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      return { ok: false, error: `not valid JSON: ${(e as Error).message}` };
    }
    return {
      ok: true,
      places: walkPlain(value, keyPath, 0, '').map((p) => ({ ...p, line: 1, column: 1 })),
    };
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const { line, col } = lines.linePos(e.pos[0]);
    return {
      ok: false,
      error: `not valid ${isJson ? 'JSON' : 'YAML'} (line ${line}, column ${col}): ${e.message.split('\n')[0]}`,
    };
  }
  const out: KeyPlace[] = [];
  walkNode(doc.contents as Node | null, keyPath, 0, '', lines, out);
  return { ok: true, places: out };
}

function join(at: string, seg: string | number): string {
  return typeof seg === 'number' ? `${at}[${seg}]` : at ? `${at}.${seg}` : seg;
}

function walkNode(
  node: Node | null,
  path: KeyPath,
  i: number,
  at: string,
  lines: LineCounter,
  out: KeyPlace[],
): void {
  if (!node) return;
  if (i === path.length) {
    const pos = node.range ? lines.linePos(node.range[0]) : { line: 1, col: 1 };
    const value = isScalar(node) ? node.value : node.toJSON();
    out.push({ value, at, line: pos.line, column: pos.col });
    return;
  }
  const seg = path[i]!;
  if (isMap(node)) {
    for (const pair of node.items) {
      const k = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (k === undefined) continue;
      if (seg.kind === 'any' || (seg.kind === 'key' && seg.key === k)) {
        walkNode(pair.value as Node | null, path, i + 1, join(at, k), lines, out);
      }
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, idx) => {
      const hit =
        seg.kind === 'any' ||
        (seg.kind === 'index' && seg.index === idx) ||
        (seg.kind === 'key' && /^\d+$/.test(seg.key) && Number(seg.key) === idx);
      if (hit) walkNode(item as Node | null, path, i + 1, join(at, idx), lines, out);
    });
  }
}

function walkPlain(
  value: unknown,
  path: KeyPath,
  i: number,
  at: string,
): Array<{ value: unknown; at: string }> {
  if (i === path.length) return [{ value, at }];
  const seg = path[i]!;
  const out: Array<{ value: unknown; at: string }> = [];
  if (Array.isArray(value)) {
    value.forEach((v, idx) => {
      const hit =
        seg.kind === 'any' ||
        (seg.kind === 'index' && seg.index === idx) ||
        (seg.kind === 'key' && /^\d+$/.test(seg.key) && Number(seg.key) === idx);
      if (hit) out.push(...walkPlain(v, path, i + 1, join(at, idx)));
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (seg.kind === 'any' || (seg.kind === 'key' && seg.key === k))
        out.push(...walkPlain(v, path, i + 1, join(at, k)));
    }
  }
  return out;
}
