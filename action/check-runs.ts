/**
 * Publishes a report as Check Runs on the evaluated head (input `check-runs: true`, and the
 * governance gate), exactly as the App does: app/publish.ts plans the runs (one `autopack/<id>`
 * per check, or `autopack/governance` plus `autopack/checks` when the config says
 * `check-runs: { mode: combined }`; summaries within 65,535 characters; annotations errors first,
 * capped by `check-runs.max-annotations`, 50 per request) and writes each once, completed,
 * through github/check-runs.ts. The Action keeps no state between runs, so every run is created
 * anew; GitHub shows, and branch protection uses, the latest run of each name.
 */
import { CHECKS } from '../checks/registry.js';
import type { CheckId, Report } from '../checks/model.js';
import { redact } from '../checks/redact.js';
import type { GitHubClient, RepoRef } from '../github/client.js';
import type { CheckAnnotation } from '../github/check-runs.js';
import type { ConfigError } from '../policies/errors.js';
import { formatProblem } from '../policies/errors.js';
import type { ResolvedConfig } from '../policies/types.js';
import { lenientRunSettings } from '../app/config.js';
import {
  maxAnnotationsOf,
  planFailureRuns,
  planResultRuns,
  publishRuns,
  runModeOf,
  runNamesFor,
  type PlannedRun,
} from '../app/publish.js';
import { ActionError } from './deps.js';

/** Where the runs go and what they link to. */
export interface CheckRunTarget {
  client: GitHubClient;
  repo: RepoRef;
  headSha: string;
  pullNumber?: number;
  /** Routes a re-run back to this workflow run (`external_id`). */
  externalId: string;
  /** Markdown appended to every summary (what was evaluated, where the policy came from). */
  footer?: string;
  warn: (msg: string) => void;
}

/** Publishes the report's Check Runs; resolves how many were written. Rejects with ActionError when GitHub refused one. */
export async function publishCheckRuns(
  t: CheckRunTarget,
  config: ResolvedConfig,
  report: Report,
): Promise<number> {
  const runs = planResultRuns(report, {
    mode: runModeOf(config),
    maxAnnotations: maxAnnotationsOf(config),
    repo: t.repo,
    headSha: t.headSha,
    pullNumber: t.pullNumber,
    footer: t.footer,
  });
  return write(t, runs);
}

/**
 * Fails every Check Run the repository would get with the config error (an invalid config never
 * leaves a required check missing or green). Which runs: read leniently from the broken config
 * text (`check-runs.mode`, checks switched off), as the App does; `only` narrows them.
 */
export async function publishConfigFailure(
  t: CheckRunTarget,
  err: ConfigError,
  rawConfig: string | undefined,
  only?: readonly CheckId[],
): Promise<number> {
  const { combined, disabled } = lenientRunSettings(rawConfig);
  const ids = CHECKS.map((c) => c.id).filter((id) =>
    only ? only.includes(id) : !disabled.has(id),
  );
  const annotations: CheckAnnotation[] = [];
  for (const p of err.problems) {
    if (!p.position || p.position.file.startsWith('autopack:')) continue;
    const line = Math.max(1, p.position.line);
    annotations.push({
      path: p.position.file,
      start_line: line,
      end_line: line,
      annotation_level: 'failure',
      title: 'autopack/config',
      message: redact(formatProblem(p)),
    });
  }
  const runs = planFailureRuns(runNamesFor(combined ? 'combined' : 'per-check', ids), {
    conclusion: 'failure',
    title: 'Invalid configuration',
    summary: `### ❌ The Autopack policy does not validate\n\nEvery Autopack check fails until it is fixed.\n\n\`\`\`\n${redact(err.message).replace(/```/g, "'''")}\n\`\`\`\n${t.footer ? `\n---\n${t.footer}\n` : ''}`,
    annotations,
  });
  return write(t, runs);
}

async function write(t: CheckRunTarget, runs: readonly PlannedRun[]): Promise<number> {
  const res = await publishRuns(runs, {
    client: t.client,
    repo: t.repo,
    headSha: t.headSha,
    externalId: t.externalId,
    existing: new Map(),
    startedAt: new Date(),
    warn: t.warn,
  });
  if (res.failed.length) {
    const first = res.failed[0]!;
    throw new ActionError(
      `could not publish Check Run ${first.name}${res.failed.length > 1 ? ` (and ${res.failed.length - 1} more)` : ''}: ${first.error.describe()}`,
    );
  }
  return res.written.length;
}
