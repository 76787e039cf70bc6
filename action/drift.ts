/**
 * The scheduled drift job's tracking issue: after a scheduled (or dispatched) run on the default
 * branch, the one "Autopack: drift report" issue is created, updated, reopened or closed by
 * github/drift-issue.ts. "Clean" means no finding at `error` or `warning` severity and no check
 * concluding `failure` / `action_required`: notices alone never keep the issue open.
 */
import { createHash } from 'node:crypto';
import type { Report } from '../checks/model.js';
import { formatMarkdown } from '../checks/report/markdown.js';
import type { GitHubClient } from '../github/client.js';
import { syncDriftIssue, type DriftIssueResult } from '../github/drift-issue.js';
import type { MainDeps } from './deps.js';

/** Room left in an issue body (65,536 characters) after the header and the digest marker. */
const BODY_REPORT_LIMIT = 60_000;

/** True when the report has nothing the drift issue tracks. */
export function isClean(report: Report): boolean {
  if (report.totals.error > 0 || report.totals.warning > 0) return false;
  return !report.results.some((r) =>
    ['failure', 'action_required', 'timed_out', 'cancelled'].includes(r.conclusion),
  );
}

/**
 * A digest of what the report says, stable across runs that find the same things: the sorted
 * (check, rule, severity, fingerprint) of every error and warning, plus each check's conclusion.
 */
export function reportDigest(report: Report): string {
  const lines = report.results.map((r) => `result ${r.checkId} ${r.conclusion}`);
  for (const r of report.results) {
    for (const f of r.findings) {
      if (f.severity !== 'notice')
        lines.push(`finding ${f.checkId} ${f.ruleId} ${f.severity} ${f.fingerprint}`);
    }
  }
  return createHash('sha256').update(lines.sort().join('\n')).digest('hex').slice(0, 32);
}

/** The issue body: what was evaluated, when, by which run, then the Markdown report. */
export function driftIssueBody(
  report: Report,
  opts: { branch: string; sha: string; runUrl?: string },
): string {
  const head = [
    `Autopack's scheduled run found drift on \`${opts.branch}\` at \`${opts.sha.slice(0, 12)}\`` +
      (opts.runUrl ? ` ([workflow run](${opts.runUrl}))` : '') +
      '.',
    '',
    'This issue is kept up to date by the scheduled job: it is updated while findings remain and closed when the branch is clean again. Fix the findings below (or adjust `.github/autopack.yml` through a reviewed pull request).',
    '',
  ].join('\n');
  return head + formatMarkdown(report, BODY_REPORT_LIMIT);
}

/** The closing body: the branch is clean again. */
export function cleanIssueBody(opts: { branch: string; sha: string; runUrl?: string }): string {
  return `✅ \`${opts.branch}\` is clean again at \`${opts.sha.slice(0, 12)}\`${opts.runUrl ? ` ([workflow run](${opts.runUrl}))` : ''}: no errors or warnings. Closing this drift report; it reopens if drift comes back.\n`;
}

/** Brings the tracking issue in line with `report`; returns a sentence for the log and summary. */
export async function syncDriftReport(
  client: GitHubClient,
  deps: MainDeps,
  ev: { headSha: string; snapshot: { headSha?: string } },
  report: Report,
): Promise<string> {
  const branch = deps.event.ref.replace(/^refs\/heads\//, '') || 'the default branch';
  const where = { branch, sha: ev.headSha, runUrl: deps.event.runUrl };
  const clean = isClean(report);
  const result = await syncDriftIssue(client, deps.event.repo, {
    clean,
    body: clean ? cleanIssueBody(where) : driftIssueBody(report, where),
    digest: reportDigest(report),
  });
  return describeResult(result);
}

/** The drift job met an invalid config: the issue says so (the branch is not clean). */
export async function syncDriftConfigError(
  client: GitHubClient,
  deps: MainDeps,
  headSha: string,
  errorText: string,
): Promise<string> {
  const branch = deps.event.ref.replace(/^refs\/heads\//, '') || 'the default branch';
  const run = deps.event.runUrl ? ` ([workflow run](${deps.event.runUrl}))` : '';
  const fence = errorText.replace(/```/g, "'''");
  const result = await syncDriftIssue(client, deps.event.repo, {
    clean: false,
    body: `Autopack's scheduled run on \`${branch}\` at \`${headSha.slice(0, 12)}\`${run} could not check anything: the configuration is invalid.\n\n\`\`\`\n${fence}\n\`\`\`\n\nFix \`.github/autopack.yml\` (run \`autopack config validate\` locally).\n`,
    digest: createHash('sha256').update(`config-error\n${errorText}`).digest('hex').slice(0, 32),
  });
  return describeResult(result);
}

function describeResult(r: DriftIssueResult): string {
  const link = r.number ? `[#${r.number}](${r.url ?? ''})` : '';
  switch (r.action) {
    case 'created':
      return `Opened the drift report issue ${link}.`;
    case 'updated':
      return `Updated the drift report issue ${link}.`;
    case 'reopened':
      return `Reopened the drift report issue ${link}: drift is back.`;
    case 'closed':
      return `Closed the drift report issue ${link}: the branch is clean again.`;
    case 'unchanged':
      return `The drift report issue ${link} already says this; left unchanged.`;
    default:
      return 'No drift, and no open drift report issue.';
  }
}
