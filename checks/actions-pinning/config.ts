/**
 * The `actions-pinning` config section: its TypeScript shape (the JSON Schema in
 * schemas/config/actions-pinning.schema.json is the single truth) and its compiled form.
 */
import { Minimatch } from 'minimatch';
import type { Severity } from '../model.js';
import { ALWAYS_ON, RULES, type PinningRuleId } from './rules.js';

/** A rule's level in config: a severity, or `off`. */
export type RuleLevel = Severity | 'off';

/** The section as written. */
export interface ActionsPinningSection {
  enabled?: boolean;
  /** Actions (`owner/repo`, `owner/*`, `owner/repo/path`) or `docker://image` that may use tags. */
  'allow-tags'?: string[];
  /** Files (globs; `dir/` for a directory) not scanned. */
  exclude?: string[];
  /** Level per rule id; a rule not listed runs at its default severity (missing-version-comment: off). */
  rules?: Partial<Record<PinningRuleId, RuleLevel>>;
}

/** The compiled section. */
export interface CompiledPinningConfig {
  /** Severity per rule, undefined when the rule is off. */
  level(rule: PinningRuleId): Severity | undefined;
  /** True when `name` (`owner/repo[/path]` or `docker://image`) may use a tag. */
  tagAllowed(name: string): boolean;
  /** True when a file is excluded from scanning. */
  excluded(path: string): boolean;
}

const DEFAULT_OFF: ReadonlySet<PinningRuleId> = new Set(['missing-version-comment']);

const compiled = new WeakMap<object, CompiledPinningConfig>();

function globs(patterns: readonly string[], nocase: boolean): Minimatch[] {
  return patterns.map((p) => {
    let g = p.trim().replace(/^\.?\//, '');
    if (g.endsWith('/')) g += '**';
    return new Minimatch(g, { dot: true, nocase, nocomment: true, nonegate: true });
  });
}

/** Compiles the section (cached per section object). */
export function compilePinningConfig(section: ActionsPinningSection): CompiledPinningConfig {
  const hit = compiled.get(section);
  if (hit) return hit;
  // GitHub owner and repository names are case-insensitive.
  const allow = globs(section['allow-tags'] ?? [], true);
  const exclude = globs(section.exclude ?? [], false);
  const levels = new Map<PinningRuleId, Severity | undefined>();
  for (const r of RULES) {
    const id = r.id as PinningRuleId;
    const set = section.rules?.[id];
    const level = set ?? (DEFAULT_OFF.has(id) ? 'off' : r.defaultSeverity);
    levels.set(id, level === 'off' ? (ALWAYS_ON.has(id) ? r.defaultSeverity : undefined) : level);
  }
  const out: CompiledPinningConfig = {
    level: (rule) => levels.get(rule),
    tagAllowed: (name) => allow.some((m) => m.match(name)),
    excluded: (path) => exclude.some((m) => m.match(path)),
  };
  compiled.set(section, out);
  return out;
}
