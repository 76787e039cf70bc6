/**
 * Governance event handlers shared by the App (app/governance.ts) and the Action: each takes a
 * GitHub client and the webhook payload (Probot's `context.payload` or `@actions/github`'s
 * `context.payload`), gathers the facts, lets the engine decide (checks/governance/decide.ts),
 * then answers: a reaction on the command comment, one reply from the app's own identity that
 * carries the ledger records, the status comment for `/autopack status`, and a fresh
 * `autopack/governance` Check Run.
 *
 * Idempotent under webhook redelivery: a comment or review the ledger has already answered is
 * not answered again. Events that carry no command cost no API request at all.
 */
import { findingsOf, governanceOutcome } from '../../checks/governance/check.js';
import { parseCommands, type Command } from '../../checks/governance/commands.js';
import {
  decideCommands,
  decideVoid,
  type CommandOrigin,
  type Decision,
  type Reaction,
} from '../../checks/governance/decide.js';
import { evaluateGovernance, type GovernanceEvaluation } from '../../checks/governance/evaluate.js';
import { bodyDigest } from '../../checks/governance/fingerprint.js';
import {
  serializeRecord,
  trustedRecords,
  type LedgerRecord,
} from '../../checks/governance/ledger.js';
import { planCandidates } from '../../checks/governance/plan.js';
import { policyFromConfig, type GovernancePolicy } from '../../checks/governance/policy.js';
import { renderGovernanceSummary } from '../../checks/governance/summary.js';
import {
  key,
  type GovernanceInput,
  type PrComment,
  type PullRequestFacts,
} from '../../checks/governance/types.js';
import type { CheckResult, Logger } from '../../checks/model.js';
import type { ResolvedConfig } from '../../policies/types.js';
import type { GitHubClient, RepoRef } from '../client.js';
import { compareCommits } from '../compare.js';
import { createCheckRun } from '../check-runs.js';
import { redact } from '../../checks/redact.js';
import { toGitHubAPIError } from '../errors.js';
import {
  APPROVE_ACTION_ID,
  GOVERNANCE_CHECK_NAME,
  publishGovernanceCheckRun,
  toCheckResult,
} from './check-run.js';
import { createIssueComment, listIssueComments, toPrComment } from './comments.js';
import { resolveCandidates } from './eligibility.js';
import { toChangedFile } from './files.js';
import { gatherGovernanceInput, type GatheredGovernance } from './gather.js';
import { loadConfigAt } from './policy.js';
import { addCommentReaction } from './reactions.js';
import { getPullFacts } from './pull.js';
import { upsertStatusComment } from './status-comment.js';

/** What the handlers need besides the client. */
export interface GovernanceDeps {
  /** The app's own login (`<slug>[bot]`; `github-actions[bot]` in the Action). */
  botLogin: string;
  /** Loads the base-branch config (default: contents API). The App passes its cached loader. */
  loadConfig?: (client: GitHubClient, repo: RepoRef, baseSha: string) => Promise<ResolvedConfig>;
  /**
   * Publishes the governance result on `headSha` (default: one `POST check-runs`). The App may
   * route this through its own publisher.
   */
  publish?: (
    client: GitHubClient,
    repo: RepoRef,
    headSha: string,
    evaluation: GovernanceEvaluation,
    result: CheckResult,
    pullRequest?: PullRequestFacts,
  ) => Promise<void>;
  now?: () => Date;
  logger?: Logger;
}

/** What a handler did. */
export interface HandleResult {
  /** False when the event needed nothing (then no API request was made, or only reads). */
  handled: boolean;
  reason?: string;
  decisions: Decision[];
  /** The conclusion published, when a Check Run was published. */
  conclusion?: CheckResult['conclusion'];
  /** The reply comment written, if any. */
  reply?: PrComment;
}

const ignored = (reason: string): HandleResult => ({ handled: false, reason, decisions: [] });

interface RepositoryLike {
  name: string;
  owner: { login: string };
}

interface UserLike {
  login: string;
  type?: string;
}

/** The `issue_comment` payload fields used. */
export interface IssueCommentPayload {
  action: string;
  issue: { number: number; pull_request?: unknown };
  comment: {
    id: number;
    body?: string | null;
    user: UserLike | null;
    created_at: string;
    updated_at?: string;
    html_url?: string;
  };
  changes?: { body?: { from: string } };
  repository: RepositoryLike;
}

/** The `pull_request_review` payload fields used. */
export interface PullRequestReviewPayload {
  action: string;
  review: {
    id: number;
    state: string;
    user: UserLike | null;
    commit_id?: string | null;
    submitted_at?: string | null;
    html_url?: string;
  };
  pull_request: { number: number };
  repository: RepositoryLike;
}

/** The `check_run` payload fields used (`requested_action`). */
export interface CheckRunPayload {
  action: string;
  check_run: {
    id: number;
    name: string;
    head_sha: string;
    html_url?: string;
    pull_requests?: Array<{ number: number }>;
  };
  requested_action?: { identifier: string } | null;
  sender: UserLike;
  repository: RepositoryLike;
}

/** The `merge_group` payload fields used. */
export interface MergeGroupPayload {
  action: string;
  merge_group: { head_sha: string; head_ref: string; base_sha: string; base_ref: string };
  repository: RepositoryLike;
}

function repoOf(p: { repository: RepositoryLike }): RepoRef {
  return { owner: p.repository.owner.login, repo: p.repository.name };
}

function nowIso(deps: GovernanceDeps): string {
  return (deps.now?.() ?? new Date()).toISOString();
}

/** The reaction for a comment's decisions: a refusal wins, then an accepted change, then status/recheck. */
function reactionFor(decisions: Decision[]): Reaction {
  const refused = decisions.find((d) => !d.accepted);
  if (refused) return refused.reaction;
  if (decisions.some((d) => d.record)) return '+1';
  return decisions[0]?.reaction ?? 'eyes';
}

/**
 * Breaks every `@mention` in a reply with a zero-width space except the person the reply
 * answers: naming a team or an approver in a reason must never page them.
 */
export function quietMentions(text: string, keep?: string): string {
  const k = keep?.toLowerCase();
  return text.replace(
    /@([A-Za-z0-9][A-Za-z0-9-]*(?:\[bot\])?(?:\/[A-Za-z0-9._-]+)?)/g,
    (m, name: string) => (name.toLowerCase() === k ? m : `@\u200b${name}`),
  );
}

/** Re-evaluates with the candidate listings when a rule still needs approvals. */
async function finalEvaluation(
  client: GitHubClient,
  repo: RepoRef,
  policy: GovernancePolicy,
  input: GovernanceInput,
  problems: string[],
): Promise<{ input: GovernanceInput; outcome: ReturnType<typeof governanceOutcome> }> {
  let outcome = governanceOutcome(policy, input, problems);
  const plan = planCandidates(outcome.evaluation);
  if (plan.collaborators || plan.teams.length) {
    input = {
      ...input,
      eligibility: await resolveCandidates(client, repo, plan, input.eligibility),
    };
    outcome = governanceOutcome(policy, input, problems);
  }
  return { input, outcome };
}

async function publish(
  client: GitHubClient,
  repo: RepoRef,
  pr: PullRequestFacts,
  outcome: ReturnType<typeof governanceOutcome>,
  deps: GovernanceDeps,
): Promise<CheckResult['conclusion']> {
  const result = toCheckResult(outcome.outcome);
  if (deps.publish) await deps.publish(client, repo, pr.headSha, outcome.evaluation, result, pr);
  else await publishGovernanceCheckRun(client, repo, pr.headSha, outcome.evaluation, result);
  return result.conclusion;
}

/**
 * Best effort after a failure midway (a reply written, the Check Run not): publish a `failure`
 * Check Run on the head that says what failed, so a hold or a revoke is never left behind a
 * stale green run. Never rejects.
 */
async function publishFailure(
  client: GitHubClient,
  repo: RepoRef,
  headSha: string,
  error: unknown,
  deps: GovernanceDeps,
): Promise<void> {
  const what = toGitHubAPIError(error).describe();
  try {
    await createCheckRun(client, repo, {
      name: GOVERNANCE_CHECK_NAME,
      head_sha: headSha,
      status: 'completed',
      conclusion: 'failure',
      output: {
        title: 'Governance evaluation failed',
        summary: redact(
          `${what}\n\nNothing counts as approved until the evaluation completes: comment \`/autopack recheck\` to try again.`,
        ),
      },
    });
  } catch (e) {
    deps.logger?.error(
      `governance: could not publish the failure Check Run: ${toGitHubAPIError(e).message}`,
    );
  }
}

/** Runs `fn`; on failure publishes a failed Check Run on `headSha`, then rethrows. */
async function failClosed<T>(
  client: GitHubClient,
  repo: RepoRef,
  headSha: string,
  deps: GovernanceDeps,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    deps.logger?.error(
      `governance: ${repo.owner}/${repo.repo}@${headSha.slice(0, 7)}: ${toGitHubAPIError(e).message}`,
    );
    await publishFailure(client, repo, headSha, e, deps);
    throw e;
  }
}

/**
 * Writes the answer to decided commands: reaction (when `reactTo` is a comment), one reply with
 * the records, the status comment, and the Check Run. Returns what was published.
 */
function respond(
  client: GitHubClient,
  repo: RepoRef,
  g: GatheredGovernance,
  decisions: Decision[],
  deps: GovernanceDeps,
  reactTo?: number,
): Promise<HandleResult> {
  return failClosed(client, repo, g.input.pullRequest.headSha, deps, () =>
    respondInner(client, repo, g, decisions, deps, reactTo),
  );
}

async function respondInner(
  client: GitHubClient,
  repo: RepoRef,
  g: GatheredGovernance,
  decisions: Decision[],
  deps: GovernanceDeps,
  reactTo?: number,
): Promise<HandleResult> {
  // Writes one after another: GitHub asks integrators not to send concurrent writes.
  if (reactTo !== undefined && decisions.length) {
    await addCommentReaction(client, repo, reactTo, reactionFor(decisions));
  }
  const records = decisions.flatMap((d) => (d.record ? [d.record] : []));
  const actor = decisions.find((d) => d.record && 'by' in d.record)?.record;
  const text = quietMentions(
    decisions
      .map((d) => d.message)
      .filter(Boolean)
      .join('\n\n'),
    actor && 'by' in actor ? actor.by : undefined,
  );
  let input = g.input;
  let reply: PrComment | undefined;
  if (text || records.length) {
    reply = await createIssueComment(
      client,
      repo,
      g.pull.number,
      text || 'Recorded.',
      records.map(serializeRecord).join('\n'),
    );
    input = { ...input, comments: [...input.comments, reply] };
  }
  const wantsStatus = decisions.some((d) => d.status);
  const wantsPublish = decisions.some((d) => d.republish || (d.accepted && d.record));
  let conclusion: CheckResult['conclusion'] | undefined;
  if (wantsStatus || wantsPublish) {
    const fin = await finalEvaluation(client, repo, g.policy, input, g.problems);
    if (wantsStatus) {
      const md = `**${fin.outcome.evaluation.title}** (\`autopack/governance\`: \`${fin.outcome.evaluation.conclusion}\`)\n\n${renderGovernanceSummary(fin.outcome.evaluation, fin.input.pullRequest)}`;
      await upsertStatusComment(client, repo, g.pull.number, fin.input.comments, deps.botLogin, md);
    }
    if (wantsPublish)
      conclusion = await publish(client, repo, fin.input.pullRequest, fin.outcome, deps);
  }
  return { handled: true, decisions, conclusion, reply };
}

/** Writes a void record (edited / deleted comment, dismissed review) and re-publishes. */
async function respondVoid(
  client: GitHubClient,
  repo: RepoRef,
  g: GatheredGovernance,
  v: { record: LedgerRecord; message: string },
  deps: GovernanceDeps,
): Promise<HandleResult> {
  return failClosed(client, repo, g.input.pullRequest.headSha, deps, async () => {
    const reply = await createIssueComment(
      client,
      repo,
      g.pull.number,
      v.message, // names only the approver whose approval stopped counting
      serializeRecord(v.record),
    );
    const input = { ...g.input, comments: [...g.input.comments, reply] };
    const fin = await finalEvaluation(client, repo, g.policy, input, g.problems);
    const conclusion = await publish(client, repo, fin.input.pullRequest, fin.outcome, deps);
    return { handled: true, decisions: [], conclusion, reply };
  });
}

/** True when a trusted record already answers that comment or review. */
function answered(
  comments: readonly PrComment[],
  botLogin: string,
  type: 'comment' | 'review',
  id: number,
): boolean {
  return trustedRecords(comments, botLogin).some(
    (t) => 'source' in t.record && t.record.source.type === type && t.record.source.id === id,
  );
}

function isStateChanging(c: Command): boolean {
  return c.verb === 'approve' || c.verb === 'revoke' || c.verb === 'hold' || c.verb === 'unhold';
}

/**
 * `issue_comment` created / edited / deleted on a pull request.
 * - created: the commands in the comment are decided and answered (once per comment).
 * - edited: an approval the comment carried stops counting (a `void` record and a reply);
 *   commands added by the edit are not read (the reply says to post a new comment).
 * - deleted: an approval the comment carried stops counting.
 * Rejects with GitHubAPIError when GitHub cannot be read or written (the caller logs it; the
 * Check Run keeps its last, never-green-by-default state).
 */
export async function handleComment(
  client: GitHubClient,
  payload: IssueCommentPayload,
  deps: GovernanceDeps,
): Promise<HandleResult> {
  if (!payload.issue.pull_request) return ignored('not a pull request');
  const repo = repoOf(payload);
  const event = toPrComment(payload.comment);
  if (key(event.author) === key(deps.botLogin)) return ignored('the app’s own comment');
  // The payload only says which comment to look at: who wrote it, when, and what it says now
  // are always read back from GitHub (a forged or stale payload cannot act for anyone).
  const gather = (comments: readonly PrComment[], actor: string) =>
    gatherGovernanceInput({
      client,
      repo,
      pullNumber: payload.issue.number,
      botLogin: deps.botLogin,
      actors: [actor],
      candidates: false,
      loadConfig: deps.loadConfig,
      comments,
    });
  if (payload.action === 'created') {
    if (parseCommands(event.body).length === 0) return ignored('no command');
    // The ledger first: a redelivered webhook costs one listing and nothing else.
    const comments = await listIssueComments(client, repo, payload.issue.number);
    if (answered(comments, deps.botLogin, 'comment', event.id)) {
      return ignored('already answered (redelivered webhook)');
    }
    const c = comments.find((x) => x.id === event.id);
    if (!c) return ignored('the comment does not exist (deleted, or not a real comment)');
    if (c.body !== event.body) {
      return ignored('the comment was edited before it was read; the edit is handled separately');
    }
    if (key(c.author) === key(deps.botLogin)) return ignored('the app’s own comment');
    const commands = parseCommands(c.body);
    const g = await gather(comments, c.author);
    const origin: CommandOrigin = {
      login: c.author,
      type: c.authorType,
      at: c.createdAt,
      source: { type: 'comment', id: c.id, url: c.url, bodySha: bodyDigest(c.body) },
    };
    const decisions = decideCommands(g.policy, g.input, commands, origin, { problems: g.problems });
    deps.logger?.info(
      `governance: ${repo.owner}/${repo.repo}#${payload.issue.number} comment ${c.id} by ${c.author}: ${decisions.map((d) => `${d.command.verb}=${d.accepted ? 'accepted' : 'refused'}`).join(', ')}`,
    );
    return respond(client, repo, g, decisions, deps, c.id);
  }
  if (payload.action === 'edited') {
    const before = payload.changes?.body?.from;
    if (before === undefined) return ignored('the body did not change');
    const had = parseCommands(before).some(isStateChanging);
    const has = parseCommands(event.body).some(isStateChanging);
    if (!had && !has) return ignored('no command before or after the edit');
    const comments = await listIssueComments(client, repo, payload.issue.number);
    const c = comments.find((x) => x.id === event.id);
    if (!c) return ignored('the comment no longer exists (the deletion is handled separately)');
    const g = await gather(comments, c.author);
    const ev = evaluateGovernance(g.policy, g.input, { problems: g.problems });
    const recorded = ev.ledger.records.find(
      (t) =>
        t.record.kind === 'approve' &&
        t.record.source.type === 'comment' &&
        t.record.source.id === c.id,
    )?.record;
    const wasEdited =
      (c.updatedAt !== undefined && c.updatedAt !== c.createdAt) ||
      (recorded?.kind === 'approve' &&
        recorded.source.type === 'comment' &&
        recorded.source.bodySha !== bodyDigest(c.body));
    if (!wasEdited) return ignored('GitHub shows no edit of this comment');
    const v = decideVoid(ev, { type: 'comment', id: c.id }, 'edited', nowIso(deps));
    if (v) return respondVoid(client, repo, g, v, deps);
    if (parseCommands(c.body).some(isStateChanging) && !ev.ledger.answeredComments.has(c.id)) {
      const record: LedgerRecord = {
        v: 1,
        kind: 'reject',
        by: c.author,
        at: nowIso(deps),
        source: { type: 'comment', id: c.id, url: c.url, bodySha: bodyDigest(c.body) },
        verb: 'edited',
        reason: 'commands in an edited comment are not read',
      };
      const reply = await createIssueComment(
        client,
        repo,
        g.pull.number,
        `@${c.author}: commands added by editing a comment are not read — an approval must be a new comment that nobody changes afterwards. Post the command again in a new comment.`,
        serializeRecord(record),
      );
      return { handled: true, decisions: [], reply };
    }
    return ignored('the edit changed nothing the ledger records');
  }
  if (payload.action === 'deleted') {
    if (!parseCommands(event.body).some((x) => x.verb === 'approve')) {
      return ignored('the deleted comment carried no approval');
    }
    const comments = await listIssueComments(client, repo, payload.issue.number);
    if (comments.some((x) => x.id === event.id)) return ignored('the comment still exists');
    const g = await gather(comments, event.author);
    const ev = evaluateGovernance(g.policy, g.input, { problems: g.problems });
    const v = decideVoid(ev, { type: 'comment', id: event.id }, 'deleted', nowIso(deps));
    return v
      ? respondVoid(client, repo, g, v, deps)
      : ignored('the deleted comment carried no recorded approval');
  }
  return ignored(`action ${payload.action}`);
}

/**
 * `pull_request_review` (opt-in with `governance.review-approvals: true` on the base branch):
 * an approving review on the current head counts as `/autopack approve` by the reviewer, with
 * the same eligibility checks; a dismissed review stops counting. Nothing else is read from a
 * review (commands go in comments).
 */
export async function handleReview(
  client: GitHubClient,
  payload: PullRequestReviewPayload,
  deps: GovernanceDeps,
): Promise<HandleResult> {
  const repo = repoOf(payload);
  const state = payload.review.state.toLowerCase();
  const reviewer = payload.review.user?.login ?? 'ghost';
  if (payload.action === 'submitted' && state !== 'approved')
    return ignored('not an approving review');
  if (payload.action !== 'submitted' && payload.action !== 'dismissed')
    return ignored(`action ${payload.action}`);
  // Read the policy first: with review approvals off (the default) nothing else is requested.
  const pull = await getPullFacts(client, repo, payload.pull_request.number);
  const config = await (deps.loadConfig ?? loadConfigAt)(client, repo, pull.baseSha).catch(
    (e: unknown) => {
      deps.logger?.warn(
        `governance: base config unreadable for review ${payload.review.id}: ${toGitHubAPIError(e).message}`,
      );
      return undefined;
    },
  );
  if (!config || !policyFromConfig(config).reviewApprovals)
    return ignored('review approvals are not enabled by the base-branch policy');
  const g = await gatherGovernanceInput({
    client,
    repo,
    pullNumber: pull.number,
    pull,
    config,
    botLogin: deps.botLogin,
    actors: [reviewer],
    candidates: false,
  });
  const ev = evaluateGovernance(g.policy, g.input, { problems: g.problems });
  // The review as GitHub lists it now, not as the payload says.
  const listed = g.input.reviews?.find((r) => r.id === payload.review.id);
  if (payload.action === 'dismissed') {
    if (listed && listed.state !== 'DISMISSED')
      return ignored('GitHub does not show the review as dismissed');
    const v = decideVoid(ev, { type: 'review', id: payload.review.id }, 'dismissed', nowIso(deps));
    return v
      ? respondVoid(client, repo, g, v, deps)
      : ignored('the dismissed review carried no recorded approval');
  }
  if (!listed || listed.state !== 'APPROVED')
    return ignored('GitHub does not list this review as approving');
  if (ev.ledger.answeredReviews.has(listed.id))
    return ignored('already answered (redelivered webhook)');
  const command: Command = {
    verb: 'approve',
    args: listed.commitId ? [listed.commitId] : [],
    line: 0,
    raw: 'approving review',
  };
  const origin: CommandOrigin = {
    login: listed.author,
    type: listed.authorType,
    at: listed.submittedAt ?? nowIso(deps),
    source: { type: 'review', id: listed.id, url: listed.url },
  };
  return respond(
    client,
    repo,
    g,
    decideCommands(g.policy, g.input, [command], origin, { problems: g.problems }),
    deps,
  );
}

/**
 * `check_run.requested_action` with identifier `approve` on `autopack/governance`: the clicking
 * user approves, with exactly the checks of `/autopack approve <the run's head SHA>` (so a click
 * on a run for an older head is refused).
 */
export async function handleRequestedAction(
  client: GitHubClient,
  payload: CheckRunPayload,
  deps: GovernanceDeps,
): Promise<HandleResult> {
  if (payload.action !== 'requested_action') return ignored(`action ${payload.action}`);
  if (payload.check_run.name !== GOVERNANCE_CHECK_NAME)
    return ignored('not the governance Check Run');
  if (payload.requested_action?.identifier !== APPROVE_ACTION_ID)
    return ignored('not the Approve action');
  const number = payload.check_run.pull_requests?.[0]?.number;
  if (number === undefined)
    return ignored('the Check Run belongs to no pull request of this repository');
  const repo = repoOf(payload);
  const g = await gatherGovernanceInput({
    client,
    repo,
    pullNumber: number,
    botLogin: deps.botLogin,
    actors: [payload.sender.login],
    candidates: false,
    loadConfig: deps.loadConfig,
  });
  if (!g.policy.approveButton)
    return ignored('the base-branch policy switched the Approve button off');
  const ev = evaluateGovernance(g.policy, g.input, { problems: g.problems });
  const dup = ev.ledger.records.some(
    (t) =>
      t.record.kind === 'approve' &&
      t.record.source.type === 'check-run' &&
      t.record.source.id === payload.check_run.id &&
      key(t.record.by) === key(payload.sender.login),
  );
  if (dup) return ignored('already answered (redelivered webhook)');
  const command: Command = {
    verb: 'approve',
    args: [payload.check_run.head_sha],
    line: 0,
    raw: 'Approve button',
  };
  const origin: CommandOrigin = {
    login: payload.sender.login,
    type: payload.sender.type,
    at: nowIso(deps),
    source: { type: 'check-run', id: payload.check_run.id, url: payload.check_run.html_url },
  };
  return respond(
    client,
    repo,
    g,
    decideCommands(g.policy, g.input, [command], origin, { problems: g.problems }),
    deps,
  );
}

/** The pull request number a merge queue branch names (`gh-readonly-queue/<base>/pr-<n>-<sha>`). */
export function mergeGroupPullNumber(headRef: string): number | undefined {
  const m = /(?:^|\/)pr-(\d+)-[0-9a-f]{7,40}$/.exec(headRef);
  return m ? Number(m[1]) : undefined;
}

/**
 * `merge_group.checks_requested`: the group is re-evaluated, never waved through. The changed
 * files of the group (`compare base_sha...head_sha`) are judged with the ledger of the pull
 * request the queue branch names. Under `protected-change`, approvals carry over only when the
 * group's protected content is exactly what was approved; protected changes brought in by other
 * entries of the group make it `action_required`. The result is published on the group's head.
 */
export async function handleMergeGroup(
  client: GitHubClient,
  payload: MergeGroupPayload,
  deps: GovernanceDeps,
): Promise<HandleResult> {
  if (payload.action !== 'checks_requested') return ignored(`action ${payload.action}`);
  const repo = repoOf(payload);
  const mg = payload.merge_group;
  const number = mergeGroupPullNumber(mg.head_ref);
  if (number === undefined) {
    const ev = evaluateGovernance(
      policyFromConfig({ values: {}, layers: [], locate: () => undefined }),
      {
        pullRequest: { baseRef: mg.base_ref, headSha: mg.head_sha, files: [] },
        comments: [],
        botLogin: deps.botLogin,
        eligibility: { permissions: {}, memberships: {} },
      },
      { problems: [`cannot tell which pull request the merge group ${mg.head_ref} belongs to`] },
    );
    const result = toCheckResult({
      findings: findingsOf(ev),
      conclusion: ev.conclusion,
      summary: ev.problems.join('\n'),
    });
    if (deps.publish) await deps.publish(client, repo, mg.head_sha, ev, result);
    else await publishGovernanceCheckRun(client, repo, mg.head_sha, ev, result);
    return { handled: true, decisions: [], conclusion: result.conclusion };
  }
  const cmp = await compareCommits(client, repo, mg.base_sha, mg.head_sha);
  const g = await gatherGovernanceInput({
    client,
    repo,
    pullNumber: number,
    botLogin: deps.botLogin,
    loadConfig: deps.loadConfig,
    target: {
      headSha: mg.head_sha,
      baseSha: mg.base_sha,
      baseRef: mg.base_ref,
      files: cmp.files.map(toChangedFile),
    },
  });
  const problems = [...g.problems];
  if (cmp.filesMayBeTruncated) {
    problems.push(
      'the merge group changes 300 files or more, beyond what the compare API lists; governance cannot see them all',
    );
  }
  const outcome = governanceOutcome(g.policy, g.input, problems);
  const conclusion = await publish(client, repo, g.input.pullRequest, outcome, deps);
  return { handled: true, decisions: [], conclusion };
}

/**
 * Evaluates a pull request's governance now and publishes the Check Run (`/autopack recheck`,
 * or a shell that wants a governance-only refresh). Rejects with GitHubAPIError.
 */
export async function evaluateAndPublish(
  client: GitHubClient,
  repo: RepoRef,
  pullNumber: number,
  deps: GovernanceDeps,
): Promise<{ conclusion: CheckResult['conclusion']; evaluation: GovernanceEvaluation }> {
  const g = await gatherGovernanceInput({
    client,
    repo,
    pullNumber,
    botLogin: deps.botLogin,
    loadConfig: deps.loadConfig,
  });
  const outcome = governanceOutcome(g.policy, g.input, g.problems);
  const conclusion = await publish(client, repo, g.input.pullRequest, outcome, deps);
  return { conclusion, evaluation: outcome.evaluation };
}
