/**
 * The finding model shared by every check, reporter and shell.
 *
 * Source: the product contract in DESIGN.md ("A finding has: check id, rule id, severity,
 * message, and where known path, line, column and a stable fingerprint").
 */
import type { RepoSnapshot } from './snapshot.js';
import type { ResolvedConfig } from '../policies/types.js';

/** The stable check ids; Check Run names are `autopack/<id>`. */
export const CHECK_IDS = [
  'workspace-structure',
  'drift',
  'sot',
  'actions-pinning',
  'governance',
  'security-baseline',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

/** Finding severity. In SARIF, `notice` is written as level `note`. */
export type Severity = 'error' | 'warning' | 'notice';
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'notice'];

/**
 * Check Run conclusion, as the GitHub Checks API names them
 * (POST /repos/{owner}/{repo}/check-runs, `conclusion`).
 */
export type Conclusion =
  'success' | 'failure' | 'neutral' | 'action_required' | 'skipped' | 'cancelled' | 'timed_out';

/** One problem found by a check. Lines and columns are 1-based; paths are repo-relative, `/`-separated. */
export interface Finding {
  checkId: CheckId;
  /** Rule id within the check, e.g. `forbidden-path`; SARIF ruleId is `<checkId>/<ruleId>`. */
  ruleId: string;
  severity: Severity;
  /** One line, plain text; passes the redactor before anything prints it. */
  message: string;
  path?: string;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  /** Stable identity: survives line shifts (see checks/fingerprint.ts). */
  fingerprint: string;
  /** What to do next, one or two sentences. */
  help?: string;
  /** Extra machine-readable facts (e.g. the SARIF `baselineState` for security-baseline). */
  properties?: Record<string, unknown>;
}

/** Documentation of one rule, used for SARIF `tool.driver.rules` and `docs/`. */
export interface RuleMeta {
  id: string;
  /** Short description, one sentence. */
  description: string;
  /** What to do when the rule fires. */
  help: string;
  defaultSeverity: Severity;
}

/** Pino-compatible logger port: the engine logs only through this. */
export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

/** A logger that drops everything (the default when a shell passes none). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/**
 * Extra inputs a shell may hand to checks. Empty here on purpose: each check that needs an
 * input adds its field by declaration merging in its own module, e.g.
 * `declare module '../model.js' { interface CheckInputs { sarif?: SarifInput[] } }`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface CheckInputs {}

/** What a check sees: the snapshot, the resolved policy, a logger and shell-provided inputs. */
export interface CheckContext {
  snapshot: RepoSnapshot;
  config: ResolvedConfig;
  logger: Logger;
  inputs: CheckInputs;
}

/** What a check returns. `conclusion` overrides the one derived from findings (e.g. `action_required`). */
export interface CheckOutcome {
  findings: Finding[];
  conclusion?: Conclusion;
  /** Extra Markdown for the Check Run summary (tables, burndown); redacted before publishing. */
  summary?: string;
  /**
   * A one-line verdict that says more than a finding count (e.g. `Approval required: core`);
   * shells use it as the Check Run title. Plain text, redacted before publishing.
   */
  headline?: string;
  /** Counters worth reporting (files scanned, links checked...). */
  stats?: Record<string, number>;
}

/** A check: pure over its context, never calls GitHub. */
export interface Check {
  id: CheckId;
  title: string;
  rules: readonly RuleMeta[];
  run(ctx: CheckContext): Promise<CheckOutcome>;
  /**
   * True when the check reads file sizes (RepoFile.size) or the snapshot's per-file problems:
   * a local snapshot then stats every tracked file (one lstat each), which it skips otherwise.
   */
  needsFileStats?: boolean;
  /**
   * True when, under this config section, the check reads nearly every tracked text file: a
   * shell may then fetch content in bulk up front (the App downloads a cold head's archive at
   * once instead of after blob misses). A pure function of the section; must not load the
   * check's implementation.
   */
  bulkReads?(section: unknown): boolean;
  /**
   * Semantic validation the JSON Schema cannot express (a regular expression that does not
   * compile, a glob that can never match). Returns problems with key paths relative to the
   * check's own section; the shell turns them into a ConfigError with file and line. May
   * answer asynchronously (a lazily loaded check, see checks/registry.ts).
   */
  validateConfig?(section: unknown): ConfigIssue[] | Promise<ConfigIssue[]>;
}

/** A semantic config problem found by a check, at a key path inside its own section. */
export interface ConfigIssue {
  path: ReadonlyArray<string | number>;
  message: string;
}

/** The result of one check in a report. */
export interface CheckResult {
  checkId: CheckId;
  title: string;
  conclusion: Conclusion;
  findings: Finding[];
  summary?: string;
  /** The check's own one-line verdict, when it gives one (see CheckOutcome.headline). */
  headline?: string;
  stats?: Record<string, number>;
  durationMs: number;
}

/** A full run: what every reporter formats. */
export interface Report {
  tool: { name: 'autopack'; version: string };
  /** Where the snapshot came from, e.g. `local:/path` or `github:owner/repo@sha`. */
  source: string;
  headSha?: string;
  baseRef?: string;
  results: CheckResult[];
  /** Count of findings by severity across all results. */
  totals: Record<Severity, number>;
}

export function isCheckId(value: string): value is CheckId {
  return (CHECK_IDS as readonly string[]).includes(value);
}
