/**
 * The governance input provider of an App evaluation (registered in app/providers.ts through
 * app/governance.ts): for a pull request it gathers `inputs.governance` reusing what the
 * evaluation already holds — the base-branch config and the snapshot's changed files — so only
 * the pull request, its comments and the eligibility facts are requested. For anything that is
 * not a pull request (a push to the default branch) it tells the check to skip, with the reason.
 */
import type { CheckInputs } from '../../checks/model.js';
import type { RepoSnapshot } from '../../checks/snapshot.js';
import type { ResolvedConfig } from '../../policies/types.js';
import type { GitHubClient, RepoRef } from '../client.js';
import type { PrComment } from '../../checks/governance/types.js';
import { listIssueComments } from './comments.js';
import { gatherGovernanceInput } from './gather.js';
import { getPullFacts, type PullFacts } from './pull.js';

/** What the provider reads of an evaluation (a structural subset of app/providers.ts `EvaluationContext`). */
export interface GovernanceProviderContext {
  client: GitHubClient;
  repo: RepoRef;
  pullNumber?: number;
  headSha: string;
  baseSha?: string;
  config: ResolvedConfig;
  snapshot: RepoSnapshot;
  /** The checks the evaluation runs; without `governance` among them nothing is requested. */
  checks?: readonly string[];
  /** What is evaluated, when the shell says (a merge group with no pull request fails closed). */
  kind?: 'pull_request' | 'branch' | 'merge_group';
  /** The pull request and its comments, when the shell started reading them early. */
  prefetched?: { pull: Promise<PullFacts>; comments: Promise<readonly PrComment[]> };
}

/** The reason given when there is no pull request to judge. */
export const NOT_A_PULL_REQUEST =
  'Not a pull request: governance judges pull requests (and merge-queue groups), where approvals can be given. ' +
  'Require pull requests for the default branch in its branch protection so protected paths cannot change without them.';

/**
 * Starts reading what the provider will need of pull request `ctx.pullNumber` (the pull request
 * and its comments: they depend on neither the tree nor the changed files), for
 * `GovernanceProviderContext.prefetched`. Undefined when governance will not need them.
 */
export function prefetchGovernanceReads(ctx: {
  client: GitHubClient;
  repo: RepoRef;
  pullNumber?: number;
  checks?: readonly string[];
}): GovernanceProviderContext['prefetched'] {
  if (ctx.pullNumber === undefined || (ctx.checks && !ctx.checks.includes('governance')))
    return undefined;
  const pull = getPullFacts(ctx.client, ctx.repo, ctx.pullNumber);
  const comments = listIssueComments(ctx.client, ctx.repo, ctx.pullNumber);
  pull.catch(() => undefined); // awaited by the provider
  comments.catch(() => undefined);
  return { pull, comments };
}

/**
 * Makes the provider. `botLogin` resolves the app's own login (ledger records are trusted only
 * from it). Rejects with GitHubAPIError when the pull request or its comments cannot be read:
 * the App then fails the governance Check Run (fail closed).
 */
export function createGovernanceInputProvider(botLogin: () => Promise<string>) {
  return async (ctx: GovernanceProviderContext): Promise<Partial<CheckInputs>> => {
    if (ctx.checks && !ctx.checks.includes('governance')) return {};
    if (ctx.pullNumber === undefined) {
      if (ctx.kind !== 'merge_group') return { governanceSkip: NOT_A_PULL_REQUEST };
      // A merge group whose queue branch names no pull request: no ledger to judge it by.
      return {
        governance: {
          pullRequest: {
            baseRef: ctx.snapshot.change?.baseRef ?? '',
            baseSha: ctx.baseSha,
            headSha: ctx.headSha,
            files: ctx.snapshot.change?.files ?? [],
          },
          comments: [],
          botLogin: await botLogin(),
          eligibility: { permissions: {}, memberships: {} },
          problems: [
            'this merge group names no pull request, so no approval can be attributed to it',
          ],
        },
      };
    }
    const change = ctx.snapshot.change;
    // The evaluation's own head, base and files: for a merge group that is the group's commit
    // judged against the ledger of the queued pull request; approvals bound with `any-push`
    // still compare against the pull request's own head.
    // Both reads are in flight: awaiting the pull request first keeps its error the one reported.
    const pull = await ctx.prefetched?.pull;
    const comments = await ctx.prefetched?.comments;
    const g = await gatherGovernanceInput({
      client: ctx.client,
      repo: ctx.repo,
      pullNumber: ctx.pullNumber,
      botLogin: await botLogin(),
      config: ctx.config,
      pull,
      comments,
      ...(change
        ? {
            target: {
              headSha: ctx.headSha,
              baseSha: ctx.baseSha ?? change.baseSha,
              baseRef: change.baseRef,
              files: change.files,
            },
          }
        : {}),
    });
    const input = g.input;
    return { governance: input };
  };
}
