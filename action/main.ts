/**
 * The Action's steps, mode by mode. `runner.ts` hands over the parsed inputs, the event, the
 * workspace and the API client; this file reads top to bottom as what the step does.
 *
 * - `check`: decide what the event asks to evaluate → read the policy (the BASE on a pull
 *   request) → build the snapshot (the checkout; the change from git, or from the API when the
 *   checkout is shallow) → gather extra inputs (governance facts, SARIF logs) → run the checks →
 *   write the report files, annotations, job summary and outputs → publish Check Runs when asked
 *   → keep the drift-report issue on a scheduled run → decide the step's status.
 * - `governance`: on a comment or review, answer the command and publish `autopack/governance`.
 * - `baseline-refresh`: open or update the one security-baseline refresh pull request.
 */
import * as core from '@actions/core';
import type { Report } from '../checks/model.js';
import { runChecks } from '../checks/runner.js';
import { redact } from '../checks/redact.js';
import { ConfigError } from '../policies/errors.js';
import { CONFIG_PATH } from '../policies/types.js';
import { runBaselineRefresh } from './baseline-refresh.js';
import { gatherCheckInputs } from './check-inputs.js';
import { publishCheckRuns, publishConfigFailure, type CheckRunTarget } from './check-runs.js';
import { readerFor } from './config.js';
import { requireClient, type MainDeps, type MainResult } from './deps.js';
import { syncDriftConfigError, syncDriftReport } from './drift.js';
import {
  buildEvaluation,
  loadPlanPolicy,
  planEvaluation,
  type Evaluation,
  type EvaluationPlan,
} from './evaluation.js';
import type { Target } from './event.js';
import { runGovernanceMode } from './governance.js';
import { failingSeverities } from './inputs.js';
import {
  annotate,
  overallConclusion,
  reportSummary,
  setOutputs,
  writeJobSummary,
  writeReportFiles,
} from './publish.js';

/** Runs the step for the mode the inputs name, on what the event asks to evaluate (event.ts). */
export async function main(deps: MainDeps, target: Target): Promise<MainResult> {
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

async function runCheckMode(
  deps: MainDeps,
  target: Exclude<Target, { kind: 'ignored' }>,
): Promise<MainResult> {
  const plan = await planEvaluation(deps, target);
  let config;
  try {
    config = await loadPlanPolicy(deps, plan);
  } catch (e) {
    if (e instanceof ConfigError) return configFailure(deps, plan, e);
    throw e;
  }
  const ev = await buildEvaluation(deps, plan, config);
  const inputs = await gatherCheckInputs(deps, ev);
  const report = await runChecks({
    snapshot: ev.snapshot,
    config: ev.config,
    only: deps.inputs.checks,
    inputs,
    logger: deps.logger,
  });
  return publishReport(deps, ev, report);
}

/** Where Check Runs for this evaluation go. */
export function checkRunTarget(deps: MainDeps, plan: EvaluationPlan): CheckRunTarget {
  return {
    client: requireClient(deps, 'publishing Check Runs'),
    repo: deps.event.repo,
    headSha: plan.headSha,
    pullNumber: plan.pull?.number,
    externalId: `autopack-action:${deps.event.runUrl ?? deps.event.sha}`,
    footer: `<sub>Autopack Action · ${plan.label} · head \`${plan.headSha.slice(0, 7)}\`${deps.event.runUrl ? ` · [workflow run](${deps.event.runUrl})` : ''}</sub>`,
    warn: (m) => core.warning(redact(m)),
  };
}

/** Writes everything a finished run produces and decides the step's status. */
async function publishReport(deps: MainDeps, ev: Evaluation, report: Report): Promise<MainResult> {
  if (ev.apiErrors.length) {
    // A file the checks needed could not be read: nothing may pass on content nobody saw.
    const first = ev.apiErrors[0]!;
    const more = ev.apiErrors.length > 1 ? ` (and ${ev.apiErrors.length - 1} more)` : '';
    setOutputs({ conclusion: 'failure', findings: 0 });
    await writeJobSummary(
      `## Autopack\n\n❌ GitHub could not be read, so nothing was judged.\n\n${redact(first.describe())}${more}\n`,
    );
    return {
      conclusion: 'failure',
      findings: 0,
      failed: true,
      message: `autopack: ${first.describe()}${more}`,
    };
  }
  const files = await writeReportFiles(report, deps.tempDir, deps.inputs.sarifOutput);
  const findings = report.results.flatMap((r) => r.findings);
  const conclusion = overallConclusion(report);
  setOutputs({ conclusion, findings: findings.length, report: files.report, sarif: files.sarif });
  annotate(findings, deps.inputs.annotations);
  const notes: string[] = [];
  if (deps.inputs.checkRuns) {
    const n = await publishCheckRuns(checkRunTarget(deps, ev), ev.config, report);
    notes.push(`Published ${n} Check Run(s) on \`${ev.headSha.slice(0, 12)}\`.`);
  }
  if (ev.driftJob && deps.inputs.driftIssue) {
    notes.push(
      await syncDriftReport(requireClient(deps, 'the drift-report issue'), deps, ev, report),
    );
  }
  await writeJobSummary(reportSummary(report, [ev.summaryPreface, ...notes].join('\n\n')));
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
    message: `autopack: ${conclusion}: ${counts}${failed ? ` (fail-on: ${deps.inputs.failOn})` : ''}`,
  };
}

/**
 * An invalid config: every problem is annotated at its file and line, every Check Run (when
 * asked for) fails with it, the drift issue (on the drift job) says so, and the step fails.
 */
async function configFailure(
  deps: MainDeps,
  plan: EvaluationPlan,
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
    const raw = await readerFor(plan.policySource)(deps.inputs.config ?? CONFIG_PATH).catch(
      () => undefined,
    );
    const n = await publishConfigFailure(checkRunTarget(deps, plan), err, raw, deps.inputs.checks);
    notes.push(`Published ${n} failed Check Run(s) on \`${plan.headSha.slice(0, 12)}\`.`);
  }
  if (plan.driftJob && deps.inputs.driftIssue) {
    notes.push(
      await syncDriftConfigError(
        requireClient(deps, 'the drift-report issue'),
        deps,
        plan.headSha,
        text,
      ),
    );
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
