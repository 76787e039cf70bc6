/**
 * SARIF 2.1.0 output: valid against the OASIS SARIF 2.1.0 (errata01) JSON schema, vendored at
 * schemas/vendor/sarif-schema-2.1.0.json, and shaped for what GitHub code scanning ingests.
 *
 * - One run, driver `autopack`, one reportingDescriptor per rule with id `<check-id>/<rule-id>`,
 *   a short and a full description and help text (SARIF §3.49; GitHub shows them on the alert).
 * - Each result: `ruleId`, `ruleIndex`, level `error` / `warning` / `note` (a `notice` finding),
 *   `message.text`, `partialFingerprints["autopack/v1"]` (the finding's stable fingerprint), and
 *   `baselineState` where a check sets it (security-baseline).
 * - Every result has exactly one physical location with a region: code scanning rejects a whole
 *   upload when one result has no location ("locationFromSarifResult: expected at least one
 *   location"). A repository-level finding (no path, e.g. a missing required file) is anchored
 *   at `.github/autopack.yml`, line 1, the policy that asks for it; a file-level finding without
 *   a line is anchored at line 1 of its file. Such anchors are marked in the result's
 *   `properties.autopackAnchor` (`repository` or `file`).
 * - URIs are repository-relative, percent-encoded per segment (so spaces, `#`, `?`, `:` and
 *   non-ASCII names stay one path), with `uriBaseId` `%SRCROOT%`.
 * - GitHub's hard limit of 25,000 results per run is respected: beyond it, results are kept by
 *   severity (errors first) and the run's invocation carries a warning notification saying how
 *   many were left out.
 *
 * Sources: OASIS SARIF v2.1.0 errata01 (§3.27 result, §3.28 location, §3.30 region);
 * docs.github.com "SARIF support for code scanning" and "SARIF results exceed limits".
 */
import type { Invocation, Log, Notification, ReportingDescriptor, Result, Run } from 'sarif';
import { CONFIG_PATH } from '../../policies/types.js';
import { redact, redactDeep } from '../redact.js';
import type { Check, Finding, Report, Severity } from '../model.js';
import { CHECKS } from '../registry.js';

/** GitHub code scanning's hard limit of results per run (more and the upload is rejected). */
export const GITHUB_MAX_RESULTS_PER_RUN = 25_000;

/** The URI of the schema the output is valid against (the OASIS errata01 standard). */
export const SARIF_SCHEMA_URI =
  'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

const LEVEL: Record<Severity, Result.level> = {
  error: 'error',
  warning: 'warning',
  notice: 'note',
};
const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, notice: 2 };

/** Options for {@link toSarif}. */
export interface SarifOptions {
  /** Rule metadata source (default: the registry). */
  checks?: readonly Check[];
  /** Results kept per run (default {@link GITHUB_MAX_RESULTS_PER_RUN}). */
  maxResults?: number;
}

/**
 * The SARIF log object for a report. `opts` may be a check list (the older call form) or
 * {@link SarifOptions}.
 */
export function toSarif(report: Report, opts: readonly Check[] | SarifOptions = {}): Log {
  const { checks = CHECKS, maxResults = GITHUB_MAX_RESULTS_PER_RUN } = Array.isArray(opts)
    ? { checks: opts as readonly Check[] }
    : (opts as SarifOptions);
  const rules: ReportingDescriptor[] = [];
  const ruleIndex = new Map<string, number>();
  const addRule = (id: string, description: string, help: string, severity: Severity) => {
    if (ruleIndex.has(id)) return;
    ruleIndex.set(id, rules.length);
    rules.push({
      id,
      name: ruleName(id),
      shortDescription: { text: oneLine(description) },
      fullDescription: { text: description },
      help: { text: help },
      defaultConfiguration: { level: LEVEL[severity] },
    });
  };
  for (const c of checks) {
    for (const r of c.rules) addRule(`${c.id}/${r.id}`, r.description, r.help, r.defaultSeverity);
  }

  const all: Finding[] = report.results.flatMap((r) => r.findings);
  let kept = all;
  if (all.length > maxResults) {
    // Stable: keep each severity's findings in report order, errors first.
    kept = all
      .map((f, i) => ({ f, i }))
      .sort((a, b) => SEVERITY_RANK[a.f.severity] - SEVERITY_RANK[b.f.severity] || a.i - b.i)
      .slice(0, maxResults)
      .sort((a, b) => a.i - b.i)
      .map(({ f }) => f);
  }
  const results: Result[] = [];
  for (const f of kept) {
    const ruleId = `${f.checkId}/${f.ruleId}`;
    addRule(
      ruleId,
      `The ${f.checkId} check's ${f.ruleId} rule.`,
      f.help ?? 'See the Autopack documentation for this check.',
      f.severity,
    );
    results.push(toResult(f, ruleId, ruleIndex.get(ruleId)!));
  }

  const notifications: Notification[] = [];
  if (kept.length < all.length) {
    notifications.push({
      level: 'warning',
      message: {
        text: `${all.length - kept.length} of ${all.length} results were left out: GitHub code scanning accepts at most ${maxResults.toLocaleString('en-US')} results per run. Errors were kept first; run autopack check locally for the full list.`,
      },
    });
  }
  const failed = report.results.filter((r) =>
    r.findings.some((f) => f.ruleId === 'internal-error'),
  );
  for (const r of failed) {
    notifications.push({
      level: 'error',
      message: { text: `The ${r.checkId} check could not complete.` },
    });
  }
  const invocation: Invocation = {
    executionSuccessful: failed.length === 0,
    ...(notifications.length ? { toolExecutionNotifications: notifications } : {}),
  };

  const run: Run = {
    tool: {
      driver: {
        name: 'autopack',
        version: report.tool.version,
        semanticVersion: report.tool.version,
        rules,
      },
    },
    invocations: [invocation],
    results,
    columnKind: 'utf16CodeUnits',
  };
  const vcs = versionControl(report);
  if (vcs) run.versionControlProvenance = [vcs];
  return { $schema: SARIF_SCHEMA_URI, version: '2.1.0', runs: [run] };
}

/** `workspace-structure/forbidden-path` → `WorkspaceStructureForbiddenPath`. */
function ruleName(id: string): string {
  return id
    .split(/[/\-_.]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

function oneLine(s: string): string {
  const first = s.split(/\r?\n/)[0] ?? s;
  return first.length > 1000 ? `${first.slice(0, 997)}...` : first;
}

/** A repository-relative path as a relative URI reference: each segment percent-encoded. */
export function pathToUri(p: string): string {
  return p.split('/').map(encodeURIComponent).join('/');
}

function toResult(f: Finding, ruleId: string, index: number): Result {
  const text = redact(f.help ? `${f.message} ${f.help}` : f.message).trim() || ruleId;
  const result: Result = {
    ruleId,
    ruleIndex: index,
    level: LEVEL[f.severity],
    message: { text },
    partialFingerprints: { 'autopack/v1': f.fingerprint },
  };
  const anchor = !f.path ? 'repository' : !f.line ? 'file' : undefined;
  const startLine = f.path && f.line && f.line >= 1 ? f.line : 1;
  const region: NonNullable<
    NonNullable<Result['locations']>[number]['physicalLocation']
  >['region'] = {
    startLine,
  };
  if (!anchor) {
    if (f.column && f.column >= 1) region.startColumn = f.column;
    if (f.endLine && f.endLine >= startLine) region.endLine = f.endLine;
    const sameLine = (region.endLine ?? startLine) === startLine;
    if (
      f.endColumn &&
      f.endColumn >= 1 &&
      !(sameLine && region.startColumn && f.endColumn < region.startColumn)
    ) {
      region.endColumn = f.endColumn;
    }
  }
  result.locations = [
    {
      physicalLocation: {
        artifactLocation: { uri: pathToUri(f.path ?? CONFIG_PATH), uriBaseId: '%SRCROOT%' },
        region,
      },
    },
  ];
  const state = f.properties?.baselineState;
  if (state === 'new' || state === 'unchanged' || state === 'updated' || state === 'absent') {
    result.baselineState = state;
  }
  const props: Record<string, unknown> = Object.fromEntries(
    Object.entries(f.properties ?? {}).filter(([k]) => k !== 'baselineState'),
  );
  if (anchor) props.autopackAnchor = anchor;
  if (Object.keys(props).length) result.properties = redactDeep(props);
  return result;
}

/** `github:owner/repo@sha` sources name their repository; local ones do not. */
function versionControl(report: Report) {
  const m = /^github:([^/@\s]+\/[^/@\s]+)(?:@|$)/.exec(report.source);
  if (!m || !report.headSha) return undefined;
  return { repositoryUri: `https://github.com/${m[1]}`, revisionId: report.headSha };
}

/** The SARIF log as text (2-space JSON), ready to upload to code scanning. */
export function formatSarif(report: Report, opts?: readonly Check[] | SarifOptions): string {
  return JSON.stringify(toSarif(report, opts), null, 2) + '\n';
}
