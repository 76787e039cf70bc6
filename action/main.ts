/**
 * The Action's steps, mode by mode. `runner.ts` hands over the parsed inputs, the event, the
 * workspace and the API client; this file reads top to bottom as what the step does.
 *
 * - `check`: resolve what the event asks to evaluate → read the policy (the BASE on a pull
 *   request) → build the snapshot (local checkout; the change from git, or from the API when
 *   the checkout is shallow) → gather extra inputs (governance approvals, SARIF) → run the
 *   checks → write the report files, annotations, job summary and outputs → publish Check Runs
 *   when asked → keep the drift-report issue on a scheduled run → decide the step's status.
 * - `governance`: on a comment or review, answer the command and publish `autopack/governance`.
 * - `baseline-refresh`: open or update the one security-baseline refresh pull request.
 */
import * as core from '@actions/core';
import type { Report } from '../checks/model.js';
import { runChecks } from '../checks/runner.js';
import { redact } from '../checks/redact.js';
import { ConfigError } from '../policies/errors.js';
import { syncDriftReport } from './drift.js';
import { requireClient, type MainDeps, type MainResult } from './deps.js';
import { describeTarget, resolveTarget, type Target } from './event.js';
import { prepareEvaluation, type Evaluation } from './evaluation.js';
import { failingSeverities } from './inputs.js';
import { gatherCheckInputs } from './check-inputs.js';
import { publishCheckRuns, publishConfigFailure } from './check-runs.js';
import { runGovernanceMode } from './governance.js';
import { runBaselineRefresh } from './baseline-refresh.js';
import {
  annotate,
  overallConclusion,
  reportSummary,
  setOutputs,
  writeJobSummary,
  writeReportFiles,
} from './publish.js';

/** Runs the step for the mode the inputs name. */
export async function main(deps: MainDeps): Promise<MainResult> {
  const target = resolveTarget(deps.event);
  core.info(
    `autopack: mode ${deps.inputs.mode}, ${deps.event.eventName} event, ${describeTarget(target)}`,
  );
  if (target.kind === 'ignored') {
    setOutputs({ conclusion: 'skipped', findings: 0 });
    return {
      conclusion: 'skipped',
      findings: 0,
      failed: false,
      message: `autopack: nothing to do: ${target.reason}`,
    };
  }
  if (deps.inputs.mode === 'governance') return runGovernanceMode(deps, target);
  if (deps.inputs.mode === 'baseline-refresh') return runBaselineRefresh(deps, target);
  return runCheckMode(deps, target);
}

async function runCheckMode(deps: MainDeps, target: Exclude<Target, { kind: 'ignored' }>) {
  let evaluation: Evaluation;
  try {
    evaluation = await prepareEvaluation(deps, target);
  } catch (e) {
    if (e instanceof ConfigError) return configFailure(deps, target, e);
    throw e;
  }
  const inputs = await gatherCheckInputs(deps, evaluation);
  const report = await runChecks({
    snapshot: evaluation.snapshot,
    config: evaluation.config,
    only: deps.inputs.checks,
    inputs,
    logger: deps.logger,
  });
  return publishReport(deps, evaluation, report);
}

/** Writes everything a finished run produces and decides the step's status. */
async function publishReport(deps: MainDeps, ev: Evaluation, report: Report): Promise<MainResult> {
  const files = await writeReportFiles(report, deps.tempDir, deps.inputs.sarifOutput);
  const findings = report.results.flatMap((r) => r.findings);
  const conclusion = overallConclusion(report);
  setOutputs({ conclusion, findings: findings.length, report: files.report, sarif: files.sarif });
  annotate(findings, deps.inputs.annotations);
  const notes: string[] = [];
  if (deps.inputs.checkRuns) {
    const published = await publishCheckRuns(
      requireClient(deps, 'check-runs: true'),
      deps.event.repo,
      { ...ev, detailsUrl: deps.event.runUrl },
      report,
    );
    notes.push(`Published ${published} Check Run(s) on ${ev.headSha.slice(0, 12)}.`);
  }
  if (ev.driftJob && deps.inputs.driftIssue) {
    const drift = await syncDriftReport(
      requireClient(deps, 'the drift-report issue'),
      deps,
      ev,
      report,
    );
    notes.push(drift);
  }
  await writeJobSummary(
    reportSummary(report, [ev.summaryPreface, ...notes].filter(Boolean).join('\n\n')),
  );
  for (const n of notes) core.info(redact(n));
  const severities = failingSeverities(deps.inputs.failOn);
  const failingFindings = findings.filter((f) => severities.includes(f.severity)).length;
  const failingConclusion =
    deps.inputs.failOn !== 'never' &&
    ['failure', 'action_required', 'timed_out', 'cancelled'].includes(conclusion);
  const failed = failingFindings > 0 || failingConclusion;
  const t = report.totals;
  const counts = `${t.error} error(s), ${t.warning} warning(s), ${t.notice} notice(s) in ${report.results.length} check(s)`;
  return {
    conclusion,
    findings: findings.length,
    failed,
    message: failed
      ? `autopack: ${conclusion}: ${counts} (fail-on: ${deps.inputs.failOn})`
      : `autopack: ${conclusion}: ${counts}`,
  };
}

/** An invalid config: every problem is annotated at its file and line, and the step fails. */
async function configFailure(
  deps: MainDeps,
  target: Exclude<Target, { kind: 'ignored' }>,
  err: ConfigError,
): Promise<MainResult> {
  for (const p of err.problems) {
    core.error(redact(`${p.key ? `${p.key}: ` : ''}${p.message}`), {
      title: 'autopack: invalid configuration',
      ...(p.position
        ? { file: p.position.file, startLine: p.position.line, startColumn: p.position.column }
        : {}),
    });
  }
  const text = redact(err.message);
  setOutputs({ conclusion: 'failure', findings: 0 });
  const notes: string[] = [];
  if (deps.inputs.checkRuns) {
    const headSha = 'headSha' in target && target.headSha ? target.headSha : deps.event.sha;
    const n = await publishConfigFailure(
      requireClient(deps, 'check-runs: true'),
      deps.event.repo,
      headSha,
      deps.inputs.checks,
      err,
    );
    notes.push(`Published ${n} failed Check Run(s) on ${headSha.slice(0, 12)}.`);
  }
  await writeJobSummary(
    `## Autopack\n\n❌ The configuration is invalid; no check ran.\n\n\`\`\`\n${text.replace(/```/g, "'''")}\n\`\`\`\n${notes.length ? `\n${notes.join('\n')}\n` : ''}`,
  );
  return {
    conclusion: 'failure',
    findings: 0,
    failed: true,
    message: `autopack: invalid configuration\n${text}`,
  };
}
