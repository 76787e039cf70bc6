/**
 * Shared shapes of the security-baseline check: the SARIF inputs a shell hands over, one
 * normalised scanner finding, the baseline file, and the check's config section.
 */

/** A SARIF log as the shell read it: where it came from (for messages) and its text. */
export interface SarifInputFile {
  /** Where the file came from, as the user should see it (repo-relative or as given). */
  path: string;
  text: string;
}

/** Where a shell says the baseline is, when it overrides the config (`--baseline FILE`). */
export interface BaselineInput {
  /** A repository path (read from the base commit in a change) or, with `text`, a label. */
  path: string;
  /** The file's text when the shell read it itself (a file outside the repository). */
  text?: string;
}

declare module '../model.js' {
  interface CheckInputs {
    /** SARIF logs for security-baseline (`--sarif`, the Action's `sarif` input). Undefined: none given. */
    sarif?: SarifInputFile[];
    /** Overrides the baseline path of the config. */
    securityBaseline?: BaselineInput;
  }
}

/**
 * A finding's severity in the baseline: GitHub's security severity (from the rule's or result's
 * numeric `security-severity` property: ≥ 9.0 critical, ≥ 7.0 high, ≥ 4.0 medium, > 0 low, 0 none)
 * when the tool gives one, else the SARIF level (`error` / `warning` / `note` / `none`).
 */
export type BaselineSeverity =
  'critical' | 'high' | 'medium' | 'low' | 'error' | 'warning' | 'note' | 'none';

export const SECURITY_SEVERITIES = ['critical', 'high', 'medium', 'low', 'none'] as const;
export const LEVELS = ['error', 'warning', 'note', 'none'] as const;

/** Where a finding's fingerprint came from (docs/security-baseline.md, "Stable identity"). */
export type FingerprintSource = 'tool' | 'line-hash' | 'message';

/** One scanner result, normalised. Lines are 1-based; `path` is repository-relative when it could be resolved. */
export interface SarifFinding {
  /** `tool.driver.name` of the run. */
  tool: string;
  /** The run's `automationDetails.id` category (text before the last `/`), when present. */
  category?: string;
  /** The rule id (`ruleId`, `rule.id`, or the rule found by `ruleIndex`). */
  rule: string;
  /** `deprecatedIds` of the rule's reportingDescriptor (SARIF 3.49.4): earlier ids of this rule. */
  deprecatedRules: string[];
  /** Normalised path of the primary location ('' when the result has no location). */
  path: string;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  severity: BaselineSeverity;
  /** The message text (placeholders filled), one line not guaranteed. */
  message: string;
  /** The identity within tool × rule × path, e.g. `primaryLocationLineHash=3f2a…:1`. */
  fingerprint: string;
  fingerprintSource: FingerprintSource;
  /** Every repository path the result mentions (primary, related, code-flow locations). */
  touchedPaths: string[];
  /** The SARIF file it came from, and its position there. */
  file: string;
  runIndex: number;
  resultIndex: number;
}

/** One baseline entry: a finding that is tolerated (docs/security-baseline.md, "Baseline file"). */
export interface BaselineEntry {
  tool: string;
  category?: string;
  rule: string;
  path: string;
  fingerprint: string;
  severity: BaselineSeverity;
  /** `YYYY-MM-DD` (UTC) of the first baseline refresh that saw it. */
  firstSeen: string;
  /** Why this finding is accepted; kept across refreshes. */
  justification?: string;
}

/** The baseline file (schemas/security-baseline.schema.json). */
export interface BaselineFile {
  version: 1;
  entries: BaselineEntry[];
}

/** Thresholds at or above which a new finding fails the check. `never`: nothing fails on that scale. */
export interface FailOn {
  'security-severity': 'critical' | 'high' | 'medium' | 'low' | 'never';
  level: 'error' | 'warning' | 'note' | 'never';
}

/** The `security-baseline` section of `.github/autopack.yml` (schemas/config/security-baseline.schema.json). */
export interface SecurityBaselineSection {
  [key: string]: unknown;
  enabled?: boolean;
  baseline?: string;
  sarif?: string[];
  'fail-on'?: Partial<FailOn>;
  'outside-diff'?: 'warn' | 'fail';
  'report-unchanged'?: boolean;
  'require-baseline'?: boolean;
  'require-sarif'?: boolean;
}

/** The section with every default applied. */
export interface ResolvedSection {
  baseline: string;
  sarif: string[];
  failOn: FailOn;
  outsideDiff: 'warn' | 'fail';
  reportUnchanged: boolean;
  requireBaseline: boolean;
  requireSarif: boolean;
}

/** The baseline path when the config names none. */
export const DEFAULT_BASELINE_PATH = '.github/autopack-baseline.json';

/** Applies the defaults to a config section (the schema has already validated its shape). */
export function resolveSection(s: SecurityBaselineSection): ResolvedSection {
  return {
    baseline: s.baseline ?? DEFAULT_BASELINE_PATH,
    sarif: s.sarif ?? [],
    failOn: {
      'security-severity': s['fail-on']?.['security-severity'] ?? 'high',
      level: s['fail-on']?.level ?? 'error',
    },
    outsideDiff: s['outside-diff'] ?? 'warn',
    reportUnchanged: s['report-unchanged'] ?? false,
    requireBaseline: s['require-baseline'] ?? false,
    requireSarif: s['require-sarif'] ?? false,
  };
}

const SEC_RANK: Record<string, number> = { critical: 4, high: 3, medium: 2, low: 1, none: 0 };
const LEVEL_RANK: Record<string, number> = { error: 3, warning: 2, note: 1, none: 0 };

/** True when a finding of `severity` fails under `failOn`. Security severities use their own scale. */
export function meetsThreshold(severity: BaselineSeverity, failOn: FailOn): boolean {
  if (severity in SEC_RANK) {
    const t = failOn['security-severity'];
    return t !== 'never' && SEC_RANK[severity]! > 0 && SEC_RANK[severity]! >= SEC_RANK[t]!;
  }
  const t = failOn.level;
  return t !== 'never' && LEVEL_RANK[severity]! > 0 && LEVEL_RANK[severity]! >= LEVEL_RANK[t]!;
}

/** The key of a tool (and its category) used to group findings and baseline entries. */
export function toolKey(x: { tool: string; category?: string }): string {
  return x.category ? `${x.tool} (${x.category})` : x.tool;
}
