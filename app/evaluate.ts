/**
 * One evaluation: from a queued request to published Check Runs.
 *
 * 1. Resolve the target (a pull request known only by number is read, conditionally).
 * 2. In parallel: the policy from the BASE commit (app/config.ts) and this App's Check Runs
 *    already on the head (`GET commits/{sha}/check-runs?app_id=`, conditional).
 * 3. Unless forced, stop when every run this evaluation would write already exists, completed,
 *    for the same base (a redelivered or duplicate webhook writes nothing).
 * 4. The head tree and the change set (in parallel), input providers (app/providers.ts), then
 *    the engine (checks/runner.ts).
 * 5. Publish (app/publish.ts), unless a newer head for the same key is waiting.
 *
 * Fail closed: an invalid config fails every run with the error and its line; a GitHub API error
 * (including one met while reading a file) or a timeout fails every run with what happened and
 * how to re-run; nothing unknown turns green. An `in_progress` run is opened only when the
 * evaluation is still running after `inProgressAfterMs`.
 */
import { LRUCache } from 'lru-cache';
import type { Logger } from 'probot';
import type { Check, CheckId, CheckInputs, Conclusion, Report } from '../checks/model.js';
import { redact } from '../checks/redact.js';
import { CHECKS } from '../checks/registry.js';
import { runChecks, selectChecks } from '../checks/runner.js';
import { ConfigError, formatProblem } from '../policies/errors.js';
import { CONFIG_PATH, type ResolvedConfig } from '../policies/types.js';
import {
  listCheckRunsForRef,
  type CheckAnnotation,
  type ExistingCheckRun,
} from '../github/check-runs.js';
import type { GitHubClient, RepoRef } from '../github/client.js';
import { compareCommits } from '../github/compare.js';
import { GitHubAPIError, isGitHubError, toGitHubAPIError } from '../github/errors.js';
import { getPullRequest } from '../github/pulls.js';
import type { ArchiveReader } from './archive-reader.js';
import type { AppCaches } from './caches.js';
import { loadChangeSet, type ChangeSource } from './changes.js';
import { lenientRunSettings, loadBaseConfig } from './config.js';
import { externalIdOf, keyOf, type EvaluationRequest, type EvaluationTarget } from './events.js';
import { readTextAtCommit } from './files.js';
import { inputProviders, type EarlyContext, type EvaluationContext } from './providers.js';
import {
  checkIdsOfRun,
  maxAnnotationsOf,
  openInProgressRuns,
  planFailureRuns,
  planResultRuns,
  publishRuns,
  runModeOf,
  runNamesFor,
  type PlannedRun,
  type PublishOutcome,
} from './publish.js';
import type { JobControl } from './scheduler.js';
import {
  ArchivePrefetch,
  DEFAULT_ARCHIVE_POLICY,
  DEFAULT_MAX_READ_BYTES,
  loadGitHubSnapshot,
  loadTree,
} from './snapshot.js';

/** An installation client: a GitHubClient, with Octokit's hooks when available (request counting). */
export type InstallationClient = GitHubClient & {
  hook?: {
    after(
      name: 'request',
      fn: (res: unknown, options: { method?: string; url?: string }) => void,
    ): void;
    error(
      name: 'request',
      fn: (err: unknown, options: { method?: string; url?: string }) => unknown,
    ): void;
  };
};

/** How an evaluation ended. */
export type EvaluationOutcome =
  | 'published'
  | 'skipped-existing'
  | 'skipped-duplicate'
  | 'superseded'
  | 'closed'
  | 'config-error'
  | 'api-error'
  | 'timeout'
  | 'nothing-to-publish';

/** What one evaluation did (logged; handed to `onEvaluated` for tests and the benchmark). */
export interface EvaluationRecord {
  key: string;
  target: EvaluationTarget;
  reasons: string[];
  deliveries: string[];
  outcome: EvaluationOutcome;
  /** Check Runs and their conclusions, as written. */
  runs: Array<{ name: string; conclusion: Conclusion }>;
  reads: number;
  /** Reads GitHub answered 304 Not Modified (not charged to the rate limit). */
  notModified: number;
  writes: number;
  changeSource?: ChangeSource;
  /** When the evaluation started (ms since the epoch). */
  startedAt?: number;
  /** Start of the evaluation to results ready, writes excluded (ms). */
  evaluationMs?: number;
  /** Newest webhook received to results ready (ms). */
  sinceWebhookMs?: number;
  /** Oldest coalesced webhook received to results ready (ms). */
  sinceFirstWebhookMs?: number;
  /** Time spent writing Check Runs (ms), paced by Probot's throttling. */
  publishMs?: number;
  /** Files the head's archive seeded into the blob cache, when a cold head used one. */
  archiveSeeded?: number;
  /** The archive's download and read times (ms), when one was used. */
  archiveMs?: { download: number; read: number };
  /** Time inside the engine (`runChecks`, ms): checks' CPU plus the content reads they wait for. */
  engineMs?: number;
  /**
   * Where the evaluation's time went, phase by phase (ms, consecutive): `policy` (policy and
   * existing runs), `tree`, `change` (comparison and change set), `snapshot`, `inputs` (e.g.
   * governance's pull request and comments), `engine`.
   */
  phaseMs?: Record<string, number>;
  /** Each check's own duration (ms; checks run concurrently, so these overlap). */
  checkMs?: Record<string, number>;
  error?: string;
}

/** Options of an {@link Evaluator}. */
export interface EvaluatorOptions {
  /** The App id: the Check Run lookup is filtered to this App's runs. */
  appId: number;
  caches: AppCaches;
  /** Installation-authenticated client for an installation id. */
  auth(installationId: number): Promise<InstallationClient>;
  log: Logger;
  /** The checks to draw from (default: the registry). */
  checks?: readonly Check[];
  /** Open `in_progress` runs when the evaluation takes longer than this (ms, default 10,000). */
  inProgressAfterMs?: number;
  /** Give up on an evaluation after this long (ms, default 120,000): every run ends `timed_out`. */
  timeoutMs?: number;
  /** Where cold heads' archives are read (default: the main thread). */
  archiveReader?: ArchiveReader;
  onEvaluated?(record: EvaluationRecord): void;
}

function comparisonKey(repo: RepoRef, base: string, head: string): string {
  return `${repo.owner}/${repo.repo}@${base}...${head}`;
}

class DeadlineError extends Error {
  constructor(ms: number) {
    super(`the evaluation did not finish within ${Math.round(ms / 1000)} s`);
    this.name = 'DeadlineError';
  }
}

/** Runs evaluations (see the module comment). One per process, shared by every installation. */
export class Evaluator {
  private readonly checks: readonly Check[];
  /** Last published state per key (`head|base|scope`): a duplicate passive event is dropped for free. */
  private readonly published = new LRUCache<string, string>({ max: 20_000 });

  constructor(private readonly opts: EvaluatorOptions) {
    this.checks = opts.checks ?? CHECKS;
  }

  /** Evaluates one request; never rejects (failures are published as failed Check Runs and logged). */
  async run(
    req: EvaluationRequest,
    control: JobControl = { superseded: () => false, release: () => undefined },
  ): Promise<EvaluationRecord> {
    const record: EvaluationRecord = {
      key: keyOf(req.target),
      target: req.target,
      reasons: req.reasons,
      deliveries: req.deliveries,
      outcome: 'published',
      runs: [],
      reads: 0,
      notModified: 0,
      writes: 0,
    };
    const started = Date.now();
    record.startedAt = started;
    try {
      await this.evaluate(req, control, record, started);
    } catch (e) {
      record.outcome = 'api-error';
      record.error = redact((e as Error).message);
      this.opts.log.error(
        { key: record.key, err: redact((e as Error).stack ?? String(e)) },
        'autopack: evaluation failed',
      );
    }
    this.opts.log.info(
      {
        autopack: 'evaluated',
        key: record.key,
        head: record.target.headSha,
        outcome: record.outcome,
        reasons: record.reasons,
        reads: record.reads,
        notModified: record.notModified,
        writes: record.writes,
        startedAt: record.startedAt,
        evaluationMs: record.evaluationMs,
        sinceWebhookMs: record.sinceWebhookMs,
        sinceFirstWebhookMs: record.sinceFirstWebhookMs,
        publishMs: record.publishMs,
        archiveSeeded: record.archiveSeeded,
        archiveMs: record.archiveMs,
        engineMs: record.engineMs,
        phaseMs: record.phaseMs,
        checkMs: record.checkMs,
        runs: record.runs,
      },
      `autopack: ${record.key} ${record.target.headSha?.slice(0, 7) ?? ''} ${record.outcome}`,
    );
    this.opts.onEvaluated?.(record);
    return record;
  }

  private stampOf(t: EvaluationTarget, req: EvaluationRequest): string {
    const scope = [...(req.only ?? []), ...(req.onlyRuns ?? [])].sort().join(',');
    return `${t.headSha}|${t.baseSha ?? ''}|${scope}`;
  }

  private async evaluate(
    req: EvaluationRequest,
    control: JobControl,
    record: EvaluationRecord,
    started: number,
  ) {
    const { caches, log } = this.opts;
    let target = req.target;
    if (
      !req.force &&
      target.headSha &&
      this.published.get(record.key) === this.stampOf(target, req)
    ) {
      record.outcome = 'skipped-duplicate';
      return;
    }
    const client = await this.opts.auth(target.installationId);
    countRequests(client, record);
    const repo = target.repo;

    if (target.kind === 'pull_request' && (!target.headSha || !target.baseSha || !target.baseRef)) {
      const pr = await getPullRequest(client, repo, target.pullNumber!, caches.etags);
      if (pr.state !== 'open') {
        record.outcome = 'closed';
        return;
      }
      target = {
        ...target,
        headSha: pr.headSha,
        baseRef: pr.baseRef,
        baseSha: pr.baseSha,
        changedFiles: pr.changedFiles,
        updatedAt: pr.updatedAt,
      };
      record.target = target;
    }
    const headSha = target.headSha!;
    const externalId = externalIdOf(target);
    const policySha = target.baseSha ?? headSha;
    const startedAt = new Date(started);
    const timeoutMs = this.opts.timeoutMs ?? 120_000;
    const deadline = started + timeoutMs;
    const remaining = () => Math.max(1, deadline - Date.now());

    // Phase A: policy and existing runs.
    const [configResult, existingResult] = await Promise.allSettled([
      withDeadline(loadBaseConfig(client, repo, policySha, caches, this.checks), remaining()),
      withDeadline(
        listCheckRunsForRef(client, repo, headSha, { appId: this.opts.appId, store: caches.etags }),
        remaining(),
      ),
    ]);
    const existing = new Map<string, ExistingCheckRun>();
    if (existingResult.status === 'fulfilled') {
      for (const r of existingResult.value.runs) if (!existing.has(r.name)) existing.set(r.name, r);
    }
    const publish = async (
      runs: PlannedRun[],
      outcome: EvaluationOutcome,
      open?: Map<string, ExistingCheckRun>,
    ) => {
      const t0 = Date.now();
      // Results are ready: only writes remain, paced per installation by Probot's throttling.
      // Let another evaluation use the CPU meanwhile: another key, or a newer head of this one
      // (a redelivery of this head waits for these writes, so that it finds them).
      control.release();
      record.evaluationMs ??= t0 - started;
      record.sinceWebhookMs ??= t0 - req.receivedAt;
      record.sinceFirstWebhookMs ??= t0 - req.firstReceivedAt;
      const res = await publishRuns(runs, {
        client,
        repo,
        headSha,
        externalId,
        existing: new Map([...existing, ...(open ?? [])]),
        startedAt,
        shouldStop: outcome === 'published' ? () => control.superseded() : undefined,
        warn: (m) => log.warn({ key: record.key }, redact(m)),
      });
      record.publishMs = Date.now() - t0;
      this.noteWritten(record, runs, res, outcome);
      if (res.failed.length === 0 && res.stopped.length === 0)
        this.published.set(record.key, this.stampOf(target, req));
    };

    if (configResult.status === 'rejected') {
      const e = configResult.reason as unknown;
      if (e instanceof ConfigError) {
        const raw = await readTextAtCommit(client, repo, policySha, CONFIG_PATH, caches).catch(
          () => undefined,
        );
        const names = this.fallbackNames(raw, req);
        if (!req.force && allPublished(names, existing, externalId)) {
          record.outcome = 'skipped-existing';
          return;
        }
        await publish(planFailureRuns(names, configFailure(e, target, policySha)), 'config-error');
        return;
      }
      await publish(
        planFailureRuns(
          this.fallbackNames(undefined, req),
          e instanceof DeadlineError ? timeoutFailure(e, headSha) : apiFailure(e, headSha),
        ),
        e instanceof DeadlineError ? 'timeout' : 'api-error',
      );
      return;
    }
    const config = configResult.value;
    record.phaseMs = { policy: Date.now() - started };
    const mode = runModeOf(config);
    const selectedIds = this.selectedIds(config, req);
    const names = runNamesFor(mode, selectedIds);
    if (existingResult.status === 'rejected') {
      // Without the lookup a run may be written twice; a duplicate FAILED run is still better than
      // a missing one (it can only make the head fail, never pass).
      const e = existingResult.reason as unknown;
      await publish(
        planFailureRuns(
          names,
          e instanceof DeadlineError ? timeoutFailure(e, headSha) : apiFailure(e, headSha),
        ),
        e instanceof DeadlineError ? 'timeout' : 'api-error',
      );
      return;
    }
    if (names.length === 0) {
      record.outcome = 'nothing-to-publish';
      return;
    }
    if (!req.force && allPublished(names, existing, externalId)) {
      record.outcome = 'skipped-existing';
      this.published.set(record.key, this.stampOf(target, req));
      return;
    }
    if (control.superseded()) {
      record.outcome = 'superseded';
      return;
    }

    // Slow evaluations get in_progress runs, so that users see something is happening.
    let opening: Promise<Map<string, ExistingCheckRun>> | undefined;
    let done = false;
    const inProgressAfter = this.opts.inProgressAfterMs ?? 10_000;
    const timer = setTimeout(
      () => {
        if (done) return;
        opening = openInProgressRuns(names, {
          client,
          repo,
          headSha,
          externalId,
          existing,
          startedAt,
          warn: (m) => log.warn({ key: record.key }, redact(m)),
        }).then((r) => r.open);
      },
      Math.max(0, inProgressAfter - (Date.now() - started)),
    );
    timer.unref?.();

    type Computed =
      | { kind: 'report'; report: Report; apiErrors: GitHubAPIError[] }
      | { kind: 'superseded' }
      | { kind: 'failed'; outcome: EvaluationOutcome; runs: PlannedRun[] };
    let computed: Computed;
    try {
      const r = await withDeadline(
        this.compute(client, repo, target, config, selectedIds, control, record),
        remaining(),
      );
      computed = r === 'superseded' ? { kind: 'superseded' } : { kind: 'report', ...r };
    } catch (e) {
      computed = {
        kind: 'failed',
        outcome: e instanceof DeadlineError ? 'timeout' : 'api-error',
        runs: planFailureRuns(
          names,
          e instanceof DeadlineError ? timeoutFailure(e, headSha) : apiFailure(e, headSha),
        ),
      };
    }
    done = true;
    clearTimeout(timer);
    const open = opening ? await opening : undefined;
    if (
      computed.kind === 'superseded' ||
      (computed.kind === 'report' && control.superseded() && !open)
    ) {
      if (!open) {
        record.outcome = 'superseded';
        record.evaluationMs = Date.now() - started;
        return;
      }
      // In-progress runs are open for this head: close them, nothing may stay in progress.
      await publish(
        planFailureRuns(names, {
          conclusion: 'cancelled',
          title: 'Superseded by a newer commit',
          summary: `A newer commit arrived while \`${headSha.slice(0, 7)}\` was being evaluated; Autopack evaluates the newest head instead.`,
        }),
        'superseded',
        open,
      );
      return;
    }
    if (computed.kind === 'failed') {
      await publish(computed.runs, computed.outcome, open);
      return;
    }
    const { report, apiErrors } = computed;
    if (apiErrors.length) {
      await publish(
        planFailureRuns(names, apiFailure(apiErrors[0], headSha, apiErrors.length)),
        'api-error',
        open,
      );
      return;
    }
    const runs = planResultRuns(report, {
      mode,
      maxAnnotations: maxAnnotationsOf(config),
      repo,
      headSha,
      pullNumber: target.pullNumber,
      footer: footerOf(target, policySha, config, record.changeSource),
    });
    await publish(runs, 'published', open);
  }

  /** The comparison `base...head`, through the comparison cache. Rejects with GitHubAPIError. */
  private compare(client: GitHubClient, repo: RepoRef, base: string, head: string) {
    return this.opts.caches.comparisons.getOrLoad(comparisonKey(repo, base, head), () =>
      compareCommits(client, repo, base, head),
    );
  }

  /** Loads the snapshot, gathers inputs and runs the engine. */
  private async compute(
    client: GitHubClient,
    repo: RepoRef,
    target: EvaluationTarget,
    config: ResolvedConfig,
    selectedIds: CheckId[],
    control: JobControl,
    record: EvaluationRecord,
  ): Promise<{ report: Report; apiErrors: GitHubAPIError[] } | 'superseded'> {
    const { caches } = this.opts;
    const headSha = target.headSha!;
    const maxReadBytes =
      (config.values.limits as { 'max-read-bytes'?: number } | undefined)?.['max-read-bytes'] ??
      DEFAULT_MAX_READ_BYTES;
    const apiErrors: GitHubAPIError[] = [];
    // The comparison does not need the tree: start both at once.
    const comparing = target.baseSha
      ? this.compare(client, repo, target.baseSha, headSha)
      : undefined;
    comparing?.catch(() => undefined);
    let mark = Date.now();
    const phase = (name: string) => {
      const now = Date.now();
      (record.phaseMs ??= {})[name] = now - mark;
      mark = now;
    };
    // Inputs that need only the policy (governance's pull request and comments) are read while
    // the tree is.
    const early: EarlyContext = {
      client,
      repo,
      pullNumber: target.pullNumber,
      headSha,
      baseSha: target.baseSha,
      config,
      checks: selectedIds,
      kind: target.kind,
    };
    const providers = inputProviders.map((p) => (p.start ? p.start(early) : p));
    const headFiles = await loadTree(client, repo, headSha, caches);
    phase('tree');
    if (control.superseded()) return 'superseded';
    // A failed comparison is not retried by loadChangeSet (it would ask twice): its error stands.
    if (comparing) await comparing;
    const prefetch = new ArchivePrefetch(
      client,
      repo,
      headSha,
      headFiles,
      caches,
      maxReadBytes,
      DEFAULT_ARCHIVE_POLICY,
      this.opts.archiveReader,
    );
    // Checks that will read nearly every file: a cold head's archive downloads while the rest
    // of the evaluation's inputs are gathered.
    if (this.checks.some((c) => selectedIds.includes(c.id) && c.bulkReads?.(config.values[c.id])))
      prefetch.warm();
    let change;
    if (target.baseSha) {
      const loaded = await loadChangeSet({
        client,
        repo,
        caches,
        baseRef: target.baseRef ?? '',
        baseSha: target.baseSha,
        headSha,
        pullNumber: target.kind === 'pull_request' ? target.pullNumber : undefined,
        changedFilesHint: target.changedFiles,
        headFiles,
        maxReadBytes,
        apiErrors,
        prefetch,
      });
      change = loaded.change;
      record.changeSource = loaded.source;
    }
    phase('change');
    const snapshot = await loadGitHubSnapshot({
      client,
      repo,
      headSha,
      caches,
      maxReadBytes,
      change,
      apiErrors,
      files: headFiles,
      prefetch,
    });
    const ctx: EvaluationContext = { ...early, snapshot };
    phase('snapshot');
    const provided = await Promise.all(providers.map((p) => p(ctx)));
    phase('inputs');
    const inputs: CheckInputs = Object.assign({}, ...provided);
    if (control.superseded()) return 'superseded';
    const engineStarted = Date.now();
    const report = await runChecks({
      snapshot,
      config,
      only: selectedIds,
      inputs,
      checks: this.checks,
      logger: {
        debug: (m) => this.opts.log.debug(redact(m)),
        info: (m) => this.opts.log.info(redact(m)),
        warn: (m) => this.opts.log.warn(redact(m)),
        error: (m) => this.opts.log.error(redact(m)),
      },
    });
    record.engineMs = Date.now() - engineStarted;
    phase('engine');
    record.checkMs = Object.fromEntries(
      report.results.map((r) => [r.checkId, Math.round(r.durationMs)]),
    );
    if (prefetch.stats.used) {
      record.archiveSeeded = prefetch.stats.seeded;
      record.archiveMs = { download: prefetch.stats.downloadMs, read: prefetch.stats.readMs };
    }
    return { report, apiErrors };
  }

  /** The enabled checks this request covers, in registry order. */
  private selectedIds(config: ResolvedConfig, req: EvaluationRequest): CheckId[] {
    const enabled = selectChecks(config, undefined, this.checks).map((c) => c.id);
    if (!req.only && !req.onlyRuns) return enabled;
    const wanted = new Set<CheckId>(req.only ?? []);
    for (const name of req.onlyRuns ?? [])
      for (const id of checkIdsOfRun(name, enabled) ?? []) wanted.add(id);
    return enabled.filter((id) => wanted.has(id));
  }

  /** Run names when the config cannot be used: its lenient reading, else one per known check. */
  private fallbackNames(raw: string | undefined, req: EvaluationRequest): string[] {
    const { combined, disabled } = lenientRunSettings(raw);
    let ids = this.checks.map((c) => c.id).filter((id) => !disabled.has(id));
    if (req.only || req.onlyRuns) {
      const wanted = new Set<string>(req.only ?? []);
      for (const name of req.onlyRuns ?? [])
        for (const id of checkIdsOfRun(name, ids) ?? []) wanted.add(id);
      ids = ids.filter((id) => wanted.has(id));
    }
    return runNamesFor(combined ? 'combined' : 'per-check', ids);
  }

  private noteWritten(
    record: EvaluationRecord,
    runs: PlannedRun[],
    res: PublishOutcome,
    outcome: EvaluationOutcome,
  ) {
    record.outcome = outcome;
    const byName = new Map(runs.map((r) => [r.name, r]));
    for (const w of res.written) {
      const r = byName.get(w.name);
      if (r) record.runs.push({ name: w.name, conclusion: r.conclusion });
    }
    if (res.stopped.length && outcome === 'published' && res.written.length === 0)
      record.outcome = 'superseded';
    if (res.failed.length) {
      record.error = res.failed.map((f) => `${f.name}: ${f.error.describe()}`).join('; ');
      this.opts.log.error(
        { key: record.key, failed: res.failed.map((f) => f.name) },
        redact(`autopack: Check Runs not written: ${record.error}`),
      );
    }
  }
}

/** True when every named run exists on the head, completed, written for the same target and base. */
function allPublished(
  names: readonly string[],
  existing: ReadonlyMap<string, ExistingCheckRun>,
  externalId: string,
): boolean {
  return names.every((n) => {
    const r = existing.get(n);
    return r !== undefined && r.status === 'completed' && r.externalId === externalId;
  });
}

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new DeadlineError(ms)), ms);
    t.unref?.();
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** Counts this evaluation's requests (reads, writes, 304s) with Octokit's request hooks. */
function countRequests(client: InstallationClient, record: EvaluationRecord): void {
  if (!client.hook) return;
  const isAuth = (options: { url?: string }) => /\/access_tokens$/.test(options.url ?? '');
  client.hook.after('request', (_res, options) => {
    if (isAuth(options)) return;
    if ((options.method ?? 'GET').toUpperCase() === 'GET') record.reads++;
    else record.writes++;
  });
  client.hook.error('request', (err, options) => {
    if (isAuth(options)) throw err;
    const status = (err as { status?: number }).status;
    if ((options.method ?? 'GET').toUpperCase() === 'GET') {
      record.reads++;
      if (status === 304) record.notModified++;
    } else record.writes++;
    throw err;
  });
}

function timeoutFailure(
  e: DeadlineError,
  headSha: string,
): { conclusion: Conclusion; title: string; summary: string } {
  return {
    conclusion: 'timed_out',
    title: 'Evaluation timed out',
    summary: `### ⏱️ Autopack could not finish evaluating \`${headSha.slice(0, 7)}\`\n\n${e.message}. Nothing was judged, so this Check Run fails closed. **Re-run** it from the Checks tab, or push again.`,
  };
}

function apiFailure(
  e: unknown,
  headSha: string,
  count = 1,
): { conclusion: Conclusion; title: string; summary: string } {
  if (!isGitHubError(e)) {
    const err = e as Error;
    return {
      conclusion: 'failure',
      title: 'Autopack failed: nothing was judged',
      summary:
        `### ❌ Autopack could not evaluate \`${headSha.slice(0, 7)}\`\n\n${redact(err?.message ?? String(e))}\n\n` +
        'This is a bug in Autopack or an input it cannot read; nothing was judged, so this Check Run fails closed. ' +
        '**Re-run** it from the Checks tab; if it fails again, report it with this text.',
    };
  }
  const err = e instanceof GitHubAPIError ? e : toGitHubAPIError(e);
  const more = count > 1 ? ` (and ${count - 1} more failed request${count > 2 ? 's' : ''})` : '';
  return {
    conclusion: 'failure',
    title:
      err.kind === 'timeout'
        ? 'GitHub did not answer in time'
        : 'GitHub API error: nothing was judged',
    summary:
      `### ❌ Autopack could not evaluate \`${headSha.slice(0, 7)}\`\n\n${err.describe()}${more}\n\n` +
      'Nothing was judged, so this Check Run fails closed. **Re-run** it from the Checks tab (or push again) once GitHub answers.',
  };
}

function configFailure(
  e: ConfigError,
  target: EvaluationTarget,
  policySha: string,
): { conclusion: Conclusion; title: string; summary: string; annotations: CheckAnnotation[] } {
  const first = e.problems[0];
  const where = first?.position ? `${first.position.file}:${first.position.line}` : CONFIG_PATH;
  const rows = e.problems.map((p) => {
    const at = p.position ? `\`${p.position.file}:${p.position.line}:${p.position.column}\`` : '—';
    return `| ${at} | ${p.key ? `\`${p.key}\`` : '—'} | ${redact(p.message).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')} |`;
  });
  const annotations: CheckAnnotation[] = [];
  for (const p of e.problems) {
    if (!p.position || p.position.file.startsWith('autopack:')) continue;
    annotations.push({
      path: p.position.file,
      start_line: Math.max(1, p.position.line),
      end_line: Math.max(1, p.position.line),
      annotation_level: 'failure',
      title: 'autopack/config',
      message: redact(formatProblem(p)),
    });
  }
  const branch = target.baseRef ?? 'the base branch';
  return {
    conclusion: 'failure',
    title: `Invalid configuration: ${where}`,
    annotations,
    summary: [
      `### ❌ The Autopack policy does not validate`,
      '',
      `\`${CONFIG_PATH}\` on \`${branch}\` (commit \`${policySha.slice(0, 7)}\`) could not be used, so every Autopack check fails until it is fixed.`,
      '',
      '| Where | Key | Problem |',
      '|---|---|---|',
      ...rows,
      '',
      `The policy is read from the base branch, never from the pull request: a pull request cannot loosen the policy that judges it. Fix the file on \`${branch}\` (run \`autopack config validate\` locally to check the fix).`,
    ].join('\n'),
  };
}

function footerOf(
  target: EvaluationTarget,
  policySha: string,
  config: ResolvedConfig,
  source?: ChangeSource,
): string {
  const layers = config.layers.join(' → ');
  const what =
    target.kind === 'pull_request'
      ? `pull request #${target.pullNumber}`
      : target.kind === 'merge_group'
        ? `merge group \`${target.headRef ?? ''}\``
        : `branch \`${target.baseRef}\``;
  const change = source
    ? ` · changes from ${source === 'compare' ? 'the compare API' : source === 'pull-files' ? 'the pull request files API' : 'a tree diff'}`
    : '';
  return `<sub>${what} · head \`${target.headSha?.slice(0, 7)}\` · policy ${layers} at \`${policySha.slice(0, 7)}\`${change}</sub>`;
}
