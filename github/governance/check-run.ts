/**
 * Publishes the `autopack/governance` Check Run (POST /repos/{owner}/{repo}/check-runs through
 * github/check-runs.ts), written once, completed, with the Markdown summary (redacted and cut
 * to GitHub's 65,535 characters by the shared reporter) and, while approvals are missing, an
 * "Approve" requested action: clicking it sends `check_run.requested_action`, which
 * handlers.ts treats exactly like a `/autopack approve` comment by the clicking user.
 */
import type { GovernanceEvaluation } from '../../checks/governance/evaluate.js';
import type { CheckOutcome, CheckResult } from '../../checks/model.js';
import { formatCheckMarkdown } from '../../checks/report/markdown.js';
import { redact } from '../../checks/redact.js';
import type { GitHubClient, RepoRef } from '../client.js';
import { createCheckRun, type CheckRunAction } from '../check-runs.js';

/** The Check Run name (DESIGN.md: `autopack/<id>`). */
export const GOVERNANCE_CHECK_NAME = 'autopack/governance';

/** The requested action's identifier (at most 20 characters). */
export const APPROVE_ACTION_ID = 'approve';

/** The "Approve" button (label ≤ 20, description ≤ 40 characters). */
export const APPROVE_ACTION: CheckRunAction = {
  label: 'Approve',
  description: 'Approve the protected changes at this head',
  identifier: APPROVE_ACTION_ID,
};

/** The check result the shared reporters format. */
export function toCheckResult(
  outcome: CheckOutcome & { conclusion: CheckResult['conclusion'] },
): CheckResult {
  return {
    checkId: 'governance',
    title: 'Governance: protected paths need approval',
    conclusion: outcome.conclusion,
    findings: outcome.findings,
    summary: outcome.summary,
    stats: outcome.stats,
    durationMs: 0,
  };
}

/** The create-request body of the governance Check Run for `headSha`. */
export function governanceCheckRunBody(
  headSha: string,
  evaluation: GovernanceEvaluation,
  result: CheckResult,
  now = new Date(),
) {
  const offerApprove =
    result.conclusion === 'action_required' &&
    evaluation.rules.some((r) => !r.satisfied) &&
    evaluation.problems.length === 0 &&
    evaluation.approveButton;
  return {
    name: GOVERNANCE_CHECK_NAME,
    head_sha: headSha,
    status: 'completed' as const,
    conclusion: result.conclusion as 'success' | 'failure' | 'action_required',
    completed_at: now.toISOString(),
    output: { title: redact(evaluation.title).slice(0, 255), summary: formatCheckMarkdown(result) },
    ...(offerApprove ? { actions: [APPROVE_ACTION] } : {}),
  };
}

/** Creates the completed Check Run. Resolves its id. Rejects with GitHubAPIError. */
export async function publishGovernanceCheckRun(
  client: GitHubClient,
  repo: RepoRef,
  headSha: string,
  evaluation: GovernanceEvaluation,
  result: CheckResult,
): Promise<{ id: number }> {
  return createCheckRun(client, repo, governanceCheckRunBody(headSha, evaluation, result));
}
