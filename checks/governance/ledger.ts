/**
 * The approval ledger. GitHub is the database: every command the app accepts (or rejects) is
 * answered by a comment from the app's own identity carrying a machine-readable record,
 *
 *     <!-- autopack:ledger {"v":1,"kind":"approve",...} -->
 *
 * and evaluation replays these records. Records are trusted ONLY from comments whose author is
 * the app's own login; anyone else's `autopack:ledger` text is ignored. A record that points
 * at a human comment is cross-checked against that comment as it is now: a deleted comment, a
 * comment whose body changed since it was accepted, or one voided by an `edited` / `deleted`
 * webhook no longer carries an approval. A dismissed review no longer carries one either.
 *
 * The JSON is written with `-`, `<`, `>` and `&` escaped as `\u00XX`, so a record can never
 * close its HTML comment early, and stays valid JSON.
 */
import { isBotAccount, key, type PrComment, type PrReview } from './types.js';
import { bodyDigest } from './fingerprint.js';
import { parseCommands } from './commands.js';

/** The record format version this build writes and reads. */
export const LEDGER_VERSION = 1;

/** Where an approval or command came from. */
export type LedgerSource =
  | { type: 'comment'; id: number; url?: string; bodySha: string }
  | { type: 'review'; id: number; url?: string }
  | { type: 'check-run'; id: number; url?: string };

/** An accepted approval: who, when, for which head, which rules with which content fingerprint. */
export interface ApproveRecord {
  v: 1;
  kind: 'approve';
  by: string;
  /** ISO time of the approving comment, review or click. */
  at: string;
  source: LedgerSource;
  /** The head SHA the approval was given for. */
  head: string;
  /** Each rule approved, with the content fingerprint of its matched files at `head`. */
  rules: Array<{ id: string; fingerprint: string }>;
}

/** A revocation of the author's own earlier approvals (all rules, or those listed). */
export interface RevokeRecord {
  v: 1;
  kind: 'revoke';
  by: string;
  at: string;
  source: LedgerSource;
  rules?: string[];
}

/** A hold (blocks until lifted) or an unhold (lifts every earlier hold). */
export interface HoldRecord {
  v: 1;
  kind: 'hold' | 'unhold';
  by: string;
  at: string;
  source: LedgerSource;
}

/** An approval made void because its comment was edited or deleted, or its review dismissed. */
export interface VoidRecord {
  v: 1;
  kind: 'void';
  target: { type: 'comment' | 'review'; id: number };
  reason: 'edited' | 'deleted' | 'dismissed';
  at: string;
}

/** A command the app answered with a refusal (kept so redelivered webhooks are not answered twice). */
export interface RejectRecord {
  v: 1;
  kind: 'reject';
  by: string;
  at: string;
  source: LedgerSource;
  verb: string;
  reason: string;
}

export type LedgerRecord = ApproveRecord | RevokeRecord | HoldRecord | VoidRecord | RejectRecord;

const MARK = 'autopack:ledger';
const RECORD_RE = /<!--\s*autopack:ledger\s+([\s\S]*?)\s*-->/g;

/** Serializes a record into its HTML comment. */
export function serializeRecord(record: LedgerRecord): string {
  const json = JSON.stringify(record).replace(
    /[-<>&]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `<!-- ${MARK} ${json} -->`;
}

/** A record found in a comment, or why one could not be read. */
export type ParsedRecord = { ok: true; record: LedgerRecord } | { ok: false; error: string };

/** Every `autopack:ledger` record in a comment body, in order. Never throws. */
export function parseRecords(body: string): ParsedRecord[] {
  const out: ParsedRecord[] = [];
  RECORD_RE.lastIndex = 0;
  for (let m = RECORD_RE.exec(body); m; m = RECORD_RE.exec(body)) {
    let value: unknown;
    try {
      value = JSON.parse(m[1] ?? '');
    } catch (e) {
      out.push({ ok: false, error: `unreadable ledger record: ${(e as Error).message}` });
      continue;
    }
    const problem = recordProblem(value);
    out.push(problem ? { ok: false, error: problem } : { ok: true, record: value as LedgerRecord });
  }
  return out;
}

function isStr(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}

function isId(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function sourceProblem(s: unknown): string | undefined {
  const src = s as Partial<LedgerSource> | undefined;
  if (!src || typeof src !== 'object') return 'source missing';
  if (src.type !== 'comment' && src.type !== 'review' && src.type !== 'check-run')
    return 'unknown source type';
  if (!isId(src.id)) return 'source id missing';
  if (src.type === 'comment' && !isStr((src as { bodySha?: unknown }).bodySha))
    return 'comment digest missing';
  return undefined;
}

/** Why a parsed JSON value is not a valid record of this version, or undefined when it is. */
export function recordProblem(v: unknown): string | undefined {
  const r = v as Record<string, unknown> | null;
  if (!r || typeof r !== 'object' || Array.isArray(r)) return 'ledger record is not an object';
  if (r.v !== LEDGER_VERSION)
    return `ledger record version ${String(r.v)} is not supported (this build reads version ${LEDGER_VERSION})`;
  if (!isStr(r.at) || Number.isNaN(Date.parse(r.at))) return 'ledger record has no valid time';
  switch (r.kind) {
    case 'approve': {
      if (!isStr(r.by) || !isStr(r.head)) return 'approve record lacks by/head';
      const rules = r.rules as unknown;
      if (!Array.isArray(rules) || rules.length === 0) return 'approve record lacks rules';
      for (const x of rules as Array<Record<string, unknown>>) {
        if (!x || !isStr(x.id) || !isStr(x.fingerprint))
          return 'approve record has a malformed rule entry';
      }
      return sourceProblem(r.source);
    }
    case 'revoke':
      if (!isStr(r.by)) return 'revoke record lacks by';
      if (
        r.rules !== undefined &&
        (!Array.isArray(r.rules) || !(r.rules as unknown[]).every(isStr))
      )
        return 'revoke record has malformed rules';
      return sourceProblem(r.source);
    case 'hold':
    case 'unhold':
    case 'reject':
      if (!isStr(r.by)) return `${r.kind} record lacks by`;
      return sourceProblem(r.source);
    case 'void': {
      const t = r.target as Record<string, unknown> | undefined;
      if (!t || (t.type !== 'comment' && t.type !== 'review') || !isId(t.id))
        return 'void record lacks a target';
      if (r.reason !== 'edited' && r.reason !== 'deleted' && r.reason !== 'dismissed')
        return 'void record has an unknown reason';
      return undefined;
    }
    default:
      return `unknown ledger record kind ${String(r.kind)}`;
  }
}

/** A trusted record with the bot comment that carried it. */
export interface TrustedRecord {
  record: LedgerRecord;
  /** The bot comment carrying it, and when that comment was written. */
  commentId: number;
  at: string;
  commentUrl?: string;
}

/** An approval still standing after replay, before eligibility and binding are checked. */
export interface StandingApproval {
  by: string;
  at: string;
  source: LedgerSource;
  head: string;
  ruleId: string;
  fingerprint: string;
  /** The bot comment that recorded it. */
  recordCommentId: number;
  recordUrl?: string;
}

/** An approval the ledger no longer carries, and why (shown in the summary). */
export interface DroppedApproval {
  by: string;
  at: string;
  source: LedgerSource;
  rules: string[];
  reason: string;
}

/** A hold in force. */
export interface ActiveHold {
  by: string;
  at: string;
  source: LedgerSource;
  recordCommentId: number;
  /** From a human `/autopack hold` the app never answered: counts once its author is confirmed eligible. */
  unconfirmed?: boolean;
}

/** The ledger replayed. */
export interface LedgerState {
  approvals: StandingApproval[];
  dropped: DroppedApproval[];
  holds: ActiveHold[];
  /** Comment ids (human comments) the app has already answered; review ids likewise. */
  answeredComments: Set<number>;
  answeredReviews: Set<number>;
  /** Human comments carrying state-changing commands that the app never answered. */
  unanswered: Array<{ commentId: number; author: string; url?: string; verbs: string[] }>;
  /** Records ignored (unreadable, wrong version, from someone other than the app). */
  notes: string[];
  /** Every trusted record in order (for audit output). */
  records: TrustedRecord[];
}

/** The records in comments written by the app's own identity, in order. Others are ignored. */
export function trustedRecords(
  comments: readonly PrComment[],
  botLogin: string,
  notes: string[] = [],
): TrustedRecord[] {
  const bot = key(botLogin);
  const ordered = [...comments].sort((a, b) => cmpTime(a.createdAt, b.createdAt) || a.id - b.id);
  const out: TrustedRecord[] = [];
  for (const c of ordered) {
    if (!c.body.includes(MARK)) continue;
    if (key(c.author) !== bot) {
      notes.push(
        `ignored an \`autopack:ledger\` record in a comment by @${c.author}: records are trusted only from @${botLogin}`,
      );
      continue;
    }
    for (const p of parseRecords(c.body)) {
      if (p.ok) out.push({ record: p.record, commentId: c.id, at: c.createdAt, commentUrl: c.url });
      else notes.push(`ignored a ledger record in ${c.url ?? `comment ${c.id}`}: ${p.error}`);
    }
  }
  return out;
}

function cmpTime(a: string, b: string): number {
  return Date.parse(a) - Date.parse(b);
}

/**
 * Replays the ledger: trusted records and unanswered human commands in time order, each
 * approval cross-checked against the comment or review it came from as it is now.
 *
 * A human `/autopack revoke` or `/autopack hold` that no trusted record answers (the app was
 * down, or someone deleted the app's reply) still takes effect — failing closed: a revoke
 * withdraws its author's earlier approvals, and a hold is in force once its author is confirmed
 * eligible at evaluation (`unconfirmed: true`). Unanswered approvals and unholds never count:
 * what they would bind to, or lift, was never checked.
 */
export function replayLedger(opts: {
  comments: readonly PrComment[];
  reviews?: readonly PrReview[];
  botLogin: string;
  /** Whether review approvals count under the current (base-branch) policy. */
  reviewApprovals: boolean;
  /** A comment being answered right now: its commands are not "unanswered". */
  answering?: number;
}): LedgerState {
  const notes: string[] = [];
  const records = trustedRecords(opts.comments, opts.botLogin, notes);
  const byComment = new Map(opts.comments.map((c) => [c.id, c]));
  const byReview = new Map((opts.reviews ?? []).map((r) => [r.id, r]));
  const voided = new Map<string, VoidRecord['reason']>();
  const answeredComments = new Set<number>();
  const answeredReviews = new Set<number>();
  const beingAnswered = opts.answering;
  for (const { record } of records) {
    if (record.kind === 'void') {
      voided.set(`${record.target.type}:${record.target.id}`, record.reason);
      continue;
    }
    if (record.source.type === 'comment') answeredComments.add(record.source.id);
    if (record.source.type === 'review') answeredReviews.add(record.source.id);
  }

  // Human commands that no trusted record answers.
  const unanswered: LedgerState['unanswered'] = [];
  type Step =
    | { at: string; order: number; tr: TrustedRecord }
    | { at: string; order: number; human: PrComment; verb: 'revoke' | 'hold'; args: string[] };
  const steps: Step[] = [];
  const bot = key(opts.botLogin);
  for (const c of opts.comments) {
    if (key(c.author) === bot || answeredComments.has(c.id) || c.id === beingAnswered) continue;
    if (isBotAccount(c.author, c.authorType)) continue;
    const commands = parseCommands(c.body).filter(
      (x) =>
        x.verb === 'approve' || x.verb === 'revoke' || x.verb === 'hold' || x.verb === 'unhold',
    );
    if (commands.length === 0) continue;
    unanswered.push({
      commentId: c.id,
      author: c.author,
      url: c.url,
      verbs: commands.map((x) => x.verb),
    });
    for (const x of commands) {
      if (x.verb === 'revoke' || x.verb === 'hold')
        steps.push({ at: c.createdAt, order: c.id, human: c, verb: x.verb, args: x.args });
    }
  }
  for (const tr of records) steps.push({ at: tr.at, order: tr.commentId, tr });
  steps.sort((a, b) => cmpTime(a.at, b.at) || a.order - b.order);

  let approvals: StandingApproval[] = [];
  const dropped: DroppedApproval[] = [];
  let holds: ActiveHold[] = [];
  const revoke = (by: string, at: string, rules: string[] | undefined, how: string) => {
    const hit = approvals.filter(
      (a) =>
        key(a.by) === key(by) &&
        (!rules || rules.includes(a.ruleId.toLowerCase())) &&
        cmpTime(a.at, at) <= 0,
    );
    for (const a of hit)
      dropped.push({
        by: a.by,
        at: a.at,
        source: a.source,
        rules: [a.ruleId],
        reason: `${how} by @${by} at ${at}`,
      });
    approvals = approvals.filter((a) => !hit.includes(a));
  };

  for (const step of steps) {
    if ('human' in step) {
      if (step.verb === 'revoke') {
        revoke(
          step.human.author,
          step.at,
          step.args.length ? step.args.map((a) => a.toLowerCase()) : undefined,
          'revoked (command not answered by the app)',
        );
      } else {
        holds.push({
          by: step.human.author,
          at: step.at,
          source: {
            type: 'comment',
            id: step.human.id,
            url: step.human.url,
            bodySha: bodyDigest(step.human.body),
          },
          recordCommentId: step.human.id,
          unconfirmed: true,
        });
      }
      continue;
    }
    const tr = step.tr;
    const r = tr.record;
    switch (r.kind) {
      case 'approve': {
        const why = sourceInvalid(r, byComment, byReview, voided, opts.reviewApprovals);
        if (why) {
          dropped.push({
            by: r.by,
            at: r.at,
            source: r.source,
            rules: r.rules.map((x) => x.id),
            reason: why,
          });
          break;
        }
        for (const rule of r.rules) {
          // A newer approval by the same person for the same rule supersedes the older one.
          approvals = approvals.filter((a) => !(key(a.by) === key(r.by) && a.ruleId === rule.id));
          approvals.push({
            by: r.by,
            at: r.at,
            source: r.source,
            head: r.head,
            ruleId: rule.id,
            fingerprint: rule.fingerprint,
            recordCommentId: tr.commentId,
            recordUrl: tr.commentUrl,
          });
        }
        break;
      }
      case 'revoke':
        revoke(
          r.by,
          r.at,
          r.rules?.map((x) => x.toLowerCase()),
          'revoked',
        );
        break;
      case 'hold':
        holds.push({ by: r.by, at: r.at, source: r.source, recordCommentId: tr.commentId });
        break;
      case 'unhold':
        holds = [];
        break;
      default:
        break;
    }
  }
  return {
    approvals,
    dropped,
    holds,
    answeredComments,
    answeredReviews,
    unanswered,
    notes,
    records,
  };
}

function sourceInvalid(
  r: ApproveRecord,
  byComment: Map<number, PrComment>,
  byReview: Map<number, PrReview>,
  voided: Map<string, VoidRecord['reason']>,
  reviewApprovals: boolean,
): string | undefined {
  const s = r.source;
  if (s.type === 'comment') {
    const v = voided.get(`comment:${s.id}`);
    if (v) return `the approving comment was ${v}`;
    const c = byComment.get(s.id);
    if (!c) return 'the approving comment was deleted';
    if (key(c.author) !== key(r.by)) return 'the approving comment is not by the approver';
    if (bodyDigest(c.body) !== s.bodySha) return 'the approving comment was edited';
    return undefined;
  }
  if (s.type === 'review') {
    if (!reviewApprovals) return 'review approvals are not enabled by the base-branch policy';
    const v = voided.get(`review:${s.id}`);
    if (v) return `the approving review was ${v}`;
    const rev = byReview.get(s.id);
    if (!rev) return 'the approving review no longer exists';
    if (key(rev.author) !== key(r.by)) return 'the approving review is not by the approver';
    if (rev.state !== 'APPROVED') return `the approving review is now ${rev.state.toLowerCase()}`;
    return undefined;
  }
  return undefined; // a Check Run button click has no artifact to re-check
}
