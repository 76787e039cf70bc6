/**
 * Turns an evaluation into Check Runs and writes them.
 *
 * - Which runs: one `autopack/<id>` per selected check (`check-runs.mode: per-check`, the
 *   default), or `autopack/governance` plus one `autopack/checks` for every other check
 *   (`combined`).
 * - Each run is written ONCE with its result: created `completed` (or, when an `in_progress` run
 *   was opened because the evaluation was slow, or a run of that name already exists for the head,
 *   updated in place). Annotations go 50 per request; past `check-runs.max-annotations` (default
 *   50, i.e. one write per run) they are left out and the summary says so.
 * - Idempotent: runs are looked up by name for the head SHA first (see app/evaluate.ts); an
 *   existing run is updated instead of a second one created. GitHub appends annotations on update
 *   and offers no way to remove them, so a completed run that already carries annotations is
 *   superseded by a new run of the same name (GitHub shows, and branch protection uses, the
 *   latest run of each name).
 * - Everything written passes the redactor (checks/redact.ts); summaries stay within GitHub's
 *   65,535-character limit (checks/report/markdown.ts).
 */
import { redact } from '../checks/redact.js';
import {
  formatCheckMarkdown,
  formatMarkdown,
  GITHUB_SUMMARY_LIMIT,
} from '../checks/report/markdown.js';
import type { CheckId, CheckResult, Conclusion, Finding, Report } from '../checks/model.js';
import type { ResolvedConfig } from '../policies/types.js';
import {
  ANNOTATIONS_PER_REQUEST,
  createCheckRun,
  updateCheckRun,
  type CheckAnnotation,
  type CheckRunAction,
  type CheckRunBody,
  type ExistingCheckRun,
} from '../github/check-runs.js';
import type { GitHubClient, RepoRef } from '../github/client.js';
import { toGitHubAPIError, type GitHubAPIError } from '../github/errors.js';

/** How the Check Runs of an evaluation are grouped (`check-runs.mode`). */
export type RunMode = 'per-check' | 'combined';

/** The governance run's name, in both modes. */
export const GOVERNANCE_RUN = 'autopack/governance';
/** The run that carries every non-governance check in `combined` mode. */
export const COMBINED_RUN = 'autopack/checks';
/** Default of `check-runs.max-annotations`: one write per Check Run. */
export const DEFAULT_MAX_ANNOTATIONS = 50;

interface CheckRunsSection {
  mode?: RunMode;
  'max-annotations'?: number;
}

/** `check-runs.mode` of a resolved config (default `per-check`). */
export function runModeOf(config: ResolvedConfig): RunMode {
  return (config.values['check-runs'] as CheckRunsSection | undefined)?.mode === 'combined'
    ? 'combined'
    : 'per-check';
}

/** `check-runs.max-annotations` of a resolved config (default 50). */
export function maxAnnotationsOf(config: ResolvedConfig): number {
  const n = (config.values['check-runs'] as CheckRunsSection | undefined)?.['max-annotations'];
  return typeof n === 'number' && n >= 0 ? n : DEFAULT_MAX_ANNOTATIONS;
}

/** The Check Run names an evaluation of `checkIds` publishes, in order. */
export function runNamesFor(mode: RunMode, checkIds: readonly CheckId[]): string[] {
  if (mode === 'per-check') return checkIds.map((id) => `autopack/${id}`);
  const names: string[] = [];
  if (checkIds.includes('governance')) names.push(GOVERNANCE_RUN);
  if (checkIds.some((id) => id !== 'governance')) names.push(COMBINED_RUN);
  return names;
}

/**
 * The check ids a Check Run name stands for (for a re-run of one run): `autopack/<id>` is that
 * check; `autopack/checks` is every selected check but governance. Undefined for a name that is
 * not Autopack's.
 */
export function checkIdsOfRun(name: string, selected: readonly CheckId[]): CheckId[] | undefined {
  if (name === COMBINED_RUN) return selected.filter((id) => id !== 'governance');
  const id = name.startsWith('autopack/') ? name.slice('autopack/'.length) : undefined;
  return id && (selected as readonly string[]).includes(id) ? [id as CheckId] : undefined;
}

/** One Check Run ready to be written. */
export interface PlannedRun {
  name: string;
  conclusion: Conclusion;
  title: string;
  /** Markdown, redacted, within 65,535 characters. */
  summary: string;
  /** Already capped and ordered (errors first). */
  annotations: CheckAnnotation[];
  /** Annotations there would have been without the cap. */
  annotationsTotal: number;
  actions?: CheckRunAction[];
}

/** What a requested-action provider is told about the run being planned. */
export interface CheckRunActionContext {
  name: string;
  results: readonly CheckResult[];
  repo: RepoRef;
  headSha: string;
  pullNumber?: number;
}

/**
 * Adds requested-action buttons to a Check Run (e.g. governance's "Approve"). Registered with one
 * line in {@link checkRunActionProviders}; returns undefined to add nothing. GitHub shows at most
 * three actions per run.
 */
export type CheckRunActionProvider = (ctx: CheckRunActionContext) => CheckRunAction[] | undefined;

/** Providers of requested actions, consulted for every planned run. */
export const checkRunActionProviders: CheckRunActionProvider[] = [];

const CONCLUSION_RANK: Record<Conclusion, number> = {
  failure: 6,
  timed_out: 5,
  cancelled: 4,
  action_required: 3,
  neutral: 2,
  success: 1,
  skipped: 0,
};

/** The worse of the conclusions (`failure` > `timed_out` > `cancelled` > `action_required` > `neutral` > `success` > `skipped`). */
export function worstConclusion(conclusions: readonly Conclusion[]): Conclusion {
  let worst: Conclusion = 'success';
  let rank = -1;
  for (const c of conclusions) {
    if (CONCLUSION_RANK[c] > rank) {
      worst = c;
      rank = CONCLUSION_RANK[c];
    }
  }
  return rank < 0 ? 'success' : worst;
}

const LEVEL: Record<Finding['severity'], CheckAnnotation['annotation_level']> = {
  error: 'failure',
  warning: 'warning',
  notice: 'notice',
};
const SEVERITY_ORDER: Record<Finding['severity'], number> = { error: 0, warning: 1, notice: 2 };
const MAX_ANNOTATION_TEXT = 64 * 1024 - 16;

function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

/** The annotation of a finding that has a path (lines default to 1), redacted. */
export function annotationOf(f: Finding): CheckAnnotation | undefined {
  if (!f.path) return undefined;
  const start = Math.max(1, f.line ?? 1);
  const end = Math.max(start, f.endLine ?? start);
  const a: CheckAnnotation = {
    path: f.path,
    start_line: start,
    end_line: end,
    annotation_level: LEVEL[f.severity],
    message: clip(redact(f.help ? `${f.message}\n\n${f.help}` : f.message), MAX_ANNOTATION_TEXT),
    title: clip(redact(`${f.checkId}/${f.ruleId}`), 255),
  };
  if (start === end && f.column !== undefined && f.column >= 1) {
    a.start_column = f.column;
    a.end_column = Math.max(f.column, f.endColumn ?? f.column);
  }
  return a;
}

/** Annotations for findings, errors first, capped at `max`; also the uncapped total. */
export function annotationsOf(
  findings: readonly Finding[],
  max: number,
): { annotations: CheckAnnotation[]; total: number } {
  const ordered = [...findings].sort(
    (a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity],
  );
  const all: CheckAnnotation[] = [];
  for (const f of ordered) {
    const a = annotationOf(f);
    if (a) all.push(a);
  }
  return { annotations: all.slice(0, max), total: all.length };
}

function annotationNote(shown: number, total: number, max: number): string {
  if (total <= shown) return '';
  return `\n> [!NOTE]\n> ${shown} of ${total} annotations are shown on the diff (\`check-runs.max-annotations\`: ${max}); every finding is listed above, or run \`autopack check\` locally.\n`;
}

function counts(findings: readonly Finding[]): string {
  const c = { error: 0, warning: 0, notice: 0 };
  for (const f of findings) c[f.severity]++;
  const parts = (['error', 'warning', 'notice'] as const)
    .filter((k) => c[k])
    .map((k) => `${c[k]} ${k}${c[k] === 1 ? '' : 's'}`);
  return parts.join(', ');
}

/** A one-line title for one check's result. */
export function titleOf(r: CheckResult): string {
  if (r.headline) return clip(redact(r.headline), 255);
  const n = counts(r.findings);
  if (n) return clip(redact(n), 255);
  if (r.conclusion === 'action_required') return 'Action required';
  if (r.conclusion === 'success') return 'No findings';
  return clip(r.conclusion.replace('_', ' '), 255);
}

/** Options for {@link planResultRuns}. */
export interface PlanOptions {
  mode: RunMode;
  maxAnnotations: number;
  repo: RepoRef;
  headSha: string;
  pullNumber?: number;
  /** Extra Markdown appended to every summary (e.g. which base the policy came from). */
  footer?: string;
}

function withActions(
  run: PlannedRun,
  results: readonly CheckResult[],
  opts: PlanOptions,
): PlannedRun {
  const actions: CheckRunAction[] = [];
  for (const provide of checkRunActionProviders) {
    const more = provide({
      name: run.name,
      results,
      repo: opts.repo,
      headSha: opts.headSha,
      pullNumber: opts.pullNumber,
    });
    if (more) actions.push(...more);
  }
  return actions.length ? { ...run, actions: actions.slice(0, 3) } : run;
}

/** Plans the Check Runs of a report (every result in the report is published). */
export function planResultRuns(report: Report, opts: PlanOptions): PlannedRun[] {
  const footer = opts.footer ? `\n---\n${opts.footer}\n` : '';
  const runs: PlannedRun[] = [];
  const one = (name: string, r: CheckResult): PlannedRun => {
    const { annotations, total } = annotationsOf(r.findings, opts.maxAnnotations);
    const note = annotationNote(annotations.length, total, opts.maxAnnotations);
    const summary =
      formatCheckMarkdown(r, GITHUB_SUMMARY_LIMIT - note.length - footer.length) + note + footer;
    return withActions(
      {
        name,
        conclusion: r.conclusion,
        title: titleOf(r),
        summary,
        annotations,
        annotationsTotal: total,
      },
      [r],
      opts,
    );
  };
  if (opts.mode === 'per-check') {
    for (const r of report.results) runs.push(one(`autopack/${r.checkId}`, r));
    return runs;
  }
  const gov = report.results.find((r) => r.checkId === 'governance');
  if (gov) runs.push(one(GOVERNANCE_RUN, gov));
  const rest = report.results.filter((r) => r.checkId !== 'governance');
  if (rest.length) {
    const findings = rest.flatMap((r) => r.findings);
    const { annotations, total } = annotationsOf(findings, opts.maxAnnotations);
    const note = annotationNote(annotations.length, total, opts.maxAnnotations);
    const summary =
      formatMarkdown(
        { ...report, results: rest },
        GITHUB_SUMMARY_LIMIT - note.length - footer.length,
      ) +
      note +
      footer;
    const failing = rest.filter(
      (r) => r.conclusion !== 'success' && r.conclusion !== 'skipped' && r.conclusion !== 'neutral',
    );
    const n = counts(findings);
    const title = failing.length
      ? `${n || 'not passing'} (${failing.length} of ${rest.length} checks)`
      : n
        ? `${n} (${rest.length} checks passed)`
        : `All ${rest.length} checks passed`;
    runs.push(
      withActions(
        {
          name: COMBINED_RUN,
          conclusion: worstConclusion(rest.map((r) => r.conclusion)),
          title: clip(redact(title), 255),
          summary,
          annotations,
          annotationsTotal: total,
        },
        rest,
        opts,
      ),
    );
  }
  return runs;
}

/** The same failed outcome for every named run (invalid config, API error, timeout). */
export function planFailureRuns(
  names: readonly string[],
  failure: {
    conclusion: Conclusion;
    title: string;
    summary: string;
    annotations?: CheckAnnotation[];
  },
): PlannedRun[] {
  const summary = clip(redact(failure.summary), GITHUB_SUMMARY_LIMIT);
  const annotations = (failure.annotations ?? []).slice(0, ANNOTATIONS_PER_REQUEST);
  return names.map((name) => ({
    name,
    conclusion: failure.conclusion,
    title: clip(redact(failure.title), 255),
    summary,
    annotations,
    annotationsTotal: failure.annotations?.length ?? 0,
  }));
}

/** Where and how to write. */
export interface PublishOptions {
  client: GitHubClient;
  repo: RepoRef;
  headSha: string;
  /** Written to every run: routes a re-run back to its pull request or branch. */
  externalId: string;
  /** Runs of this App already on the head, by name (latest of each name). */
  existing: ReadonlyMap<string, ExistingCheckRun>;
  startedAt: Date;
  /** Asked before each run: true stops publishing (a newer head superseded this one). */
  shouldStop?: () => boolean;
  /** Log sink for write failures. */
  warn?: (msg: string) => void;
}

/** What {@link publishRuns} did. */
export interface PublishOutcome {
  written: Array<{ name: string; id: number; how: 'created' | 'updated' }>;
  /** Write requests made (creates + updates, including annotation batches and fallbacks). */
  writes: number;
  failed: Array<{ name: string; error: GitHubAPIError }>;
  /** Runs not written because a newer head superseded this evaluation. */
  stopped: string[];
}

/** True when an existing run can be updated in place without carrying stale annotations. */
export function canUpdateInPlace(run: ExistingCheckRun): boolean {
  return run.status !== 'completed' || run.annotationsCount === 0;
}

/**
 * Writes the planned runs, one after the other (the App's writes are paced by Probot's throttling
 * anyway). A run whose write fails is retried once without annotations and with the error in its
 * summary, so that it never stays missing or in progress when GitHub accepts anything at all.
 * Resolves with what was written; never rejects.
 */
export async function publishRuns(
  runs: readonly PlannedRun[],
  opts: PublishOptions,
): Promise<PublishOutcome> {
  const out: PublishOutcome = { written: [], writes: 0, failed: [], stopped: [] };
  for (const run of runs) {
    const prior = opts.existing.get(run.name);
    if (opts.shouldStop?.() && !(prior && prior.status !== 'completed')) {
      out.stopped.push(run.name);
      continue;
    }
    try {
      out.written.push(await writeRun(run, prior, opts, out));
    } catch (e) {
      const err = toGitHubAPIError(e);
      opts.warn?.(`writing Check Run ${run.name} failed: ${err.describe()}`);
      try {
        const fallback: PlannedRun = {
          ...run,
          annotations: [],
          summary: clip(
            `${run.summary}\n\n> [!WARNING]\n> GitHub refused this Check Run's annotations: ${redact(err.message)}\n`,
            GITHUB_SUMMARY_LIMIT,
          ),
        };
        out.written.push(await writeRun(fallback, prior, opts, out));
      } catch (e2) {
        out.failed.push({ name: run.name, error: toGitHubAPIError(e2) });
      }
    }
  }
  return out;
}

async function writeRun(
  run: PlannedRun,
  prior: ExistingCheckRun | undefined,
  opts: PublishOptions,
  out: PublishOutcome,
): Promise<{ name: string; id: number; how: 'created' | 'updated' }> {
  const batches: CheckAnnotation[][] = [];
  for (let i = 0; i < run.annotations.length; i += ANNOTATIONS_PER_REQUEST) {
    batches.push(run.annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  }
  const output = (annotations: CheckAnnotation[] | undefined) => ({
    title: run.title,
    summary: run.summary,
    ...(annotations && annotations.length ? { annotations } : {}),
  });
  const body: CheckRunBody = {
    status: 'completed',
    conclusion: run.conclusion,
    completed_at: new Date().toISOString(),
    external_id: opts.externalId,
    output: output(batches[0]),
    ...(run.actions ? { actions: run.actions } : {}),
  };
  let id: number;
  let how: 'created' | 'updated';
  if (prior && canUpdateInPlace(prior)) {
    out.writes++;
    await updateCheckRun(opts.client, opts.repo, prior.id, body);
    id = prior.id;
    how = 'updated';
  } else {
    out.writes++;
    ({ id } = await createCheckRun(opts.client, opts.repo, {
      name: run.name,
      head_sha: opts.headSha,
      started_at: opts.startedAt.toISOString(),
      ...body,
    }));
    how = 'created';
  }
  try {
    for (const batch of batches.slice(1)) {
      out.writes++;
      await updateCheckRun(opts.client, opts.repo, id, { output: output(batch) });
    }
  } catch (e) {
    // The run exists with its conclusion; only some annotations are missing. Say so on the run.
    const err = toGitHubAPIError(e);
    opts.warn?.(`adding annotations to Check Run ${run.name} failed: ${err.describe()}`);
    try {
      out.writes++;
      await updateCheckRun(opts.client, opts.repo, id, {
        output: {
          title: run.title,
          summary: clip(
            `${run.summary}\n\n> [!WARNING]\n> Some annotations could not be added: ${redact(err.message)}\n`,
            GITHUB_SUMMARY_LIMIT,
          ),
        },
      });
    } catch {
      // The conclusion is written; the note is best effort.
    }
  }
  return { name: run.name, id, how };
}

/**
 * Opens `in_progress` runs for a slow evaluation (names without an open run of this App on the
 * head get one). Resolves the runs now open, by name, for the final write to update; a failure is
 * logged and skipped (the final write then creates the run).
 */
export async function openInProgressRuns(
  names: readonly string[],
  opts: Omit<PublishOptions, 'shouldStop'>,
): Promise<{ open: Map<string, ExistingCheckRun>; writes: number }> {
  const open = new Map<string, ExistingCheckRun>();
  let writes = 0;
  for (const name of names) {
    const prior = opts.existing.get(name);
    if (prior && prior.status !== 'completed') {
      open.set(name, prior);
      continue;
    }
    try {
      writes++;
      const { id } = await createCheckRun(opts.client, opts.repo, {
        name,
        head_sha: opts.headSha,
        status: 'in_progress',
        started_at: opts.startedAt.toISOString(),
        external_id: opts.externalId,
        output: {
          title: 'Evaluating…',
          summary: 'Autopack is evaluating this commit; the result replaces this text.',
        },
      });
      open.set(name, {
        id,
        name,
        headSha: opts.headSha,
        status: 'in_progress',
        conclusion: null,
        externalId: opts.externalId,
        annotationsCount: 0,
      });
    } catch (e) {
      opts.warn?.(
        `opening in-progress Check Run ${name} failed: ${toGitHubAPIError(e).describe()}`,
      );
    }
  }
  return { open, writes };
}
