/**
 * The `security-baseline` check: scanner SARIF compared with the committed baseline by stable
 * fingerprints. New findings at or above the `fail-on` threshold fail; new findings outside the
 * pull request's files are reported as likely fingerprint drift; fixed ones are counted as
 * burndown; matched ones are counted. In a change the baseline is read from the base commit, so a
 * pull request can never baseline its own findings. Every result carries
 * `properties.baselineState` (`new` / `unchanged` / `updated` / `absent`), which the SARIF
 * reporter writes as SARIF's own `baselineState` (§3.27.24).
 *
 * Inputs: `ctx.inputs.sarif` (the shell reads the files; see cli/sarif-input.ts) and optionally
 * `ctx.inputs.securityBaseline`. Never calls GitHub.
 */
import { Minimatch } from 'minimatch';
import type { Log } from 'sarif';
import { sectionOf } from '../config.js';
import { fingerprint } from '../fingerprint.js';
import { mdEscape } from '../report/markdown.js';
import type {
  Check,
  CheckContext,
  CheckOutcome,
  ConfigIssue,
  Finding,
  Severity,
} from '../model.js';
import { normalizeRepoPath, type FileContent } from '../snapshot.js';
import { parseBaseline } from './baseline.js';
import { extractFindings, snapshotReader, type ExtractStats } from './extract.js';
import { computeLineHashes } from './linehash.js';
import { matchFindings, type FindingMatch, type MatchOutcome } from './match.js';
import { parseSarifFile } from './sarif.js';
import {
  meetsThreshold,
  resolveSection,
  toolKey,
  type BaselineEntry,
  type BaselineFile,
  type ResolvedSection,
  type SarifFinding,
  type SecurityBaselineSection,
} from './types.js';

export * from './types.js';
import { ID, RULES, TITLE } from './rules.js';

export { RULES } from './rules.js';

type LoadedBaseline =
  | { state: 'ok'; baseline: BaselineFile; label: string }
  | { state: 'missing'; label: string }
  | { state: 'invalid'; label: string; message: string };

async function loadBaseline(ctx: CheckContext, sec: ResolvedSection): Promise<LoadedBaseline> {
  const given = ctx.inputs.securityBaseline;
  if (given?.text !== undefined) {
    const p = parseBaseline(given.text, given.path);
    return p.ok
      ? { state: 'ok', baseline: p.baseline, label: given.path }
      : { state: 'invalid', label: given.path, message: p.message };
  }
  const raw = given?.path ?? sec.baseline;
  const path = normalizeRepoPath(raw);
  if (path === undefined || path === '') {
    return {
      state: 'invalid',
      label: raw,
      message: `${raw}: the baseline path must be a path inside the repository`,
    };
  }
  const change = ctx.snapshot.change;
  let content: FileContent;
  let label: string;
  if (change) {
    content = await change.readBase(path);
    label = `${path} at the base commit ${change.baseSha.slice(0, 12)}`;
  } else {
    content = ctx.snapshot.hasFile(path) ? await ctx.snapshot.read(path) : { kind: 'missing' };
    label = path;
  }
  if (content.kind === 'missing') return { state: 'missing', label };
  if (content.kind !== 'text') {
    return {
      state: 'invalid',
      label,
      message: `${label}: cannot be read as text (${content.kind})`,
    };
  }
  const p = parseBaseline(content.text, label);
  return p.ok
    ? { state: 'ok', baseline: p.baseline, label }
    : { state: 'invalid', label, message: p.message };
}

function firstLine(s: string, max = 300): string {
  const l = (s.split(/\r?\n/, 1)[0] ?? '').trim();
  return l.length > max ? `${l.slice(0, max - 1)}…` : l;
}

function baseFinding(
  ruleId: string,
  severity: Severity,
  message: string,
  help: string,
  key: string,
): Finding {
  return {
    checkId: ID,
    ruleId,
    severity,
    message,
    help,
    fingerprint: fingerprint(ID, ruleId, key),
  };
}

async function run(ctx: CheckContext): Promise<CheckOutcome> {
  const sec = resolveSection(sectionOf<SecurityBaselineSection>(ctx.config, ID));
  const inputs = ctx.inputs.sarif ?? [];
  const baseline = await loadBaseline(ctx, sec);
  const findings: Finding[] = [];

  if (inputs.length === 0) {
    const count = baseline.state === 'ok' ? baseline.baseline.entries.length : 0;
    const where =
      baseline.state === 'ok'
        ? `the baseline (${baseline.label}) has ${count} finding(s) that were not evaluated`
        : baseline.state === 'missing'
          ? 'no baseline file either'
          : 'and the baseline is not valid';
    findings.push(
      baseFinding(
        'no-sarif-input',
        sec.requireSarif ? 'error' : 'notice',
        `no SARIF input: nothing was compared (${where})`,
        RULES.find((r) => r.id === 'no-sarif-input')!.help,
        'no-sarif-input',
      ),
    );
    if (baseline.state === 'invalid') {
      findings.push(
        baseFinding(
          'baseline-invalid',
          'error',
          baseline.message,
          RULES.find((r) => r.id === 'baseline-invalid')!.help,
          baseline.label,
        ),
      );
    }
    return {
      findings,
      conclusion: findings.some((f) => f.severity === 'error') ? 'failure' : 'neutral',
      summary: `**No SARIF input**: the security baseline gate did not run${count ? ` (${count} baselined finding(s) not evaluated)` : ''}.\n`,
      stats: { sarifFiles: 0, baselineEntries: count },
    };
  }

  // Parse every file; a bad one is an error finding and the rest still count.
  const logs: Array<{ file: string; log: Log }> = [];
  for (const input of inputs) {
    const r = parseSarifFile(input);
    if (r.ok) logs.push({ file: r.file, log: r.log });
    else {
      const repoPath = normalizeRepoPath(input.path);
      findings.push({
        ...baseFinding(
          'sarif-invalid',
          'error',
          r.message,
          RULES.find((x) => x.id === 'sarif-invalid')!.help,
          input.path,
        ),
        ...(repoPath && ctx.snapshot.hasFile(repoPath) ? { path: repoPath } : {}),
      });
    }
  }
  const extracted = await extractFindings(
    logs,
    (p) => ctx.snapshot.hasFile(p),
    snapshotReader(ctx.snapshot),
  );

  if (baseline.state === 'invalid') {
    findings.push(
      baseFinding(
        'baseline-invalid',
        'error',
        baseline.message,
        RULES.find((r) => r.id === 'baseline-invalid')!.help,
        baseline.label,
      ),
    );
    return {
      findings,
      conclusion: 'failure',
      summary: `**The baseline is not valid**, so ${extracted.findings.length} finding(s) could not be compared. ${mdEscape(baseline.message)}\n`,
      stats: { sarifFiles: inputs.length, findings: extracted.findings.length },
    };
  }

  const entries = baseline.state === 'ok' ? baseline.baseline.entries : [];
  const scanned: BaselineEntry[] = [];
  const notScanned = new Map<string, number>();
  for (const e of entries) {
    if (extracted.scannedTools.has(toolKey(e))) scanned.push(e);
    else notScanned.set(toolKey(e), (notScanned.get(toolKey(e)) ?? 0) + 1);
  }

  const change = ctx.snapshot.change;
  const renames = new Map<string, string>();
  const changed = new Set<string>();
  if (change) {
    for (const f of change.files) {
      changed.add(f.path);
      if (f.previousPath) {
        changed.add(f.previousPath);
        if (f.status === 'renamed') renames.set(f.path, f.previousPath);
      }
    }
  }
  const outcome = await matchFindings(scanned, extracted.findings, {
    renames,
    basePositions: change
      ? async (p) => {
          const c = await change.readBase(p);
          if (c.kind !== 'text') return undefined;
          const m = new Map<string, number>();
          computeLineHashes(c.text).forEach((h, i) => m.set(h, i + 1));
          return m;
        }
      : undefined,
  });

  const missing = baseline.state === 'missing';
  if (missing) {
    findings.push(
      baseFinding(
        'baseline-missing',
        sec.requireBaseline ? 'error' : 'warning',
        `no baseline at ${baseline.label}: all ${extracted.findings.length} finding(s) are new${sec.requireBaseline ? '' : '; the gate is not armed until a baseline is committed'}`,
        RULES.find((r) => r.id === 'baseline-missing')!.help,
        baseline.label,
      ),
    );
  }
  for (const [tool, n] of [...notScanned.entries()].sort()) {
    findings.push(
      baseFinding(
        'tool-not-scanned',
        'warning',
        `the baseline has ${n} finding(s) of ${tool}, but no SARIF run of ${tool} was given: they were not evaluated`,
        RULES.find((r) => r.id === 'tool-not-scanned')!.help,
        tool,
      ),
    );
  }

  const counts = {
    failing: 0,
    newBelow: 0,
    drift: 0,
    updated: 0,
    unchanged: 0,
    fixed: outcome.absent.length,
  };
  for (const m of outcome.findings) {
    const f = m.finding;
    if (m.state === 'new') {
      const inDiff = !change || f.touchedPaths.some((p) => changed.has(p));
      let ruleId = 'new-finding';
      let severity: Severity;
      if (!inDiff && sec.outsideDiff === 'warn') {
        ruleId = 'fingerprint-drift';
        severity = 'warning';
        counts.drift++;
      } else if (meetsThreshold(f.severity, sec.failOn) && !(missing && !sec.requireBaseline)) {
        severity = 'error';
        counts.failing++;
      } else {
        severity = 'warning';
        counts.newBelow++;
      }
      findings.push(resultFinding(ctx, f, m, ruleId, severity, undefined));
    } else if (m.state === 'updated') {
      counts.updated++;
      findings.push(resultFinding(ctx, f, m, 'updated-finding', 'notice', scanned[m.entry!]));
    } else {
      counts.unchanged++;
      if (sec.reportUnchanged)
        findings.push(resultFinding(ctx, f, m, 'unchanged-finding', 'notice', scanned[m.entry!]));
    }
  }
  for (const i of outcome.absent) {
    const e = scanned[i]!;
    findings.push({
      checkId: ID,
      ruleId: 'fixed-finding',
      severity: 'notice',
      message: `fixed: ${toolKey(e)} ${e.rule}${e.path ? ` in ${e.path}` : ''} is no longer reported (baselined since ${e.firstSeen})`,
      help: RULES.find((r) => r.id === 'fixed-finding')!.help,
      ...(e.path && ctx.snapshot.hasFile(e.path) ? { path: e.path } : {}),
      fingerprint: fingerprint(ID, 'fixed-finding', toolKey(e), e.rule, e.path, e.fingerprint),
      properties: {
        baselineState: 'absent',
        tool: e.tool,
        ...(e.category ? { category: e.category } : {}),
        sarifRuleId: e.rule,
        sarifFingerprint: e.fingerprint,
        severity: e.severity,
        firstSeen: e.firstSeen,
        ...(e.justification ? { justification: e.justification } : {}),
      },
    });
  }

  const conclusion = findings.some((f) => f.severity === 'error')
    ? 'failure'
    : missing
      ? 'neutral'
      : 'success';
  return {
    findings,
    conclusion,
    summary: summaryOf(
      counts,
      outcome,
      extracted.stats,
      entries.length,
      notScanned,
      inputs.length - logs.length,
      baseline.state === 'ok' ? baseline.label : undefined,
      !!change,
    ),
    stats: {
      sarifFiles: inputs.length,
      invalidSarifFiles: inputs.length - logs.length,
      results: extracted.stats.results,
      findings: extracted.findings.length,
      baselineEntries: entries.length,
      new: counts.failing + counts.newBelow + counts.drift,
      newFailing: counts.failing,
      drift: counts.drift,
      updated: counts.updated,
      unchanged: counts.unchanged,
      fixed: counts.fixed,
      duplicates: extracted.stats.duplicates,
      suppressed: extracted.stats.suppressed,
    },
  };
}

function resultFinding(
  ctx: CheckContext,
  f: SarifFinding,
  m: FindingMatch,
  ruleId: string,
  severity: Severity,
  entry: BaselineEntry | undefined,
): Finding {
  const tracked = f.path !== '' && ctx.snapshot.hasFile(f.path);
  const where = !tracked && f.path ? ` (at ${f.path})` : '';
  const verb =
    ruleId === 'new-finding'
      ? 'new'
      : ruleId === 'fingerprint-drift'
        ? 'new, outside this change'
        : ruleId === 'updated-finding'
          ? `baselined (matched by ${m.matchedBy})`
          : 'baselined';
  const help =
    ruleId === 'updated-finding' && entry
      ? `Matched the baseline entry ${entry.path} ${entry.fingerprint} by ${m.matchedBy}; the next refresh records the new identity.`
      : RULES.find((r) => r.id === ruleId)!.help;
  return {
    checkId: ID,
    ruleId,
    severity,
    message: `${verb} ${f.severity} ${toolKey(f)} ${f.rule}: ${firstLine(f.message) || '(no message)'}${where}`,
    help,
    ...(tracked
      ? {
          path: f.path,
          ...(f.line ? { line: f.line } : {}),
          ...(f.line && f.column ? { column: f.column } : {}),
          ...(f.line && f.endLine ? { endLine: f.endLine } : {}),
          ...(f.line && f.endColumn ? { endColumn: f.endColumn } : {}),
        }
      : {}),
    fingerprint: fingerprint(ID, ruleId, toolKey(f), f.rule, f.path, f.fingerprint),
    properties: {
      baselineState: m.state,
      tool: f.tool,
      ...(f.category ? { category: f.category } : {}),
      sarifRuleId: f.rule,
      sarifFingerprint: f.fingerprint,
      fingerprintSource: f.fingerprintSource,
      severity: f.severity,
      sarifFile: f.file,
      ...(m.matchedBy ? { matchedBy: m.matchedBy } : {}),
      ...(entry ? { firstSeen: entry.firstSeen } : {}),
      ...(entry?.justification ? { justification: entry.justification } : {}),
    },
  };
}

function summaryOf(
  c: {
    failing: number;
    newBelow: number;
    drift: number;
    updated: number;
    unchanged: number;
    fixed: number;
  },
  outcome: MatchOutcome,
  stats: ExtractStats,
  baselineSize: number,
  notScanned: Map<string, number>,
  invalidFiles: number,
  label: string | undefined,
  inChange: boolean,
): string {
  const notEvaluated = [...notScanned.values()].reduce((a, b) => a + b, 0);
  const lines = [
    `Baseline: ${label ? `\`${mdEscape(label)}\` (${baselineSize} entries)` : '_none_'}${inChange ? ', read from the base commit' : ''}.`,
    '',
    '| | Findings |',
    '|---|---:|',
    `| ❌ New, failing the threshold | ${c.failing} |`,
    `| ⚠️ New, below the threshold | ${c.newBelow} |`,
    ...(inChange ? [`| ⚠️ New outside this change (likely fingerprint drift) | ${c.drift} |`] : []),
    `| ✅ Fixed since the baseline (burndown) | ${c.fixed} |`,
    `| ✏️ Baselined, identity updated | ${c.updated} |`,
    `| Baselined, unchanged | ${c.unchanged} |`,
  ];
  if (notEvaluated) lines.push(`| Not evaluated (tool not scanned) | ${notEvaluated} |`);
  if (invalidFiles) lines.push(`| 🚫 SARIF files that could not be read | ${invalidFiles} |`);
  const notes: string[] = [];
  if (stats.duplicates) notes.push(`${stats.duplicates} duplicate result(s) merged`);
  if (stats.suppressed) notes.push(`${stats.suppressed} suppressed result(s) skipped`);
  const matched = outcome.byStage;
  const heuristic =
    matched['deprecated-rule'] + matched.rename + matched.anchor + matched.neighbour;
  if (heuristic) {
    notes.push(
      `matched by heuristics: ${(['deprecated-rule', 'rename', 'anchor', 'neighbour'] as const)
        .filter((k) => matched[k])
        .map((k) => `${matched[k]} by ${k}`)
        .join(', ')}`,
    );
  }
  if (notes.length) lines.push('', notes.join('; ') + '.');
  return lines.join('\n') + '\n';
}

function validateConfig(section: unknown): ConfigIssue[] {
  const s = (section ?? {}) as SecurityBaselineSection;
  const issues: ConfigIssue[] = [];
  if (s.baseline !== undefined) {
    const p = normalizeRepoPath(s.baseline);
    if (p === undefined || p === '')
      issues.push({
        path: ['baseline'],
        message: `"${s.baseline}" is not a path inside the repository`,
      });
  }
  (s.sarif ?? []).forEach((g, i) => {
    try {
      const mm = new Minimatch(g, { dot: true });
      if (mm.set.length === 0 && !mm.negate)
        issues.push({ path: ['sarif', i], message: `the glob "${g}" can never match` });
      if (mm.negate)
        issues.push({
          path: ['sarif', i],
          message: `negated globs ("${g}") are not supported here; list the files to read`,
        });
    } catch (e) {
      issues.push({
        path: ['sarif', i],
        message: `the glob "${g}" is not valid: ${(e as Error).message}`,
      });
    }
  });
  return issues;
}

/** The check object the registry lists. */
export const securityBaselineCheck: Check = {
  id: ID,
  title: TITLE,
  rules: RULES,
  run,
  validateConfig,
};
