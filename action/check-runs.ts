/**
 * Publishes a report as Check Runs on the evaluated head (input `check-runs: true`), through
 * github/check-runs.ts: one `autopack/<id>` run per check, or, when the config says
 * `check-runs: { mode: combined }`, `autopack/governance` plus one `autopack/checks` run for the
 * rest. Each run is created once, completed, with its summary (the Markdown reporter, cut to
 * GitHub's 65,535 characters) and its first 50 annotations; further annotations are appended in
 * batches of 50 by updates, at most {@link MAX_CHECK_RUN_ANNOTATIONS} in all (the summary says
 * when some were left out).
 */
import type { CheckId, CheckResult, Conclusion, Finding, Report } from '../checks/model.js';
import { redact } from '../checks/redact.js';
import { formatCheckMarkdown, GITHUB_SUMMARY_LIMIT } from '../checks/report/markdown.js';
import { CHECKS } from '../checks/registry.js';
import type { GitHubClient, RepoRef } from '../github/client.js';
import {
  ANNOTATIONS_PER_REQUEST,
  createCheckRun,
  updateCheckRun,
  type CheckAnnotation,
  type CheckRunBody,
} from '../github/check-runs.js';
import type { ConfigError } from '../policies/errors.js';
import type { ResolvedConfig } from '../policies/types.js';

/** The most annotations the Action attaches to one Check Run. */
export const MAX_CHECK_RUN_ANNOTATIONS = 1000;

/** What one Check Run says. */
export interface CheckRunPlan {
  name: string;
  conclusion: Conclusion;
  title: string;
  summary: string;
  annotations: CheckAnnotation[];
}

/** Publishes the report's Check Runs on `ev.headSha`; resolves how many were created. */
export async function publishCheckRuns(
  client: GitHubClient,
  repo: RepoRef,
  ev: { headSha: string; config: ResolvedConfig; detailsUrl?: string },
  report: Report,
): Promise<number> {
  const plans = planCheckRuns(report, combinedMode(ev.config));
  for (const plan of plans) await publishOne(client, repo, ev.headSha, plan, ev.detailsUrl);
  return plans.length;
}

/**
 * Fails every Check Run with the config error (an invalid config never leaves a check missing
 * or green): the runs of `only`, else of every check this build knows.
 */
export async function publishConfigFailure(
  client: GitHubClient,
  repo: RepoRef,
  headSha: string,
  only: readonly CheckId[] | undefined,
  err: ConfigError,
  detailsUrl?: string,
): Promise<number> {
  const ids = only ?? CHECKS.map((c) => c.id);
  const text = redact(err.message);
  const annotations: CheckAnnotation[] = err.problems
    .filter((p) => p.position)
    .map((p) => ({
      path: p.position!.file,
      start_line: p.position!.line,
      end_line: p.position!.line,
      annotation_level: 'failure' as const,
      title: 'invalid configuration',
      message: redact(`${p.key ? `${p.key}: ` : ''}${p.message}`),
    }));
  for (const id of ids) {
    await publishOne(
      client,
      repo,
      headSha,
      {
        name: `autopack/${id}`,
        conclusion: 'failure',
        title: 'Invalid configuration',
        summary: `❌ The configuration is invalid, so this check did not run.\n\n\`\`\`\n${text.replace(/```/g, "'''")}\n\`\`\`\n\nFix the file named above; the check runs again on the next push.`,
        annotations,
      },
      detailsUrl,
    );
  }
  return ids.length;
}

/** The Check Runs a report becomes (pure). */
export function planCheckRuns(report: Report, combined: boolean): CheckRunPlan[] {
  if (!combined) return report.results.map((r) => planFor(`autopack/${r.checkId}`, [r]));
  const governance = report.results.filter((r) => r.checkId === 'governance');
  const rest = report.results.filter((r) => r.checkId !== 'governance');
  const plans = governance.map((r) => planFor('autopack/governance', [r]));
  if (rest.length) plans.push(planFor('autopack/checks', rest));
  return plans;
}

function combinedMode(config: ResolvedConfig): boolean {
  return (config.values['check-runs'] as { mode?: string } | undefined)?.mode === 'combined';
}

const RANK: Record<Conclusion, number> = {
  failure: 0,
  timed_out: 1,
  cancelled: 2,
  action_required: 3,
  neutral: 4,
  success: 5,
  skipped: 6,
};

function planFor(name: string, results: CheckResult[]): CheckRunPlan {
  let conclusion: Conclusion = 'success';
  for (const r of results) if (RANK[r.conclusion] < RANK[conclusion]) conclusion = r.conclusion;
  const findings = results.flatMap((r) => r.findings);
  const per = Math.floor(GITHUB_SUMMARY_LIMIT / results.length) - 100;
  let summary = results
    .map(
      (r) =>
        (results.length > 1 ? `### autopack/${r.checkId}\n\n` : '') + formatCheckMarkdown(r, per),
    )
    .join('\n');
  const annotated = findings.filter((f) => f.path);
  const annotations = annotated.slice(0, MAX_CHECK_RUN_ANNOTATIONS).map(toAnnotation);
  if (annotated.length > annotations.length) {
    summary += `\n_${annotated.length - annotations.length} finding(s) are not annotated: a Check Run carries at most ${MAX_CHECK_RUN_ANNOTATIONS} annotations from Autopack._\n`;
  }
  return {
    name,
    conclusion,
    title: titleOf(findings, conclusion),
    summary: summary.slice(0, GITHUB_SUMMARY_LIMIT),
    annotations,
  };
}

function titleOf(findings: readonly Finding[], conclusion: Conclusion): string {
  if (findings.length === 0)
    return conclusion === 'success' ? 'No findings' : conclusion.replace('_', ' ');
  const c = { error: 0, warning: 0, notice: 0 };
  for (const f of findings) c[f.severity]++;
  return (['error', 'warning', 'notice'] as const)
    .filter((k) => c[k])
    .map((k) => `${c[k]} ${k}${c[k] === 1 ? '' : 's'}`)
    .join(', ');
}

function toAnnotation(f: Finding): CheckAnnotation {
  const line = f.line ?? 1;
  const endLine = f.endLine && f.endLine >= line ? f.endLine : line;
  const a: CheckAnnotation = {
    path: f.path!,
    start_line: line,
    end_line: endLine,
    annotation_level:
      f.severity === 'error' ? 'failure' : f.severity === 'warning' ? 'warning' : 'notice',
    title: `${f.checkId}/${f.ruleId}`,
    message: redact(f.help ? `${f.message}\n${f.help}` : f.message).slice(0, 64 * 1024),
  };
  if (f.line && f.column && endLine === line) {
    a.start_column = f.column;
    a.end_column = f.endColumn && f.endColumn >= f.column ? f.endColumn : f.column;
  }
  return a;
}

async function publishOne(
  client: GitHubClient,
  repo: RepoRef,
  headSha: string,
  plan: CheckRunPlan,
  detailsUrl?: string,
): Promise<void> {
  const batches: CheckAnnotation[][] = [];
  for (let i = 0; i < plan.annotations.length; i += ANNOTATIONS_PER_REQUEST) {
    batches.push(plan.annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  }
  const output = (annotations: CheckAnnotation[] | undefined): CheckRunBody['output'] => ({
    title: plan.title,
    summary: plan.summary,
    ...(annotations?.length ? { annotations } : {}),
  });
  const { id } = await createCheckRun(client, repo, {
    name: plan.name,
    head_sha: headSha,
    status: 'completed',
    conclusion: plan.conclusion,
    completed_at: new Date().toISOString(),
    ...(detailsUrl ? { details_url: detailsUrl } : {}),
    output: output(batches[0]),
  });
  for (const batch of batches.slice(1))
    await updateCheckRun(client, repo, id, { output: output(batch) });
}
