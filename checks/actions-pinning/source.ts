/**
 * A workflow or action manifest parsed with source positions (the `yaml` package's
 * `LineCounter` and node ranges), and the small helpers the rules use to walk it.
 */
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';

/** A 1-based source span. */
export interface Span {
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
}

/** A parsed YAML file, or the first parse error with its position. */
export type ParsedYaml =
  | { ok: true; doc: Document; text: string; lines: LineCounter }
  | { ok: false; message: string; line: number; column: number };

/**
 * Parses YAML 1.2 (so `on:` stays the string "on", as GitHub reads it). Duplicate keys are
 * errors, as they are for GitHub. Never throws: a syntax error comes back with its position.
 */
export function parseYaml(text: string): ParsedYaml {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const err = doc.errors[0];
  if (err) {
    const { line, col } = lines.linePos(err.pos[0]);
    return { ok: false, message: err.message.split('\n')[0] ?? err.message, line, column: col };
  }
  return { ok: true, doc, text, lines };
}

/** Follows an alias (`*anchor`) to the node it names; other nodes pass through. */
export function deref(doc: Document, node: unknown): Node | undefined {
  if (isAlias(node)) return (node.resolve(doc) as Node | undefined) ?? undefined;
  return (node as Node | null | undefined) ?? undefined;
}

/** The value node of `key` in a map (aliases followed), or undefined. */
export function getNode(doc: Document, map: unknown, key: string): Node | undefined {
  const m = deref(doc, map);
  if (!isMap(m)) return undefined;
  return deref(doc, m.get(key, true));
}

/** The key node of `key` in a map, for positions of "this job has no X" findings. */
export function keyNode(map: YAMLMap, key: string): Node | undefined {
  for (const pair of map.items) {
    if (isScalar(pair.key) && String(pair.key.value) === key) return pair.key;
  }
  return undefined;
}

/** The pairs of a map as `[key string, value node, key node]` (aliases followed). */
export function entries(
  doc: Document,
  map: unknown,
): Array<[string, Node | undefined, Node | undefined]> {
  const m = deref(doc, map);
  if (!isMap(m)) return [];
  return m.items.map((p) => [
    isScalar(p.key) ? String(p.key.value) : String(p.key),
    deref(doc, p.value),
    isScalar(p.key) ? p.key : undefined,
  ]);
}

/** The items of a sequence (aliases followed); [] for anything else. */
export function items(doc: Document, seq: unknown): Array<Node | undefined> {
  const s = deref(doc, seq);
  if (!isSeq(s)) return [];
  return (s as YAMLSeq).items.map((i) => deref(doc, i));
}

/** The string value of a scalar node, or undefined. */
export function str(node: Node | undefined): string | undefined {
  return isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
}

/** The 1-based span of a node's value (start to end of the value, without trailing comment). */
export function spanOf(lines: LineCounter, node: Node | undefined): Span | undefined {
  const range = node?.range;
  if (!range) return undefined;
  const start = lines.linePos(range[0]);
  const end = lines.linePos(range[1]);
  return { line: start.line, column: start.col, endLine: end.line, endColumn: end.col };
}

/**
 * The comment after a scalar on its own line (`uses: a/b@sha # v4` gives `v4`), read from
 * the source text, or undefined.
 */
export function trailingComment(text: string, node: Node | undefined): string | undefined {
  const range = node?.range;
  if (!range) return undefined;
  const eol = text.indexOf('\n', range[1]);
  const rest = text.slice(range[1], eol < 0 ? text.length : eol);
  const m = /^\s+#\s?(.*?)\s*$/.exec(rest);
  return m ? m[1] : undefined;
}
