/**
 * The `workspace-structure` config section: its TypeScript shape (the JSON Schema in
 * schemas/config/workspace-structure.schema.json is the single truth; ajv has validated the
 * section before this module sees it) and its compiled form.
 *
 * A key that is absent is off: the defaults live in policies/recommended.yml, nowhere else.
 * Rule lists are maps keyed by a name, so that a repository's config layered over the preset
 * can change one entry (`forbidden-paths.build-output.allow`) without restating the others.
 */
import type { Severity } from '../model.js';
import { PathMatcher } from './glob.js';
import { parseSize } from './size.js';

/** `required-files.<name>`: at least one tracked file must match one of `patterns`. */
export interface RequiredFileEntry {
  enabled?: boolean;
  /** What the file is, for messages (e.g. "a security policy"). */
  description?: string;
  /** Alternatives: any tracked file (or, with a trailing `/`, directory) matching one satisfies it. */
  patterns?: string[];
  severity?: Severity;
  /** Case-insensitive unless set (GitHub finds `readme.md` and `License.txt`). */
  'case-sensitive'?: boolean;
  help?: string;
}

/** `forbidden-paths.<name>` and `stray-databases`: tracked paths that must not exist. */
export interface PathRuleEntry {
  enabled?: boolean;
  description?: string;
  patterns?: string[];
  /** Exceptions: matching files (or files under matching directories) are fine. */
  allow?: string[];
  /** Also allow everything under the section's `test-fixtures` directories. */
  'skip-test-fixtures'?: boolean;
  /**
   * Directory patterns count only when the matched directory's parent tracks one of these
   * files (e.g. `package.json`): build output sits next to the manifest that builds it.
   */
  'next-to'?: string[];
  severity?: Severity;
  'case-sensitive'?: boolean;
  help?: string;
}

/** `root-allowlist`: every root entry must match one of `entries`. */
export interface RootAllowlistSection {
  enabled?: boolean;
  entries?: string[];
  severity?: Severity;
  'case-sensitive'?: boolean;
}

/** `placement.<name>`: files matching `files` may live only under `only-under`. */
export interface PlacementEntry {
  enabled?: boolean;
  description?: string;
  files: string[];
  'only-under': string[];
  severity?: Severity;
  help?: string;
}

/** `max-file-size`: tracked files larger than `limit`. */
export interface MaxFileSizeSection {
  enabled?: boolean;
  /** Bytes, or a string such as `5 MiB` / `500 KB`. */
  limit?: number | string;
  allow?: string[];
  severity?: Severity;
}

/** `symlink-escape`: tracked symlinks whose target leaves the repository. */
export interface SymlinkEscapeSection {
  enabled?: boolean;
  allow?: string[];
  severity?: Severity;
}

/** `unreadable-file`: tracked entries the snapshot could not read (always reported). */
export interface UnreadableFileSection {
  severity?: Severity;
}

/** The whole section. */
export interface WorkspaceStructureSection {
  enabled?: boolean;
  /** Directories holding test fixtures, which entries with `skip-test-fixtures` leave alone. */
  'test-fixtures'?: string[];
  /** File names that keep an empty directory in git (`.gitkeep`); they never make a directory match. */
  'placeholder-files'?: string[];
  'required-files'?: Record<string, RequiredFileEntry>;
  'forbidden-paths'?: Record<string, PathRuleEntry>;
  'stray-databases'?: PathRuleEntry;
  'root-allowlist'?: RootAllowlistSection;
  placement?: Record<string, PlacementEntry>;
  'max-file-size'?: MaxFileSizeSection;
  'symlink-escape'?: SymlinkEscapeSection;
  'unreadable-file'?: UnreadableFileSection;
}

/** A compiled required-file entry. */
export interface CompiledRequired {
  name: string;
  description: string;
  patterns: readonly string[];
  matcher: PathMatcher;
  severity: Severity;
  help?: string;
}

/** A compiled forbidden-path entry (also used for stray databases). */
export interface CompiledPathRule {
  /** `forbidden-path` or `stray-database`. */
  ruleId: 'forbidden-path' | 'stray-database';
  /** The entry's key (`build-output`), or `stray-databases`. */
  name: string;
  /** The config key path of the entry, for help texts (`forbidden-paths.build-output`). */
  keyPath: string;
  description: string;
  matcher: PathMatcher;
  allow: PathMatcher;
  /** File names one of which a matched directory's parent must track (empty: no condition). */
  nextTo: readonly string[];
  severity: Severity;
  help?: string;
}

/** A compiled placement entry. */
export interface CompiledPlacement {
  name: string;
  description: string;
  files: PathMatcher;
  onlyUnder: PathMatcher;
  onlyUnderSources: readonly string[];
  severity: Severity;
  help?: string;
}

/** The compiled section: what the rule modules run on. */
export interface CompiledConfig {
  required: CompiledRequired[];
  /** Forbidden-path entries in config order, then stray databases: the first match claims a file. */
  pathRules: CompiledPathRule[];
  /** Base names that do not count toward a directory match (`.gitkeep`...). */
  placeholders: ReadonlySet<string>;
  rootAllowlist?: {
    entries: readonly string[];
    files: PathMatcher;
    dirs: PathMatcher;
    severity: Severity;
  };
  placement: CompiledPlacement[];
  maxFileSize?: { limit: number; allow: PathMatcher; severity: Severity };
  symlinkEscape?: { allow: PathMatcher; severity: Severity };
  unreadableSeverity: Severity;
}

const on = (e: { enabled?: boolean } | undefined): boolean =>
  e !== undefined && e.enabled !== false;

const compiled = new WeakMap<object, CompiledConfig>();
/**
 * Also by content: repositories that share a policy (most keep the recommended one) share one
 * compiled config, and with it the pattern memos kept with its rules (forbidden-paths.ts).
 */
const compiledByText = new Map<string, CompiledConfig>();
const BY_TEXT_MAX = 64;

/**
 * Compiles the section (patterns precompiled once; cached per section object and per content).
 * Throws an Error naming the key for a bad pattern or size; validateConfig reports those first
 * with positions.
 */
export function compileConfig(section: WorkspaceStructureSection): CompiledConfig {
  const hit = compiled.get(section);
  if (hit) return hit;
  const text = JSON.stringify(section);
  const same = compiledByText.get(text);
  if (same) {
    compiled.set(section, same);
    return same;
  }
  const out = compileUncached(section);
  if (compiledByText.size >= BY_TEXT_MAX) compiledByText.clear();
  compiledByText.set(text, out);
  compiled.set(section, out);
  return out;
}

function compileUncached(section: WorkspaceStructureSection): CompiledConfig {
  const out: CompiledConfig = {
    required: [],
    pathRules: [],
    placeholders: new Set(section['placeholder-files'] ?? []),
    placement: [],
    unreadableSeverity: section['unreadable-file']?.severity ?? 'error',
  };
  for (const [name, e] of Object.entries(section['required-files'] ?? {})) {
    if (!on(e) || !e.patterns?.length) continue;
    out.required.push({
      name,
      description: e.description ?? name,
      patterns: e.patterns,
      matcher: new PathMatcher(e.patterns, { caseSensitive: e['case-sensitive'] ?? false }),
      severity: e.severity ?? 'error',
      help: e.help,
    });
  }
  const fixtures = section['test-fixtures'] ?? [];
  const pathRule = (
    ruleId: CompiledPathRule['ruleId'],
    name: string,
    keyPath: string,
    e: PathRuleEntry,
  ): CompiledPathRule => {
    const caseSensitive = e['case-sensitive'] ?? true;
    return {
      ruleId,
      name,
      keyPath,
      description: e.description ?? name,
      matcher: new PathMatcher(e.patterns ?? [], { caseSensitive }),
      allow: new PathMatcher([...(e.allow ?? []), ...(e['skip-test-fixtures'] ? fixtures : [])], {
        caseSensitive,
      }),
      nextTo: e['next-to'] ?? [],
      severity: e.severity ?? 'error',
      help: e.help,
    };
  };
  for (const [name, e] of Object.entries(section['forbidden-paths'] ?? {})) {
    if (on(e) && e.patterns?.length) {
      out.pathRules.push(pathRule('forbidden-path', name, `forbidden-paths.${name}`, e));
    }
  }
  const db = section['stray-databases'];
  if (on(db) && db?.patterns?.length) {
    out.pathRules.push(pathRule('stray-database', 'stray-databases', 'stray-databases', db));
  }
  const root = section['root-allowlist'];
  if (on(root) && root) {
    const entries = root.entries ?? [];
    const caseSensitive = root['case-sensitive'] ?? true;
    // An entry with a trailing `/` matches directories only; one without matches both.
    const dirEntries = entries.map((s) => s.replace(/\/+$/, '') + '/');
    out.rootAllowlist = {
      entries,
      files: new PathMatcher(
        entries.filter((s) => !s.endsWith('/')),
        { caseSensitive },
      ),
      dirs: new PathMatcher(dirEntries, { caseSensitive }),
      severity: root.severity ?? 'error',
    };
  }
  for (const [name, e] of Object.entries(section.placement ?? {})) {
    if (!on(e) || !e.files?.length || !e['only-under']?.length) continue;
    // `only-under` entries name directories: `db/migrations` and `db/migrations/` are the same.
    const dirs = e['only-under'].map((s) => s.replace(/\/\*\*$/, '').replace(/\/+$/, '') + '/');
    out.placement.push({
      name,
      description: e.description ?? name,
      files: new PathMatcher(e.files),
      onlyUnder: new PathMatcher(dirs),
      onlyUnderSources: e['only-under'],
      severity: e.severity ?? 'error',
      help: e.help,
    });
  }
  const size = section['max-file-size'];
  if (on(size) && size?.limit !== undefined) {
    out.maxFileSize = {
      limit: parseSize(size.limit),
      allow: new PathMatcher(size.allow ?? []),
      severity: size.severity ?? 'warning',
    };
  }
  const link = section['symlink-escape'];
  if (on(link)) {
    out.symlinkEscape = {
      allow: new PathMatcher(link?.allow ?? []),
      severity: link?.severity ?? 'error',
    };
  }
  return out;
}
