/**
 * The Probot app: routes webhooks to the coalescing queue and the evaluator, and hosts
 * governance (`registerGovernance(app, deps)`, app/governance.ts). It holds no state that GitHub
 * does not hold too: the queue and caches are an optimisation, lost on restart without loss.
 *
 * Events (see app/events.ts for the exact rules): `pull_request`, `check_suite`,
 * `check_run.rerequested`, `push`, `merge_group`, `installation`, `installation_repositories`.
 * `check_run.requested_action` and the comment events belong to governance.
 */
import type { ApplicationFunction, Probot } from 'probot';
import type { Check } from '../checks/model.js';
import { redact } from '../checks/redact.js';
import { CHECKS } from '../checks/registry.js';
import { listCheckRunsInSuite } from '../github/check-runs.js';
import type { GitHubClient } from '../github/client.js';
import { toGitHubAPIError } from '../github/errors.js';
import { createCaches, type AppCaches } from './caches.js';
import { resolveConfig } from '../policies/load.js';
import { loadBaseConfig } from './config.js';
import type { AppDeps, ReevaluationRequest } from './deps.js';
import { Evaluator, type EvaluationRecord, type InstallationClient } from './evaluate.js';
import {
  isStaleRequest,
  keyOf,
  mergeRequests,
  parseExternalId,
  routeEvent,
  supersedes,
  type EvaluationRequest,
  type EvaluationTarget,
  type SuiteLookup,
} from './events.js';
import type { ArchiveReader } from './archive-reader.js';
import { registerGovernance } from './governance.js';
import { AppAuthProbe } from './health.js';
import { CoalescingScheduler } from './scheduler.js';

/** Tuning and seams of the App; every field has a production default. */
export interface AutopackAppOptions {
  /** The GitHub App id (`APP_ID`): Check Runs are looked up by it. */
  appId: number;
  /** Process-wide caches (default: a fresh set with the default bounds). */
  caches?: AppCaches;
  /** The checks to run (default: the registry). */
  checks?: readonly Check[];
  /** Evaluations at once (default 2). */
  concurrency?: number;
  /** Wait this long for more events of the same pull request before starting (ms, default 0). */
  debounceMs?: number;
  /** Open `in_progress` runs after this long (ms, default 10,000). */
  inProgressAfterMs?: number;
  /** Give up on an evaluation after this long (ms, default 120,000). */
  timeoutMs?: number;
  /** Where cold heads' archives are read (default: the main thread; the server uses a worker). */
  archiveReader?: ArchiveReader;
  /** Readiness / identity probe (default: one asking `GET /app` through Probot's JWT client). */
  probe?: AppAuthProbe;
  /** Told about every finished evaluation (tests, benchmark). */
  onEvaluated?(record: EvaluationRecord): void;
}

/** The running App's handles (for the server, tests and governance). */
export interface AutopackApp {
  deps: AppDeps;
  scheduler: CoalescingScheduler<EvaluationRequest>;
  evaluator: Evaluator;
  probe: AppAuthProbe;
}

/** The events this App subscribes to (and that app.yml must list). */
export const EVALUATION_EVENTS = [
  'pull_request',
  'check_suite',
  'check_run.rerequested',
  'push',
  'merge_group',
  'installation',
  'installation_repositories',
] as const;

/** Wires the App into a Probot instance. Returns its handles. */
export function setupAutopack(app: Probot, options: AutopackAppOptions): AutopackApp {
  const log = app.log.child({ name: 'autopack' });
  const caches = options.caches ?? createCaches();
  const checks = options.checks ?? CHECKS;
  const auth = async (installationId: number) =>
    (await app.auth(installationId)) as unknown as InstallationClient;
  const probe =
    options.probe ??
    new AppAuthProbe({ appClient: async () => (await app.auth()) as unknown as GitHubClient });
  const evaluator = new Evaluator({
    appId: options.appId,
    caches,
    auth,
    log,
    checks,
    inProgressAfterMs: options.inProgressAfterMs,
    timeoutMs: options.timeoutMs,
    archiveReader: options.archiveReader,
    onEvaluated: options.onEvaluated,
  });
  const scheduler = new CoalescingScheduler<EvaluationRequest>({
    concurrency: options.concurrency ?? 2,
    debounceMs: options.debounceMs ?? 0,
    run: async (job, control) => {
      await evaluator.run(job, control);
    },
    merge: mergeRequests,
    isSuperseded: supersedes,
    isStale: isStaleRequest,
    onError: (e, job) =>
      log.error(
        { key: keyOf(job.target), err: redact(String((e as Error).stack ?? e)) },
        'autopack: evaluation crashed',
      ),
  });

  const submit = (req: EvaluationRequest) => {
    const key = keyOf(req.target);
    const how = scheduler.submit(key, req);
    log.debug(
      { key, how, reasons: req.reasons, delivery: req.deliveries.at(-1) },
      `autopack: ${how} ${key}`,
    );
  };

  const deps: AppDeps = {
    appId: options.appId,
    log,
    caches,
    requestEvaluation: (r: ReevaluationRequest) => {
      const now = Date.now();
      const known = r.headSha && r.baseRef && r.baseSha;
      submit({
        target: {
          kind: 'pull_request',
          installationId: r.installationId,
          repo: r.repo,
          pullNumber: r.pullNumber,
          ...(known ? { headSha: r.headSha, baseRef: r.baseRef, baseSha: r.baseSha } : {}),
        },
        force: true,
        ...(r.only ? { only: r.only } : {}),
        reasons: [r.reason],
        deliveries: r.delivery ? [r.delivery] : [],
        firstReceivedAt: now,
        receivedAt: now,
      });
    },
    loadConfig: (client, repo, baseSha) => loadBaseConfig(client, repo, baseSha, caches, checks),
    appIdentity: () => probe.identity(),
    idle: () => scheduler.onIdle(),
  };

  app.on([...EVALUATION_EVENTS], async (context) => {
    const receivedAt = Date.now();
    const routed = routeEvent(context.name, context.payload, context.id, receivedAt);
    switch (routed.kind) {
      case 'evaluate':
        for (const req of routed.requests) submit(req);
        return;
      case 'cancel':
        if (scheduler.cancel(routed.key))
          log.debug(
            { key: routed.key },
            `autopack: ${routed.reason}: dropped the waiting evaluation`,
          );
        return;
      case 'lookup-suite':
        await lookupSuite(routed.lookup, routed, auth, submit, log);
        return;
      default:
        log.debug({ delivery: context.id }, `autopack: ignored ${routed.reason}`);
    }
  });

  registerGovernance(app, deps);
  warmUp(log);
  return { deps, scheduler, evaluator, probe };
}

/**
 * Compiles the config schemas and resolves the built-in preset once at start-up (no I/O), so the
 * first evaluation does not pay for it. A failure here is a packaging bug: logged, not fatal
 * (evaluations then report it on their Check Runs).
 */
function warmUp(log: Probot['log']): void {
  resolveConfig({ readFile: async () => undefined }).catch((e: unknown) =>
    log.error(redact(`autopack: the built-in policy does not load: ${(e as Error).message}`)),
  );
}

/**
 * A re-requested suite with no pull request in its payload (a fork's pull request): its own runs
 * say, in their `external_id`, which pull request or branch they were written for.
 */
async function lookupSuite(
  lookup: SuiteLookup,
  routed: { force: boolean; reason: string; delivery: string; receivedAt: number },
  auth: (id: number) => Promise<InstallationClient>,
  submit: (r: EvaluationRequest) => void,
  log: Probot['log'],
): Promise<void> {
  try {
    const client = await auth(lookup.installationId);
    const runs = await listCheckRunsInSuite(client, lookup.repo, lookup.checkSuiteId);
    const ext = runs.map((r) => parseExternalId(r.externalId)).find((x) => x !== undefined);
    let target: EvaluationTarget | undefined;
    if (ext?.pullNumber !== undefined) {
      target = {
        kind: 'pull_request',
        installationId: lookup.installationId,
        repo: lookup.repo,
        pullNumber: ext.pullNumber,
      };
    } else if (ext?.branch) {
      target = {
        kind: 'branch',
        installationId: lookup.installationId,
        repo: lookup.repo,
        headSha: lookup.headSha,
        baseRef: ext.branch,
        baseSha: ext.baseSha,
      };
    }
    if (!target) {
      log.debug(
        { suite: lookup.checkSuiteId },
        `autopack: ignored ${routed.reason}: no Autopack run in the suite`,
      );
      return;
    }
    submit({
      target,
      force: routed.force,
      reasons: [routed.reason],
      deliveries: [routed.delivery],
      firstReceivedAt: routed.receivedAt,
      receivedAt: routed.receivedAt,
    });
  } catch (e) {
    log.warn(
      { suite: lookup.checkSuiteId },
      redact(`autopack: ${routed.reason}: ${toGitHubAPIError(e).describe()}`),
    );
  }
}

/**
 * The Probot application function for `probot run` and app/server.ts: options from the
 * environment (`APP_ID` and the `AUTOPACK_*` tuning variables, see docs/app-deployment.md).
 */
const autopack: ApplicationFunction = (app) => {
  setupAutopack(app, { appId: Number(process.env.APP_ID) });
};
export default autopack;
