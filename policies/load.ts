/**
 * Loads and resolves `.github/autopack.yml`: parses YAML with source positions (`yaml`),
 * validates each layer against schemas/config.schema.json (ajv), resolves `extends` (built-in
 * presets from policies/*.yml, or repository files) and deep-merges the layers.
 *
 * Merge rule: maps merge key by key; a later layer's scalar or list replaces the earlier one
 * (lists are not concatenated, so a repository can always narrow a preset's list).
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import generatedValidator from '../schemas/generated/config-validator.js';
import { readAsset } from './assets.js';
import { ConfigError, keyPathString, type ConfigProblem } from './errors.js';
import { CONFIG_PATH, DEFAULT_PRESET, type ResolvedConfig, type SourcePosition } from './types.js';

/** Reads a repository file as text; undefined when it does not exist. */
export type RepoFileReader = (repoPath: string) => Promise<string | undefined>;

/** Options for {@link resolveConfig}. */
export interface ResolveOptions {
  /** Reads repository files (the config itself and `extends` paths), e.g. from the base branch. */
  readFile: RepoFileReader;
  /** The config's path, for messages and for reading it (default `.github/autopack.yml`). */
  configPath?: string;
  /** The config's text, when the shell already has it (e.g. `--config FILE` outside the repo). */
  configText?: string;
}

const PRESETS: Record<string, string> = {
  'autopack:recommended': 'policies/recommended.yml',
};

/** Names of the built-in presets, for `extends`. */
export const PRESET_NAMES = Object.keys(PRESETS);

interface Layer {
  file: string;
  doc: Document;
  lines: LineCounter;
  value: Record<string, unknown>;
}

/**
 * The config validator, compiled ahead of time from schemas/config.schema.json by
 * scripts/gen-config-validator.mjs (ajv standalone code): compiling it at run time cost ~100 ms
 * of every run.
 */
const validateConfig = generatedValidator as unknown as ValidateFunction;

/**
 * Resolves the repository's configuration. A repository with no config file gets
 * `autopack:recommended`. Rejects with ConfigError (every problem, with file, line and key) for
 * malformed YAML, a schema violation, an unknown key, or a missing, unknown or cyclic `extends`.
 */
export async function resolveConfig(opts: ResolveOptions): Promise<ResolvedConfig> {
  const configPath = opts.configPath ?? CONFIG_PATH;
  const text = opts.configText ?? (await opts.readFile(configPath));
  const layers: Layer[] = [];
  if (text === undefined) {
    await pushLayer(layers, DEFAULT_PRESET, opts, []);
  } else {
    await pushLayer(layers, configPath, opts, [], text);
  }
  return merge(layers);
}

/** Parses and validates one config text; exported for `autopack config validate` of a lone file. */
export function parseLayer(file: string, text: string): Layer {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const problems: ConfigProblem[] = [];
  for (const err of [...doc.errors, ...doc.warnings]) {
    const [start] = err.pos;
    const { line, col } = lines.linePos(start);
    problems.push({
      position: { file, line, column: col },
      key: '',
      message: err.message.split('\n')[0] ?? err.message,
    });
  }
  if (problems.length) throw new ConfigError(problems);
  const value = doc.toJS({ maxAliasCount: 100 }) ?? {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError([
      {
        position: { file, line: 1, column: 1 },
        key: '',
        message: 'the config must be a YAML mapping',
      },
    ]);
  }
  const validate = validateConfig;
  if (!validate(value)) {
    throw new ConfigError(
      dedupe(
        (validate.errors ?? [])
          .filter((e) => e.keyword !== 'if')
          .map((e) => toProblem(e, file, doc, lines)),
      ),
    );
  }
  return { file, doc, lines, value: value as Record<string, unknown> };
}

/**
 * Built-in presets, parsed once per process: they ship with Autopack and never change, and an App
 * resolving the policies of many repositories would otherwise parse the same large YAML for each
 * (~8 ms apiece). Each caller gets its own copy of the value (resolved configs are plain data that
 * a caller may alter).
 */
const PRESET_LAYERS = new Map<string, Layer>();

function presetLayer(ref: string, file: string): Layer {
  let layer = PRESET_LAYERS.get(ref);
  if (!layer) {
    layer = parseLayer(ref, readAsset(file));
    PRESET_LAYERS.set(ref, layer);
  }
  return { ...layer, value: structuredClone(layer.value) };
}

async function pushLayer(
  layers: Layer[],
  ref: string,
  opts: ResolveOptions,
  chain: string[],
  text?: string,
  from?: SourcePosition,
): Promise<void> {
  if (chain.includes(ref)) {
    throw new ConfigError([
      {
        position: from,
        key: 'extends',
        message: `cyclic extends: ${[...chain, ref].join(' -> ')}`,
      },
    ]);
  }
  if (chain.length >= 8) {
    throw new ConfigError([
      { position: from, key: 'extends', message: 'extends chain is deeper than 8 files' },
    ]);
  }
  let body = text;
  let preset: Layer | undefined;
  if (body === undefined) {
    if (ref.startsWith('autopack:')) {
      const presetFile = PRESETS[ref];
      if (!presetFile) {
        throw new ConfigError([
          {
            position: from,
            key: 'extends',
            message: `unknown preset ${ref} (known: ${PRESET_NAMES.join(', ')})`,
          },
        ]);
      }
      preset = presetLayer(ref, presetFile);
    } else {
      const repoPath = ref.replace(/^\.\//, '');
      if (repoPath.startsWith('/') || repoPath.split('/').includes('..')) {
        throw new ConfigError([
          {
            position: from,
            key: 'extends',
            message: `extends path ${ref} must stay inside the repository`,
          },
        ]);
      }
      body = await opts.readFile(repoPath);
      if (body === undefined) {
        throw new ConfigError([
          { position: from, key: 'extends', message: `extends file ${ref} does not exist` },
        ]);
      }
    }
  }
  const layer = preset ?? parseLayer(ref, body ?? '');
  const ext = layer.value.extends;
  const parents = ext === undefined ? [] : Array.isArray(ext) ? (ext as string[]) : [ext as string];
  for (const [i, parent] of parents.entries()) {
    const pos = position(layer, Array.isArray(ext) ? ['extends', i] : ['extends']);
    await pushLayer(layers, parent, opts, [...chain, ref], undefined, pos);
  }
  layers.push(layer);
}

function merge(layers: Layer[]): ResolvedConfig {
  let values: Record<string, unknown> = {};
  for (const l of layers) {
    const { extends: _ignored, ...rest } = l.value;
    values = deepMerge(values, rest) as Record<string, unknown>;
  }
  return {
    values,
    layers: layers.map((l) => l.file),
    locate(keyPath) {
      for (let i = layers.length - 1; i >= 0; i--) {
        const pos = position(layers[i]!, keyPath);
        if (pos) return pos;
      }
      return undefined;
    },
  };
}

/** Deep merge: maps key by key, anything else replaced by the later value. */
export function deepMerge(a: unknown, b: unknown): unknown {
  if (isPlainObject(a) && isPlainObject(b)) {
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = k in out ? deepMerge(out[k], v) : v;
    return out;
  }
  return b === undefined ? a : b;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function position(
  layer: Layer,
  keyPath: ReadonlyArray<string | number>,
): SourcePosition | undefined {
  const node = layer.doc.getIn(keyPath as unknown[], true) as Node | undefined;
  const range = node && (isScalar(node) || isMap(node) || isSeq(node)) ? node.range : undefined;
  if (!range) return undefined;
  const { line, col } = layer.lines.linePos(range[0]);
  return { file: layer.file, line, column: col };
}

function keyPosition(
  layer: Pick<Layer, 'doc' | 'lines'>,
  parent: ReadonlyArray<string | number>,
  key: string,
) {
  const container = parent.length ? layer.doc.getIn(parent as unknown[], true) : layer.doc.contents;
  if (isMap(container)) {
    for (const pair of container.items) {
      if (isScalar(pair.key) && String(pair.key.value) === key && pair.key.range) {
        const { line, col } = layer.lines.linePos(pair.key.range[0]);
        return { line, column: col };
      }
    }
  }
  return undefined;
}

function toProblem(e: ErrorObject, file: string, doc: Document, lines: LineCounter): ConfigProblem {
  const path = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const layerish = { doc, lines, file, value: {} } as Layer;
  if (e.keyword === 'additionalProperties') {
    const extra = String((e.params as { additionalProperty: string }).additionalProperty);
    const pos = keyPosition(layerish, path, extra);
    const allowed = allowedKeys(e);
    return {
      position: pos ? { file, ...pos } : position(layerish, path),
      key: keyPathString([...path, extra]),
      message: `unknown key "${extra}"${allowed ? ` (allowed: ${allowed})` : ''}`,
    };
  }
  let message = e.message ?? 'is invalid';
  if (e.keyword === 'enum')
    message += `: ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).join(', ')}`;
  return {
    position: position(layerish, path) ?? { file, line: 1, column: 1 },
    key: keyPathString(path),
    message,
  };
}

function allowedKeys(e: ErrorObject): string | undefined {
  const props = (e.parentSchema as { properties?: Record<string, unknown> } | undefined)
    ?.properties;
  return props ? Object.keys(props).join(', ') : undefined;
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  // oneOf/anyOf produce a cascade of errors for one mistake (and `if` adds a "must match then/else"
  // echo of the real error, filtered above); keep the first per key and message.
  return problems.filter((p) => {
    const k = `${p.key}|${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
