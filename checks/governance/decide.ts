/**
 * What the app does with a command: accept it (and write which ledger record) or refuse it
 * (and say why). Pure: the shell (github/governance/) gathers the facts, calls
 * {@link decideCommands}, then writes the reaction, the reply carrying the records and the
 * Check Run. Every refusal names its reason, so a maintainer never has to guess.
 */
import { COMMAND_HELP, looksLikeSha, type Command } from './commands.js';
import { approvableRules, evaluateGovernance, type GovernanceEvaluation } from './evaluate.js';
import type { LedgerRecord, LedgerSource, VoidRecord } from './ledger.js';
import { serializeRecord } from './ledger.js';
import type { GovernancePolicy } from './policy.js';
import { isBotAccount, key, permissionAtLeast, type GovernanceInput } from './types.js';

/** A reaction GitHub accepts on a comment. */
export type Reaction = '+1' | '-1' | 'confused' | 'eyes' | 'rocket';

/** The outcome of one command. */
export interface Decision {
  command: Command;
  accepted: boolean;
  /** The ledger record to write (accepted state changes, and refusals, for idempotency). */
  record?: LedgerRecord;
  /** One Markdown paragraph for the reply. */
  message: string;
  reaction: Reaction;
  /** Re-publish the `autopack/governance` Check Run. */
  republish: boolean;
  /** Post or update the status comment with the full explanation. */
  status: boolean;
}

/** Who issued the command and where. */
export interface CommandOrigin {
  login: string;
  /** GitHub `user.type` (`Bot` for apps). */
  type?: string;
  source: LedgerSource;
  /** ISO time of the command. */
  at: string;
}

/** The most commands of one comment the app acts on. */
export const MAX_COMMANDS_PER_COMMENT = 10;

function code(s: string): string {
  return '`' + s.replace(/`/g, "'").slice(0, 100) + '`';
}

/**
 * Decides every command of one comment (or review, or button click) in order. The state each
 * command sees includes the records of the commands before it, so `/autopack approve` followed
 * by `/autopack hold` in one comment does both.
 */
export function decideCommands(
  policy: GovernancePolicy,
  input: GovernanceInput,
  commands: readonly Command[],
  origin: CommandOrigin,
  opts: { problems?: string[] } = {},
): Decision[] {
  const out: Decision[] = [];
  let current: GovernanceInput = input;
  let n = 0;
  for (const command of commands.slice(0, MAX_COMMANDS_PER_COMMENT)) {
    const evaluation = evaluateGovernance(policy, current, {
      ...opts,
      answering: origin.source.type === 'comment' ? origin.source.id : undefined,
    });
    const d = decide(policy, current, evaluation, command, origin);
    out.push(d);
    if (d.record) {
      // Let the next command see this record, as the next evaluation will.
      current = {
        ...current,
        comments: [
          ...current.comments,
          {
            id: -1 - n++,
            author: current.botLogin,
            authorType: 'Bot',
            body: serializeRecord(d.record),
            createdAt: origin.at,
          },
        ],
      };
    }
  }
  return out;
}

function reject(
  command: Command,
  origin: CommandOrigin,
  reason: string,
  reaction: Reaction = 'confused',
): Decision {
  const record: LedgerRecord = {
    v: 1,
    kind: 'reject',
    by: origin.login,
    at: origin.at,
    source: origin.source,
    verb: command.verb,
    reason,
  };
  return {
    command,
    accepted: false,
    record,
    message: reason,
    reaction,
    republish: false,
    status: false,
  };
}

/** Decides one command against the current evaluation. */
export function decide(
  policy: GovernancePolicy,
  input: GovernanceInput,
  evaluation: GovernanceEvaluation,
  command: Command,
  origin: CommandOrigin,
): Decision {
  const who = `@${origin.login}`;
  const pr = input.pullRequest;
  const head = pr.approvalHeadSha ?? pr.headSha;
  switch (command.verb) {
    case 'unknown':
      return reject(
        command,
        origin,
        `${code(command.raw)} is not a command I know. ${COMMAND_HELP}`,
      );
    case 'status':
      return {
        command,
        accepted: true,
        message: '',
        reaction: 'eyes',
        republish: false,
        status: true,
      };
    case 'recheck':
      return {
        command,
        accepted: true,
        message: '',
        reaction: 'rocket',
        republish: true,
        status: false,
      };
    case 'approve': {
      if (isBotAccount(origin.login, origin.type)) {
        return reject(
          command,
          origin,
          `${who}: bots and apps cannot approve protected changes.`,
          '-1',
        );
      }
      if (evaluation.problems.length) {
        return reject(
          command,
          origin,
          `${who}: the governance policy has errors, so nothing can be approved until it is fixed.`,
        );
      }
      const ruleIds: string[] = [];
      for (const arg of command.args) {
        const lower = arg.toLowerCase();
        const rule = evaluation.rules.find((r) => r.rule.id.toLowerCase() === lower);
        if (rule) {
          ruleIds.push(rule.rule.id);
          continue;
        }
        if (policy.rules.some((r) => r.id.toLowerCase() === lower)) {
          return reject(
            command,
            origin,
            `${who}: rule ${code(arg)} does not apply to this pull request, so there is nothing to approve for it.`,
          );
        }
        if (looksLikeSha(arg)) {
          if (!head.toLowerCase().startsWith(lower)) {
            return reject(
              command,
              origin,
              `${who}: you approved ${code(arg)}, but the head is now ${code(head.slice(0, 12))}. Review the new commits and approve again.`,
            );
          }
          continue;
        }
        return reject(
          command,
          origin,
          `${who}: ${code(arg)} is neither a rule of this pull request (${evaluation.rules.map((r) => code(r.rule.id)).join(', ') || 'none'}) nor the head commit.`,
        );
      }
      if (evaluation.rules.length === 0) {
        return reject(
          command,
          origin,
          `${who}: no protected paths changed, so there is nothing to approve.`,
        );
      }
      const { eligible, refused } = approvableRules(
        evaluation,
        policy,
        input,
        origin.login,
        origin.type,
      );
      const targets = ruleIds.length
        ? eligible.filter((r) => ruleIds.includes(r.rule.id))
        : eligible;
      const refusedTargets = ruleIds.length
        ? refused.filter((r) => ruleIds.includes(r.rule.rule.id))
        : refused;
      if (targets.length === 0) {
        const reasons = refusedTargets.map((r) => `rule ${code(r.rule.rule.id)}: ${r.reason}`);
        return reject(
          command,
          origin,
          `${who}: your approval does not count — ${reasons.join('; ') || 'no rule you can approve'}.`,
          '-1',
        );
      }
      const record: LedgerRecord = {
        v: 1,
        kind: 'approve',
        by: origin.login,
        at: origin.at,
        source: origin.source,
        head,
        rules: targets.map((r) => ({ id: r.rule.id, fingerprint: r.fingerprint })),
      };
      let message = `${who} approved ${targets.map((r) => code(r.rule.id)).join(', ')} at ${code(head.slice(0, 12))}.`;
      if (refusedTargets.length) {
        message += ` Not counted for ${refusedTargets.map((r) => `${code(r.rule.rule.id)} (${r.reason})`).join(', ')}.`;
      }
      return {
        command,
        accepted: true,
        record,
        message,
        reaction: '+1',
        republish: true,
        status: false,
      };
    }
    case 'revoke': {
      const mine = evaluation.ledger.approvals.filter((a) => key(a.by) === key(origin.login));
      const wanted = command.args.map((a) => a.toLowerCase());
      const hit = wanted.length
        ? mine.filter((a) => wanted.includes(a.ruleId.toLowerCase()))
        : mine;
      if (hit.length === 0)
        return reject(
          command,
          origin,
          `${who}: you have no standing approval${wanted.length ? ' for those rules' : ''} to revoke.`,
        );
      const rules = [...new Set(hit.map((a) => a.ruleId))];
      const record: LedgerRecord = {
        v: 1,
        kind: 'revoke',
        by: origin.login,
        at: origin.at,
        source: origin.source,
        ...(wanted.length ? { rules } : {}),
      };
      return {
        command,
        accepted: true,
        record,
        message: `${who} revoked their approval of ${rules.map(code).join(', ')}.`,
        reaction: '+1',
        republish: true,
        status: false,
      };
    }
    case 'hold':
    case 'unhold': {
      const why = holdRefusal(policy, input, evaluation, origin);
      if (why) return reject(command, origin, `${who}: ${why}`, '-1');
      if (command.verb === 'unhold' && evaluation.holds.length === 0) {
        return reject(command, origin, `${who}: there is no hold to lift.`);
      }
      const record: LedgerRecord = {
        v: 1,
        kind: command.verb,
        by: origin.login,
        at: origin.at,
        source: origin.source,
      };
      const message =
        command.verb === 'hold'
          ? `${who} put this pull request on hold: \`autopack/governance\` stays \`action_required\` until an eligible approver comments \`/autopack unhold\`.`
          : `${who} lifted the hold (${evaluation.holds.map((h) => `@${h.by}`).join(', ')}).`;
      return {
        command,
        accepted: true,
        record,
        message,
        reaction: '+1',
        republish: true,
        status: false,
      };
    }
  }
}

/**
 * Why `origin` may not hold or unhold, or undefined when they may: any person eligible to
 * approve one of the triggered rules may; when no rule is triggered, anyone with the policy's
 * approver permission may.
 */
function holdRefusal(
  policy: GovernancePolicy,
  input: GovernanceInput,
  evaluation: GovernanceEvaluation,
  origin: CommandOrigin,
): string | undefined {
  if (isBotAccount(origin.login, origin.type)) return 'bots and apps cannot hold or unhold.';
  if (evaluation.rules.length) {
    const { eligible, refused } = approvableRules(
      evaluation,
      policy,
      input,
      origin.login,
      origin.type,
    );
    if (eligible.length) return undefined;
    return `only an eligible approver can hold or unhold — ${refused.map((r) => `${code(r.rule.rule.id)}: ${r.reason}`).join('; ')}.`;
  }
  const perm = input.eligibility.permissions[key(origin.login)];
  if (perm === undefined || perm === 'unknown')
    return 'your repository permission could not be confirmed (GitHub API error).';
  if (!permissionAtLeast(perm, policy.approverPermission)) {
    return `holding needs at least \`${policy.approverPermission}\` permission (you have \`${perm}\`).`;
  }
  return undefined;
}

/**
 * The void record for an approval whose comment was edited or deleted (or whose review was
 * dismissed), with the reply; undefined when that comment or review carried no approval.
 */
export function decideVoid(
  evaluation: GovernanceEvaluation,
  target: VoidRecord['target'],
  reason: VoidRecord['reason'],
  at: string,
): { record: VoidRecord; message: string } | undefined {
  const carried = evaluation.ledger.records.filter(
    (t) =>
      t.record.kind === 'approve' &&
      t.record.source.type === target.type &&
      t.record.source.id === target.id,
  );
  if (carried.length === 0) return undefined;
  const already = evaluation.ledger.records.some(
    (t) =>
      t.record.kind === 'void' &&
      t.record.target.type === target.type &&
      t.record.target.id === target.id,
  );
  if (already) return undefined;
  const by = carried[0]!.record.kind === 'approve' ? carried[0]!.record.by : '';
  const what = target.type === 'comment' ? 'comment' : 'review';
  return {
    record: { v: 1, kind: 'void', target, reason, at },
    message: `The approval by @${by} no longer counts because its ${what} was ${reason}. ${
      reason === 'dismissed'
        ? 'A new approving review is needed.'
        : 'Post a new `/autopack approve` comment to approve again.'
    }`,
  };
}
