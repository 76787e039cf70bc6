/**
 * The `drift` config section: its TypeScript shape (schemas/config/drift.schema.json is the
 * single truth for it; ajv has validated it before the check runs), the built-in defaults of
 * every key, and the compiled form the rules use.
 *
 * A rule family runs when its key is present and not `enabled: false` (the recommended preset
 * turns on `links`, `references` and `portability`). Named entries (`rules`, `patterns`,
 * `registries`) are maps so that a repository's config merges over the preset entry by entry
 * and can switch one off with `enabled: false`. See docs/checks/drift.md.
 */
import type { CheckSection } from '../../policies/types.js';
import type { Severity } from '../model.js';
import { FileSelector } from './files.js';
import { compileRegex, quoteLiteral, type UserRegex } from './regex.js';
import { parseKeyPath, type KeyPath } from './keypath.js';

/** Markers that label regions (see markers.ts). */
export interface MarkersSection {
  legacy?: string;
  'windows-only'?: string;
  'banner-lines'?: number;
}

/** One forbidden pattern as written. */
export interface ForbiddenRuleSection {
  enabled?: boolean;
  literal?: string;
  regex?: string;
  'ignore-case'?: boolean;
  files?: string[];
  exclude?: string[];
  message?: string;
  replacement?: string;
  severity?: Severity;
}

export interface ForbiddenSection {
  enabled?: boolean;
  severity?: Severity;
  files?: string[];
  exclude?: string[];
  rules?: Record<string, ForbiddenRuleSection>;
}

/** A documentation site whose links follow the site generator's routing, not GitHub's. */
export interface SiteSection {
  files: string[];
  root: string;
  public?: string[];
  extensions?: string[];
  index?: string[];
  permalinks?: boolean;
}

export interface LinksSection {
  enabled?: boolean;
  severity?: Severity;
  'anchor-severity'?: Severity;
  files?: string[];
  exclude?: string[];
  anchors?: boolean;
  images?: boolean;
  html?: boolean;
  ignore?: string[];
  'host-relative-files'?: string[];
  sites?: Record<string, SiteSection>;
  'auto-sites'?: boolean;
}

export interface RegistrySection {
  enabled?: boolean;
  file: string;
  key: string | string[];
  base?: 'root' | 'file';
  severity?: Severity;
}

export interface CodeSpansSection {
  enabled?: boolean;
  'bare-names'?: boolean;
  relative?: boolean;
  severity?: Severity;
  files?: string[];
  exclude?: string[];
  extensions?: string[];
  ignore?: string[];
}

export interface ReferencesSection {
  enabled?: boolean;
  severity?: Severity;
  codeowners?: boolean;
  registries?: Record<string, RegistrySection>;
  'code-spans'?: CodeSpansSection;
}

export interface ConsistencySourceSection {
  file: string;
  key?: string | string[];
  regex?: string;
  'ignore-case'?: boolean;
  'source-of-truth'?: boolean;
  required?: boolean;
}

export interface ConsistencyRuleSection {
  enabled?: boolean;
  severity?: Severity;
  description?: string;
  sources: ConsistencySourceSection[];
}

export interface ConsistencySection {
  enabled?: boolean;
  severity?: Severity;
  rules?: Record<string, ConsistencyRuleSection>;
}

export interface PortabilityPatternSection {
  enabled?: boolean;
  regex?: string;
  'ignore-case'?: boolean;
  message?: string;
}

export interface PortabilitySection {
  enabled?: boolean;
  severity?: Severity;
  files?: string[];
  exclude?: string[];
  'builtin-patterns'?: boolean;
  patterns?: Record<string, PortabilityPatternSection>;
  allow?: string[];
}

/** The whole `drift` section as written (after `extends` merging). */
export interface DriftSection extends CheckSection {
  enabled?: boolean;
  markers?: MarkersSection;
  'unreadable-severity'?: Severity;
  'forbidden-patterns'?: ForbiddenSection;
  links?: LinksSection;
  references?: ReferencesSection;
  consistency?: ConsistencySection;
  portability?: PortabilitySection;
}

// ---------------------------------------------------------------------------------------------
// Defaults (documented in docs/checks/drift.md; keep the two in step).

export const DEFAULT_LEGACY_LABEL = 'autopack:legacy';
export const DEFAULT_WINDOWS_LABEL = 'autopack:windows-only';
export const DEFAULT_BANNER_LINES = 20;
export const DEFAULT_MARKDOWN_FILES = ['**/*.md', '**/*.markdown'];
/** Files GitHub renders as issue/PR/discussion bodies, where `/x` means `https://github.com/x`. */
export const DEFAULT_HOST_RELATIVE_FILES = [
  '.github/ISSUE_TEMPLATE/**',
  '.github/PULL_REQUEST_TEMPLATE/**',
  '.github/DISCUSSION_TEMPLATE/**',
  '{,.github/,docs/}pull_request_template.md',
  '{,.github/,docs/}issue_template.md',
];
export const DEFAULT_CODE_SPAN_EXTENSIONS = [
  'md',
  'markdown',
  'txt',
  'rst',
  'json',
  'jsonc',
  'yml',
  'yaml',
  'toml',
  'ini',
  'cfg',
  'conf',
  'js',
  'mjs',
  'cjs',
  'ts',
  'mts',
  'cts',
  'jsx',
  'tsx',
  'py',
  'rb',
  'go',
  'rs',
  'java',
  'kt',
  'c',
  'h',
  'cc',
  'cpp',
  'hpp',
  'cs',
  'php',
  'sh',
  'bash',
  'ps1',
  'sql',
  'html',
  'css',
  'scss',
  'xml',
  'lock',
];

/**
 * The built-in machine-specific path patterns (RE2 syntax), by name. Group 1 is the reported
 * path; the context before it keeps URL paths (`https://host/home/help/`) and device names
 * (`SATA:/dev/sda`) out. None matches across a line end (see {@link BUILTIN_PORTABILITY_LITERALS}).
 */
export const BUILTIN_PORTABILITY_PATTERNS: Record<
  string,
  Required<Pick<PortabilityPatternSection, 'regex' | 'message'>>
> = {
  'windows-dev': {
    regex: String.raw`\b([A-Za-z]:[\\/]dev[\\/])`,
    message: 'a developer-machine path (X:\\dev\\...)',
  },
  'windows-users': {
    regex: String.raw`\b([A-Za-z]:[\\/]Users[\\/][^\\/\s"'<>|:*?]+)`,
    message: 'a Windows user profile path (C:\\Users\\<name>)',
  },
  'linux-home': {
    regex: String.raw`(?:^|[^A-Za-z0-9_.~/-]|file://)(/home/[a-z_][a-z0-9_.-]*/)`,
    message: 'a Linux home directory path (/home/<user>/)',
  },
  'macos-users': {
    regex: String.raw`(?:^|[^A-Za-z0-9_.~/-]|file://)(/Users/[A-Za-z0-9_][A-Za-z0-9_.-]*/)`,
    message: 'a macOS home directory path (/Users/<user>/)',
  },
};

/**
 * For each built-in pattern (with its built-in regex), strings one of which every match
 * contains, case as written. The scan looks for them with the native string search and runs
 * the linear-time RE2 matcher only on the lines that hold one: RE2JS simulates an NFA at a few
 * MB/s, and a 2 MB Kubernetes manifest that names `/home/<user>/` once used to be matched from
 * end to end (argo-cd: 3 s of drift for 5,574 files). Sound because no built-in pattern
 * matches a line end and each needs one of its strings.
 */
export const BUILTIN_PORTABILITY_LITERALS: Record<string, readonly string[]> = {
  'windows-dev': [':\\dev', ':/dev'],
  'windows-users': [':\\Users', ':/Users'],
  'linux-home': ['/home/'],
  'macos-users': ['/Users/'],
};

/**
 * Matched paths that are not machine-specific: shared and default profiles, the Homebrew on
 * Linux prefix, the home directories of GitHub-hosted runners (`runner` on Linux and macOS,
 * `runneradmin` on Windows: the same on every runner, written on purpose in workflows), and
 * placeholder user names (RE2, case-insensitive, tested on the matched path).
 */
export const DEFAULT_PORTABILITY_ALLOW = [
  String.raw`^/home/(user|username|your[-_]?user(name)?|yourname|you|me|name|example|test|linuxbrew|runner)/$`,
  String.raw`^/Users/(Shared|user|username|your[-_]?user(name)?|yourname|you|me|name|example|test|runner)/$`,
  String.raw`^[A-Za-z]:[\\/]Users[\\/](Public|Default|runneradmin|user|username|your[-_]?user(name)?|yourname|you|me|name|example|test)$`,
];

// ---------------------------------------------------------------------------------------------
// The compiled form.

export interface CompiledForbiddenRule {
  name: string;
  regex: UserRegex;
  /** The literal as written, when the rule is a literal (for messages). */
  literal?: string;
  selector: FileSelector;
  message?: string;
  replacement?: string;
  severity: Severity;
}

export interface CompiledSite {
  name: string;
  selector: FileSelector;
  root: string;
  public: string[];
  extensions: string[];
  index: string[];
  /** Resolve `/`-rooted links through `permalink:` front matter (Jekyll, Gatsby). */
  permalinks: boolean;
}

export interface CompiledLinks {
  severity: Severity;
  anchorSeverity: Severity;
  selector: FileSelector;
  anchors: boolean;
  images: boolean;
  html: boolean;
  ignore: UserRegex[];
  hostRelative: FileSelector;
  sites: CompiledSite[];
  /** Detect VitePress and Docusaurus sites from their config files. */
  autoSites: boolean;
}

export interface CompiledRegistry {
  name: string;
  file: string;
  key: KeyPath;
  keySource: string;
  base: 'root' | 'file';
  severity: Severity;
}

export interface CompiledCodeSpans {
  /** Check bare file names (`config.yaml`): they must exist somewhere in the tree. */
  bareNames: boolean;
  /** Check `./x` and `../x` paths, relative to the document. */
  relative: boolean;
  severity: Severity;
  selector: FileSelector;
  extensions: Set<string>;
  ignore: UserRegex[];
}

export interface CompiledReferences {
  severity: Severity;
  codeowners: boolean;
  registries: CompiledRegistry[];
  codeSpans?: CompiledCodeSpans;
}

export interface CompiledSource {
  index: number;
  file: string;
  /** True when `file` is a glob (several files may contribute places). */
  glob: boolean;
  selector: FileSelector;
  key?: KeyPath;
  keySource?: string;
  regex?: UserRegex;
  sourceOfTruth: boolean;
  required: boolean;
}

export interface CompiledConsistencyRule {
  name: string;
  description?: string;
  severity: Severity;
  sources: CompiledSource[];
}

export interface CompiledPortabilityPattern {
  name: string;
  regex: UserRegex;
  message: string;
  /**
   * Strings one of which every match contains, when known (a built-in pattern with its own
   * regex): only lines holding one are matched. Undefined: the whole text is matched.
   */
  literals?: readonly string[];
}

export interface CompiledPortability {
  severity: Severity;
  selector: FileSelector;
  patterns: CompiledPortabilityPattern[];
  /** Matched paths that are allowed (tested on the reported path). */
  allow: UserRegex[];
}

/** Everything the rules need, defaults applied, patterns compiled. */
export interface CompiledDrift {
  legacyLabel: string;
  windowsLabel: string;
  bannerLines: number;
  unreadableSeverity: Severity;
  forbidden: CompiledForbiddenRule[];
  links?: CompiledLinks;
  references?: CompiledReferences;
  consistency: CompiledConsistencyRule[];
  portability?: CompiledPortability;
}

const on = (s: { enabled?: boolean } | undefined): boolean =>
  s !== undefined && s.enabled !== false;

export const GLOB_CHARS = /[*?[\]{}]/;

/**
 * Compiles the section. Throws RegexError / KeyPathError for an invalid pattern or key path;
 * validateConfig reports those first (with file and line), so a run only sees valid input.
 */
export function compileDrift(section: DriftSection): CompiledDrift {
  const markers = section.markers ?? {};
  const out: CompiledDrift = {
    legacyLabel: markers.legacy ?? DEFAULT_LEGACY_LABEL,
    windowsLabel: markers['windows-only'] ?? DEFAULT_WINDOWS_LABEL,
    bannerLines: markers['banner-lines'] ?? DEFAULT_BANNER_LINES,
    unreadableSeverity: section['unreadable-severity'] ?? 'error',
    forbidden: [],
    consistency: [],
  };

  const fp = section['forbidden-patterns'];
  if (on(fp)) {
    for (const [name, r] of Object.entries(fp!.rules ?? {})) {
      if (r.enabled === false) continue;
      const source = r.regex ?? quoteLiteral(r.literal ?? '');
      out.forbidden.push({
        name,
        regex: compileRegex(source, { ignoreCase: r['ignore-case'] }),
        literal: r.regex === undefined ? r.literal : undefined,
        selector: new FileSelector(r.files ?? fp!.files ?? DEFAULT_MARKDOWN_FILES, [
          ...(fp!.exclude ?? []),
          ...(r.exclude ?? []),
        ]),
        message: r.message,
        replacement: r.replacement,
        severity: r.severity ?? fp!.severity ?? 'error',
      });
    }
  }

  const ln = section.links;
  if (on(ln)) {
    const severity = ln!.severity ?? 'error';
    out.links = {
      severity,
      anchorSeverity: ln!['anchor-severity'] ?? severity,
      selector: new FileSelector(ln!.files ?? DEFAULT_MARKDOWN_FILES, ln!.exclude ?? []),
      anchors: ln!.anchors !== false,
      images: ln!.images !== false,
      html: ln!.html !== false,
      ignore: (ln!.ignore ?? []).map((s) => compileRegex(s, { multiline: false })),
      hostRelative: new FileSelector(
        ln!['host-relative-files'] ?? DEFAULT_HOST_RELATIVE_FILES,
        [],
        true,
      ),
      autoSites: ln!['auto-sites'] !== false,
      sites: Object.entries(ln!.sites ?? {}).map(([name, s]) => ({
        name,
        selector: new FileSelector(s.files),
        root: trimSlashes(s.root),
        public: (s.public ?? []).map(trimSlashes),
        extensions: (s.extensions ?? ['.md']).map((e) => (e.startsWith('.') ? e : `.${e}`)),
        index: s.index ?? ['index.md', 'README.md'],
        permalinks: s.permalinks === true,
      })),
    };
  }

  const rf = section.references;
  if (on(rf)) {
    const severity = rf!.severity ?? 'error';
    const cs = rf!['code-spans'];
    out.references = {
      severity,
      codeowners: rf!.codeowners !== false,
      registries: Object.entries(rf!.registries ?? {})
        .filter(([, r]) => r.enabled !== false)
        .map(([name, r]) => ({
          name,
          file: trimSlashes(r.file),
          key: parseKeyPath(r.key),
          keySource: Array.isArray(r.key) ? r.key.join(' → ') : r.key,
          base: r.base ?? 'root',
          severity: r.severity ?? severity,
        })),
      codeSpans:
        cs && cs.enabled === true
          ? {
              severity: cs.severity ?? 'warning',
              bareNames: cs['bare-names'] === true,
              relative: cs.relative === true,
              selector: new FileSelector(
                cs.files ?? ['docs/**/*.md', 'README.md'],
                cs.exclude ?? [],
              ),
              extensions: new Set(
                (cs.extensions ?? DEFAULT_CODE_SPAN_EXTENSIONS).map((e) =>
                  e.replace(/^\./, '').toLowerCase(),
                ),
              ),
              ignore: (cs.ignore ?? []).map((s) => compileRegex(s, { multiline: false })),
            }
          : undefined,
    };
  }

  const cn = section.consistency;
  if (on(cn)) {
    for (const [name, r] of Object.entries(cn!.rules ?? {})) {
      if (r.enabled === false) continue;
      out.consistency.push({
        name,
        description: r.description,
        severity: r.severity ?? cn!.severity ?? 'error',
        sources: r.sources.map((s, index) => {
          const file = trimSlashes(s.file);
          return {
            index,
            file,
            glob: GLOB_CHARS.test(file),
            selector: new FileSelector([file]),
            key: s.key !== undefined ? parseKeyPath(s.key) : undefined,
            keySource:
              s.key === undefined ? undefined : Array.isArray(s.key) ? s.key.join(' → ') : s.key,
            regex:
              s.regex !== undefined
                ? compileRegex(s.regex, { ignoreCase: s['ignore-case'] })
                : undefined,
            sourceOfTruth: s['source-of-truth'] === true,
            required: s.required !== false,
          };
        }),
      });
    }
  }

  const pt = section.portability;
  if (on(pt)) {
    const merged: Record<string, PortabilityPatternSection> = {};
    if (pt!['builtin-patterns'] !== false)
      for (const [k, v] of Object.entries(BUILTIN_PORTABILITY_PATTERNS)) merged[k] = { ...v };
    for (const [k, v] of Object.entries(pt!.patterns ?? {})) merged[k] = { ...merged[k], ...v };
    out.portability = {
      severity: pt!.severity ?? 'warning',
      selector: new FileSelector(pt!.files ?? ['**'], pt!.exclude ?? []),
      patterns: Object.entries(merged)
        .filter(([, p]) => p.enabled !== false && p.regex !== undefined)
        .map(([name, p]) => ({
          name,
          regex: compileRegex(p.regex!, { ignoreCase: p['ignore-case'] }),
          message: p.message ?? `a machine-specific path (pattern ${name})`,
          literals:
            p.regex === BUILTIN_PORTABILITY_PATTERNS[name]?.regex && !p['ignore-case']
              ? BUILTIN_PORTABILITY_LITERALS[name]
              : undefined,
        })),
      allow: (pt!.allow ?? DEFAULT_PORTABILITY_ALLOW).map((a) =>
        compileRegex(a, { ignoreCase: true, multiline: false }),
      ),
    };
  }
  return out;
}

function trimSlashes(p: string): string {
  return p
    .trim()
    .replace(/^(\.\/)+/, '')
    .replace(/^\/+/, '')
    .replace(/\/+$/, '');
}
