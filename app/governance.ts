/**
 * Governance in the App: routes the comment, review and requested-action webhooks to the shared
 * handlers (github/governance/handlers.ts), which decide and answer each command, and then asks
 * the App to re-evaluate `autopack/governance` through its own coalescing queue and publisher
 * (`deps.requestEvaluation({ only: ['governance'] })`), so a burst of approvals is one
 * evaluation and Check Runs are written the one way the App writes them.
 *
 * - `issue_comment` created / edited / deleted: commands, edited and deleted approvals.
 * - `pull_request_review` submitted / dismissed: review approvals (opt-in by the base policy).
 * - `check_run.requested_action`: the "Approve" button of `autopack/governance`.
 * - `merge_group`: evaluated by the App itself (app/events.ts routes it like a pull request whose
 *   head is the group's commit); governance's input provider gathers the ledger of the queued pull
 *   request, so the group is re-evaluated against its own content, never waved through.
 *
 * The input provider ({@link governanceInputProvider}, registered in app/providers.ts) gathers
 * `inputs.governance` for every App evaluation of a pull request. The "Approve" button is added to
 * the governance Check Run through app/publish.ts `checkRunActionProviders`.
 */
import type { Probot } from 'probot';
import type { CheckInputs } from '../checks/model.js';
import type { PullRequestFacts } from '../checks/governance/types.js';
import type { GitHubClient, RepoRef } from '../github/client.js';
import { toGitHubAPIError } from '../github/errors.js';
import { APPROVE_ACTION, GOVERNANCE_CHECK_NAME } from '../github/governance/check-run.js';
import {
  handleComment,
  handleRequestedAction,
  handleReview,
  type CheckRunPayload,
  type GovernanceDeps,
  type HandleResult,
  type IssueCommentPayload,
  type PullRequestReviewPayload,
} from '../github/governance/handlers.js';
import {
  createGovernanceInputProvider,
  prefetchGovernanceReads,
} from '../github/governance/provider.js';
import { redact } from '../checks/redact.js';
import type { AppDeps } from './deps.js';
import type { EvaluationContext, InputProvider } from './providers.js';
import { checkRunActionProviders, type CheckRunActionProvider } from './publish.js';

/** The events governance subscribes to (app.yml must list them). */
export const GOVERNANCE_EVENTS = [
  'issue_comment.created',
  'issue_comment.edited',
  'issue_comment.deleted',
  'pull_request_review.submitted',
  'pull_request_review.dismissed',
  'check_run.requested_action',
] as const;

/** The App's identity source for the input provider (set by {@link registerGovernance}). */
let identity: (() => Promise<string>) | undefined;

/**
 * Gathers `inputs.governance` for an App evaluation. Rejects when governance has not been
 * registered (no identity: ledger records could not be trusted) or GitHub cannot be read; the App
 * then fails the governance Check Run.
 */
export const governanceInputProvider: InputProvider = async (
  ctx: EvaluationContext,
): Promise<Partial<CheckInputs>> => {
  if (!identity)
    throw new Error(
      'governance is not registered: the App identity (to trust ledger records) is unknown',
    );
  return provider(ctx);
};

const provider = createGovernanceInputProvider(() => {
  if (!identity) throw new Error('governance is not registered');
  return identity();
});

// The pull request and its comments are read while the evaluation reads the tree.
governanceInputProvider.start = (early) => {
  const prefetched = identity ? prefetchGovernanceReads(early) : undefined;
  return prefetched
    ? (ctx) => governanceInputProvider({ ...ctx, prefetched } as EvaluationContext)
    : governanceInputProvider;
};

/**
 * The "Approve" button on `autopack/governance` while approvals are missing (not for a hold or
 * a policy error, which an approval would not fix).
 */
export const approveActionProvider: CheckRunActionProvider = (ctx) => {
  if (ctx.name !== GOVERNANCE_CHECK_NAME || ctx.pullNumber === undefined) return undefined;
  const gov = ctx.results.find((r) => r.checkId === 'governance');
  if (!gov || gov.conclusion !== 'action_required') return undefined;
  // The policy can switch the button off (`approve-button: false`): its findings say so.
  const missing = gov.findings.some(
    (f) => f.ruleId === 'approval-required' && f.properties?.approveButton !== false,
  );
  const blocked = gov.findings.some((f) => f.ruleId === 'hold' || f.ruleId === 'policy-error');
  return missing && !blocked ? [APPROVE_ACTION] : undefined;
};

/** Optional seams (tests). */
export interface GovernanceAppOptions {
  /** The bot login, instead of asking `deps.appIdentity()`. */
  botLogin?: string;
  now?: () => Date;
}

interface InstallationPayload {
  installation?: { id: number };
}

/**
 * Registers governance on the Probot app: the webhook handlers, the identity used by the input
 * provider, and the Approve button. Safe to call for several Probot instances (tests).
 */
export function registerGovernance(
  app: Probot,
  deps: AppDeps,
  options: GovernanceAppOptions = {},
): void {
  const log = deps.log.child({ name: 'autopack:governance' });
  let login: Promise<string> | undefined;
  const botLogin = (): Promise<string> => {
    if (options.botLogin) return Promise.resolve(options.botLogin);
    login ??= deps.appIdentity().then(
      (id) => id.botLogin,
      (e: unknown) => {
        login = undefined; // ask again next time
        throw e;
      },
    );
    return login;
  };
  identity = botLogin;
  if (!checkRunActionProviders.includes(approveActionProvider))
    checkRunActionProviders.push(approveActionProvider);

  const handlerDeps = async (
    payload: InstallationPayload,
    pullNumberOf: () => number | undefined,
    reason: string,
    delivery: string,
  ): Promise<GovernanceDeps> => ({
    botLogin: await botLogin(),
    loadConfig: deps.loadConfig,
    now: options.now,
    logger: {
      debug: (m) => log.debug(redact(m)),
      info: (m) => log.info(redact(m)),
      warn: (m) => log.warn(redact(m)),
      error: (m) => log.error(redact(m)),
    },
    // Publish through the App's queue and publisher: one coalesced governance-only evaluation.
    publish: async (
      _client: GitHubClient,
      repo: RepoRef,
      headSha: string,
      _ev,
      _result,
      pr?: PullRequestFacts,
    ) => {
      const installationId = payload.installation?.id;
      const pullNumber = pr?.number ?? pullNumberOf();
      if (installationId === undefined || pullNumber === undefined) {
        throw new Error(`${reason}: no installation or pull request to re-evaluate`);
      }
      deps.requestEvaluation({
        installationId,
        repo,
        pullNumber,
        only: ['governance'],
        reason,
        delivery,
        ...(pr?.baseSha ? { headSha, baseRef: pr.baseRef, baseSha: pr.baseSha } : {}),
      });
    },
  });

  const run = async (name: string, delivery: string, fn: () => Promise<HandleResult>) => {
    try {
      const r = await fn();
      log.debug(
        { delivery },
        `autopack: ${name}: ${r.handled ? `handled (${r.decisions.length} command(s))` : `ignored: ${r.reason}`}`,
      );
    } catch (e) {
      log.error({ delivery }, redact(`autopack: ${name}: ${toGitHubAPIError(e).describe()}`));
      throw e;
    }
  };

  app.on(
    ['issue_comment.created', 'issue_comment.edited', 'issue_comment.deleted'],
    async (context) => {
      const payload = context.payload as unknown as IssueCommentPayload & InstallationPayload;
      if (!payload.issue.pull_request) return;
      const name = `issue_comment.${payload.action}`;
      await run(name, context.id, async () =>
        handleComment(
          context.octokit as unknown as GitHubClient,
          payload,
          await handlerDeps(
            payload,
            () => payload.issue.number,
            `${name}: governance command`,
            context.id,
          ),
        ),
      );
    },
  );

  app.on(['pull_request_review.submitted', 'pull_request_review.dismissed'], async (context) => {
    const payload = context.payload as unknown as PullRequestReviewPayload & InstallationPayload;
    const name = `pull_request_review.${payload.action}`;
    await run(name, context.id, async () =>
      handleReview(
        context.octokit as unknown as GitHubClient,
        payload,
        await handlerDeps(
          payload,
          () => payload.pull_request.number,
          `${name}: review approval`,
          context.id,
        ),
      ),
    );
  });

  app.on('check_run.requested_action', async (context) => {
    const payload = context.payload as unknown as CheckRunPayload & InstallationPayload;
    await run('check_run.requested_action', context.id, async () =>
      handleRequestedAction(
        context.octokit as unknown as GitHubClient,
        payload,
        await handlerDeps(
          payload,
          () => payload.check_run.pull_requests?.[0]?.number,
          'check_run.requested_action: Approve',
          context.id,
        ),
      ),
    );
  });
}
