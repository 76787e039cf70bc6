/**
 * `mode: governance`: the approval gate inside CI, through the App's own handlers
 * (github/governance/handlers.ts) so the policy, the commands, the content binding and the
 * ledger are exactly the App's; the ledger's trusted author is the workflow token's identity
 * (input `bot-login`, default `github-actions[bot]`).
 *
 * - `issue_comment` (created / edited / deleted) on a pull request: the commands are decided and
 *   answered (reaction, one reply carrying the ledger records, the status comment), then
 *   `autopack/governance` is published on the PR head.
 * - `pull_request_review` (submitted / dismissed): review approvals, when the base policy opts in.
 * - `check_run` (`requested_action`): the "Approve" button of `autopack/governance`.
 * - `merge_group`: the group is re-evaluated against the queued pull request's ledger.
 * - `pull_request` / `pull_request_target` (opened, synchronize, ...): re-evaluated and published,
 *   so a push that changes protected content re-opens the gate.
 * The step itself stays green when the gate says `action_required`: the Check Run is the gate.
 */
import { redact } from '../checks/redact.js';
import {
  evaluateAndPublish,
  handleComment,
  handleMergeGroup,
  handleRequestedAction,
  handleReview,
  type CheckRunPayload,
  type GovernanceDeps,
  type HandleResult,
  type IssueCommentPayload,
  type MergeGroupPayload,
  type PullRequestReviewPayload,
} from '../github/governance/handlers.js';
import { DEFAULT_BOT_LOGIN } from './check-inputs.js';
import { loadPolicy } from './config.js';
import { requireClient, type MainDeps, type MainResult } from './deps.js';
import { session } from './evaluation.js';
import type { Target } from './event.js';
import { setOutputs, writeJobSummary } from './publish.js';
import { remoteReader } from './remote.js';

/** Runs the governance gate for the event. Rejects with GitHubAPIError when GitHub cannot be read or written. */
export async function runGovernanceMode(
  deps: MainDeps,
  target: Exclude<Target, { kind: 'ignored' }>,
): Promise<MainResult> {
  const client = requireClient(deps, 'mode: governance');
  const gov: GovernanceDeps = {
    botLogin: deps.inputs.botLogin || DEFAULT_BOT_LOGIN,
    logger: deps.logger,
    // The `config` input names another policy file: read it (and its extends) at the base too.
    ...(deps.inputs.config
      ? {
          loadConfig: (_c, _repo, baseSha) =>
            loadPolicy(
              {
                kind: 'reader',
                describe: `at the base commit ${baseSha.slice(0, 12)}`,
                read: remoteReader(session(deps, 'mode: governance'), baseSha),
              },
              deps.workspace,
              deps.inputs.config,
            ),
        }
      : {}),
  };
  const payload = deps.event.payload as unknown;
  let result: HandleResult;
  switch (deps.event.eventName) {
    case 'issue_comment':
      result = await handleComment(client, payload as IssueCommentPayload, gov);
      break;
    case 'pull_request_review':
      result = await handleReview(client, payload as PullRequestReviewPayload, gov);
      break;
    case 'check_run':
      result = await handleRequestedAction(client, payload as CheckRunPayload, gov);
      break;
    case 'merge_group':
      result = await handleMergeGroup(client, payload as MergeGroupPayload, gov);
      break;
    default: {
      const number =
        target.kind === 'pull-request' || target.kind === 'pull-request-activity'
          ? target.number
          : undefined;
      if (number === undefined) {
        result = {
          handled: false,
          reason: `mode: governance judges pull requests; a ${deps.event.eventName} event has none`,
          decisions: [],
        };
      } else {
        const { conclusion } = await evaluateAndPublish(client, deps.event.repo, number, gov);
        result = { handled: true, decisions: [], conclusion };
      }
    }
  }
  return report(result);
}

async function report(result: HandleResult): Promise<MainResult> {
  const conclusion = result.conclusion ?? 'skipped';
  setOutputs({ conclusion, findings: 0 });
  const lines = ['## Autopack governance', ''];
  if (!result.handled)
    lines.push(`Nothing to do: ${result.reason ?? 'the event carries no command'}.`);
  for (const d of result.decisions) {
    lines.push(
      `- \`/autopack ${d.command.verb}${d.command.args.length ? ` ${d.command.args.join(' ')}` : ''}\`: ${d.accepted ? 'accepted' : 'refused'}${d.message ? ` — ${d.message.split('\n')[0]}` : ''}`,
    );
  }
  if (result.reply?.url) lines.push('', `Answered in ${result.reply.url}.`);
  if (result.conclusion)
    lines.push('', `Published \`autopack/governance\`: **${result.conclusion}**.`);
  await writeJobSummary(redact(lines.join('\n')) + '\n');
  const message = result.handled
    ? `autopack: governance ${result.decisions.length ? `${result.decisions.length} command(s) decided; ` : ''}autopack/governance is ${conclusion}`
    : `autopack: governance: nothing to do: ${result.reason ?? 'no command'}`;
  return { conclusion, findings: 0, failed: false, message };
}
