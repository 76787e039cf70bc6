/**
 * Governance evaluation: which rules a change triggers, which recorded approvals still count
 * (replayed from the ledger, re-checked against eligibility now and bound to content), whether
 * each rule is satisfied, and who could still approve. Pure: every fact comes in through
 * {@link GovernanceInput}; nothing unknown ever counts as an approval.
 */
import { parseCodeowners, ownersOf, type Codeowners, type Owner } from './codeowners.js';
import { contentFingerprint } from './fingerprint.js';
import {
  replayLedger,
  type ActiveHold,
  type LedgerSource,
  type LedgerState,
  type StandingApproval,
} from './ledger.js';
import { branchMatches, matchFiles, PathMatcher, type MatchedFile } from './paths.js';
import type { GovernancePolicy, GovernanceRule } from './policy.js';
import {
  isBotAccount,
  key,
  permissionAtLeast,
  type CodeownersSource,
  type EligibilityFacts,
  type GovernanceInput,
  type PullRequestFacts,
  type RepoPermission,
} from './types.js';

/** Why someone can or cannot approve a rule. */
export interface Eligibility {
  eligible: boolean;
  /** How they qualify: `listed`, `team @org/x`, `permission maintain`, `code owner of path`. */
  via: string[];
  /** Teams (lower-case `org/slug`) of the rule they are an active member of (for quorum). */
  teams: string[];
  /** Matched paths they own through CODEOWNERS. */
  ownedPaths: string[];
  /** When not eligible: why, in one sentence. */
  reason?: string;
}

/** An approval that counts for a rule. */
export interface CountedApproval {
  by: string;
  at: string;
  head: string;
  source: LedgerSource;
  via: string[];
  teams: string[];
  recordUrl?: string;
}

/** A recorded approval that does not count (now), and why. */
export interface UncountedApproval {
  by: string;
  at: string;
  head: string;
  source: LedgerSource;
  reason: string;
}

/** Who could still approve a rule. */
export interface Candidates {
  /** Logins known to be eligible and not yet counted (sorted). */
  logins: string[];
  /** Groups that could not be listed exactly, described (e.g. `members of @org/team (not listed)`). */
  groups: string[];
}

/** The evaluation of one triggered rule. */
export interface RuleResult {
  rule: GovernanceRule;
  files: MatchedFile[];
  /** Content fingerprint of the matched files at the head. */
  fingerprint: string;
  required: number;
  counted: CountedApproval[];
  uncounted: UncountedApproval[];
  satisfied: boolean;
  /** What is still missing, one sentence each (empty when satisfied). */
  missing: string[];
  candidates: Candidates;
}

/** A rule whose paths matched but whose conditions did not hold. */
export interface NotApplicable {
  rule: GovernanceRule;
  files: MatchedFile[];
  reason: string;
}

/** The full evaluation. */
export interface GovernanceEvaluation {
  rules: RuleResult[];
  notApplicable: NotApplicable[];
  holds: ActiveHold[];
  ledger: LedgerState;
  codeowners?: Codeowners;
  /** Problems that make the evaluation a `failure` (policy errors). */
  problems: string[];
  /** Things worth saying that change nothing (eligibility lookups that failed, ignored records). */
  notes: string[];
  conclusion: 'success' | 'action_required' | 'failure';
  title: string;
  /** Whether the policy offers the "Approve" button. */
  approveButton: boolean;
}

/** Options for {@link evaluateGovernance}. */
export interface EvaluateOptions {
  /** Policy errors found by validation; any makes the conclusion `failure`. */
  problems?: string[];
  /** The comment whose commands are being decided now (not counted as unanswered). */
  answering?: number;
}

/**
 * Evaluates the policy over the input. Approvals count only when: recorded by the app's own
 * identity; their comment or review still stands unedited; the approver is not a bot, not
 * ignored, not the author (unless `allow-author`); their permission and membership are
 * confirmed NOW; and the binding holds (same protected content, same head, or `never`).
 */
export function evaluateGovernance(
  policy: GovernancePolicy,
  input: GovernanceInput,
  opts: EvaluateOptions = {},
): GovernanceEvaluation {
  const pr = input.pullRequest;
  const problems = [...new Set([...(opts.problems ?? []), ...(input.problems ?? [])])];
  const notes: string[] = [...(input.eligibility.errors ?? [])];
  const codeowners = loadCodeowners(input.codeowners, policy, notes);
  const ledger = replayLedger({
    comments: input.comments,
    reviews: input.reviews,
    botLogin: input.botLogin,
    reviewApprovals: policy.reviewApprovals,
    answering: opts.answering,
  });
  notes.push(...ledger.notes);
  const elig = new EligibilityResolver(policy, input.eligibility, pr, codeowners, input.codeowners);

  const rules: RuleResult[] = [];
  const notApplicable: NotApplicable[] = [];
  for (const rule of policy.rules) {
    const files = matchFiles(new PathMatcher(rule.paths), pr.files);
    if (files.length === 0) continue;
    const reason = conditionFailure(rule, pr, files, input.eligibility, notes);
    if (reason) {
      notApplicable.push({ rule, files, reason });
      continue;
    }
    rules.push(evaluateRule(rule, files, pr, ledger.approvals, elig, input.eligibility));
  }

  // A hold the app never answered counts once its author is confirmed eligible (fail closed:
  // an eligible person's hold is never lost because the app's reply is missing).
  const holds = ledger.holds.filter((h) => {
    if (!h.unconfirmed) return true;
    const ok = rules.length
      ? rules.some((r) => elig.check(h.by, r.rule, r.files).eligible)
      : (() => {
          const perm = input.eligibility.permissions[key(h.by)];
          return (
            perm !== undefined &&
            perm !== 'unknown' &&
            permissionAtLeast(perm, policy.approverPermission)
          );
        })();
    if (!ok)
      notes.push(
        `the unanswered \`/autopack hold\` by @${h.by} does not count: @${h.by} is not confirmed as an eligible approver`,
      );
    return ok;
  });
  let conclusion: GovernanceEvaluation['conclusion'];
  let title: string;
  const unsatisfied = rules.filter((r) => !r.satisfied);
  if (problems.length) {
    conclusion = 'failure';
    title = 'Governance policy error';
  } else if (holds.length) {
    conclusion = 'action_required';
    title = `On hold by ${[...new Set(holds.map((h) => `@${h.by}`))].join(', ')}`;
  } else if (unsatisfied.length) {
    conclusion = 'action_required';
    title = `Approval required: ${unsatisfied.map((r) => r.rule.id).join(', ')}`;
  } else if (rules.length === 0) {
    conclusion = 'success';
    title = 'No protected paths changed';
  } else {
    conclusion = 'success';
    title = `Approved: ${rules.map((r) => r.rule.id).join(', ')}`;
  }
  return {
    rules,
    notApplicable,
    holds,
    ledger,
    codeowners,
    problems,
    notes,
    conclusion,
    title,
    approveButton: policy.approveButton,
  };
}

function loadCodeowners(
  src: CodeownersSource | undefined,
  policy: GovernancePolicy,
  notes: string[],
): Codeowners | undefined {
  if (!src || src.status !== 'found') return undefined;
  const co = parseCodeowners(src.text, src.path);
  if (co.errors.length && policy.rules.some((r) => r.approvers.codeowners)) {
    for (const e of co.errors.slice(0, 5))
      notes.push(`${src.path}:${e.line}: ${e.message} (GitHub skips this line too)`);
  }
  return co;
}

function conditionFailure(
  rule: GovernanceRule,
  pr: PullRequestFacts,
  files: MatchedFile[],
  facts: EligibilityFacts,
  notes: string[],
): string | undefined {
  const c = rule.if;
  if (c.baseBranches && !branchMatches(pr.baseRef, c.baseBranches)) {
    return `targets \`${pr.baseRef}\`; the rule applies to ${c.baseBranches.map((b) => `\`${b}\``).join(', ')}`;
  }
  if (c.labels && pr.labels !== undefined) {
    const have = new Set(pr.labels.map((l) => l.toLowerCase()));
    if (!c.labels.some((l) => have.has(l.toLowerCase()))) {
      return `has none of the labels ${c.labels.map((l) => `\`${l}\``).join(', ')}`;
    }
  }
  if (c.authors && pr.author !== undefined) {
    const a = key(pr.author);
    const inList = c.authors.users.includes(a);
    let inTeam = false;
    let unknown = false;
    for (const t of c.authors.teams) {
      const m = facts.memberships[t]?.[a];
      if (m === 'active') inTeam = true;
      else if (m === undefined || m === 'unknown') unknown = true;
    }
    if (!inList && !inTeam) {
      if (unknown) {
        notes.push(
          `rule \`${rule.id}\` applies because @${pr.author}'s team membership could not be confirmed`,
        );
      } else {
        return `author @${pr.author} is not among the rule's authors`;
      }
    }
  }
  if (c.changedLines !== undefined) {
    let total = 0;
    let unknown = false;
    for (const f of files) {
      if (f.file.additions === undefined || f.file.deletions === undefined) unknown = true;
      total += (f.file.additions ?? 0) + (f.file.deletions ?? 0);
    }
    if (!unknown && total < c.changedLines) {
      return `${total} changed line(s) in the matched files, below the rule's threshold of ${c.changedLines}`;
    }
  }
  return undefined;
}

/** Resolves eligibility of people for rules from the facts. */
export class EligibilityResolver {
  constructor(
    readonly policy: GovernancePolicy,
    readonly facts: EligibilityFacts,
    readonly pr: PullRequestFacts,
    readonly codeowners: Codeowners | undefined,
    readonly codeownersSource: CodeownersSource | undefined,
  ) {}

  /** The owners of each matched path of the rule (new path, and old path when it matched). */
  ownedBy(files: MatchedFile[]): Array<{ path: string; owners: Owner[] }> {
    if (!this.codeowners) return [];
    const out: Array<{ path: string; owners: Owner[] }> = [];
    for (const f of files)
      for (const p of f.matchedBy)
        out.push({ path: p, owners: ownersOf(this.codeowners, p).owners });
    return out;
  }

  /** True when `login` is, right now, one of `owners` (a listed user, or an active team member). */
  isOwner(login: string, owners: Owner[]): boolean {
    const k = key(login);
    return owners.some((o) =>
      o.kind === 'user'
        ? o.login === k
        : o.kind === 'team'
          ? this.facts.memberships[o.team]?.[k] === 'active'
          : false,
    );
  }

  /** Whether `login` may approve `rule` for these matched files, now. */
  check(login: string, rule: GovernanceRule, files: MatchedFile[], type?: string): Eligibility {
    const k = key(login);
    const no = (reason: string): Eligibility => ({
      eligible: false,
      via: [],
      teams: [],
      ownedPaths: [],
      reason,
    });
    if (isBotAccount(login, type)) return no('bots and apps never count as approvers');
    if (this.policy.ignore.includes(k) || rule.ignore.includes(k))
      return no('is on the ignore list of the policy');
    if (this.pr.author !== undefined && key(this.pr.author) === k && !rule.allowAuthor) {
      return no('is the author of the pull request (the rule does not allow self-approval)');
    }
    const perm = this.facts.permissions[k];
    if (perm === undefined || perm === 'unknown') {
      return no(
        'repository permission could not be confirmed (GitHub API error); it does not count until it can be',
      );
    }
    if (!permissionAtLeast(perm, this.policy.approverPermission)) {
      return no(
        `has \`${perm}\` permission; approvers need at least \`${this.policy.approverPermission}\``,
      );
    }
    const via: string[] = [];
    const teams: string[] = [];
    const unknownTeams: string[] = [];
    const ap = rule.approvers;
    if (ap.users.includes(k)) via.push('listed');
    for (const t of ap.teams) {
      const m = this.facts.memberships[t]?.[k];
      if (m === 'active') {
        via.push(`team @${t}`);
        teams.push(t);
      } else if (m === undefined || m === 'unknown') unknownTeams.push(t);
    }
    if (ap.permission && permissionAtLeast(perm, ap.permission)) via.push(`permission ${perm}`);
    const ownedPaths: string[] = [];
    if (ap.codeowners) {
      for (const { path, owners } of this.ownedBy(files)) {
        if (this.isOwner(k, owners)) ownedPaths.push(path);
        for (const o of owners) {
          if (o.kind !== 'team') continue;
          const m = this.facts.memberships[o.team]?.[k];
          if (m === 'active' && !teams.includes(o.team)) teams.push(o.team);
          else if ((m === undefined || m === 'unknown') && !unknownTeams.includes(o.team))
            unknownTeams.push(o.team);
        }
      }
      if (ownedPaths.length)
        via.push(
          `code owner of ${ownedPaths.length === 1 ? `\`${ownedPaths[0]}\`` : `${ownedPaths.length} files`}`,
        );
    }
    if (via.length) return { eligible: true, via, teams, ownedPaths };
    let reason = `is not an approver of rule \`${rule.id}\` (${describeApprovers(rule, this.codeownersSource)})`;
    if (unknownTeams.length)
      reason += `; membership of ${unknownTeams.map((t) => `@${t}`).join(', ')} could not be confirmed`;
    return no(reason);
  }
}

/** A short description of a rule's approvers, e.g. `@alice, @org/team, maintain permission, CODEOWNERS`. */
export function describeApprovers(rule: GovernanceRule, src?: CodeownersSource): string {
  const parts: string[] = [];
  parts.push(...rule.approvers.users.map((u) => `@${u}`));
  parts.push(...rule.approvers.teams.map((t) => `@${t}`));
  if (rule.approvers.permission)
    parts.push(`anyone with \`${rule.approvers.permission}\` permission`);
  if (rule.approvers.codeowners) {
    parts.push(
      src?.status === 'found'
        ? `the code owners in ${src.path}`
        : 'the code owners (no CODEOWNERS file read)',
    );
  }
  return parts.length ? parts.join(', ') : 'nobody';
}

function short(sha: string): string {
  return sha.slice(0, 7);
}

function evaluateRule(
  rule: GovernanceRule,
  files: MatchedFile[],
  pr: PullRequestFacts,
  standing: readonly StandingApproval[],
  elig: EligibilityResolver,
  facts: EligibilityFacts,
): RuleResult {
  const fingerprint = contentFingerprint(files.map((f) => f.file));
  const counted: CountedApproval[] = [];
  const uncounted: UncountedApproval[] = [];
  const approvalHead = pr.approvalHeadSha ?? pr.headSha;
  for (const a of standing.filter((x) => x.ruleId === rule.id)) {
    const base = { by: a.by, at: a.at, head: a.head, source: a.source };
    let bound: string | undefined;
    if (rule.invalidateOn === 'protected-change' && a.fingerprint !== fingerprint) {
      bound = `the protected files changed since it was given (at ${short(a.head)})`;
    } else if (rule.invalidateOn === 'any-push' && a.head !== approvalHead) {
      bound = `a push since it was given (approved ${short(a.head)}, head is ${short(approvalHead)})`;
    }
    if (bound) {
      uncounted.push({ ...base, reason: bound });
      continue;
    }
    const e = elig.check(a.by, rule, files);
    if (!e.eligible) {
      uncounted.push({ ...base, reason: `@${a.by} ${e.reason ?? 'is not eligible'}` });
      continue;
    }
    counted.push({ ...base, via: e.via, teams: e.teams, recordUrl: a.recordUrl });
  }

  const missing: string[] = [];
  if (counted.length < rule.approvals) {
    missing.push(
      `${rule.approvals - counted.length} more approval(s) needed (${counted.length} of ${rule.approvals})`,
    );
  }
  if (rule.quorum) {
    const got = maxDistinctTeams(counted.map((c) => c.teams));
    if (got < rule.quorum.teams)
      missing.push(`approvals from ${rule.quorum.teams} distinct teams needed (${got} so far)`);
  }
  if (rule.approvers.codeowners) {
    const src = elig.codeownersSource;
    if (src?.status === 'error') {
      missing.push(
        `CODEOWNERS could not be read (${src.error}), so code-owner approval cannot be confirmed`,
      );
    } else {
      for (const { path, owners } of elig.ownedBy(files)) {
        if (owners.length === 0) continue;
        if (counted.some((c) => elig.isOwner(c.by, owners))) continue;
        const names = owners.map((o) => o.raw).join(', ');
        const emailOnly = owners.every((o) => o.kind === 'email');
        missing.push(
          `\`${path}\` needs an approval from one of its code owners: ${names}${emailOnly ? ' (e-mail owners cannot be resolved to GitHub accounts; add an @user or @org/team owner)' : ''}`,
        );
      }
    }
  }
  return {
    rule,
    files,
    fingerprint,
    required: rule.approvals,
    counted,
    uncounted,
    satisfied: missing.length === 0,
    missing,
    candidates: missing.length
      ? candidatesFor(rule, files, counted, elig, facts, pr)
      : { logins: [], groups: [] },
  };
}

/**
 * The largest number of distinct teams the approvers can represent, each approver standing for
 * one team (maximum bipartite matching, Kuhn's augmenting paths; inputs are small).
 */
export function maxDistinctTeams(approverTeams: ReadonlyArray<readonly string[]>): number {
  const teamOwner = new Map<string, number>();
  const tryAssign = (i: number, seen: Set<string>): boolean => {
    for (const t of approverTeams[i] ?? []) {
      if (seen.has(t)) continue;
      seen.add(t);
      const cur = teamOwner.get(t);
      if (cur === undefined || tryAssign(cur, seen)) {
        teamOwner.set(t, i);
        return true;
      }
    }
    return false;
  };
  let n = 0;
  for (let i = 0; i < approverTeams.length; i++) if (tryAssign(i, new Set())) n++;
  return n;
}

function candidatesFor(
  rule: GovernanceRule,
  files: MatchedFile[],
  counted: CountedApproval[],
  elig: EligibilityResolver,
  facts: EligibilityFacts,
  pr: PullRequestFacts,
): Candidates {
  const pool = new Set<string>();
  const groups: string[] = [];
  const ap = rule.approvers;
  for (const u of ap.users) pool.add(u);
  const addTeam = (t: string) => {
    const members = facts.teamMembers?.[t];
    if (members) for (const m of members) pool.add(key(m));
    else groups.push(`members of @${t} (the team's members could not be listed)`);
  };
  for (const t of ap.teams) addTeam(t);
  if (ap.permission) {
    if (facts.collaborators) {
      for (const c of facts.collaborators)
        if (permissionAtLeast(c.permission, ap.permission)) pool.add(key(c.login));
    } else
      groups.push(
        `anyone with \`${ap.permission}\` permission (collaborators could not be listed)`,
      );
  }
  if (ap.codeowners) {
    for (const { owners } of elig.ownedBy(files)) {
      for (const o of owners) {
        if (o.kind === 'user') pool.add(o.login);
        else if (o.kind === 'team') {
          if (!ap.teams.includes(o.team) && !groups.some((g) => g.includes(`@${o.team} `)))
            addTeam(o.team);
        }
      }
    }
  }
  const already = new Set(counted.map((c) => key(c.by)));
  const listed = new Map((facts.collaborators ?? []).map((c) => [key(c.login), c.permission]));
  const memberships = membershipsWithListings(facts);
  const logins: string[] = [];
  for (const login of pool) {
    if (already.has(login)) continue;
    // The same eligibility rules, with permission and membership from the listings when the
    // per-user facts were not fetched (display only: listings never make an approval count).
    const known = facts.permissions[login];
    const perm: RepoPermission | undefined =
      known !== undefined && known !== 'unknown' ? known : listed.get(login);
    if (perm === undefined) continue;
    const probe = new EligibilityResolver(
      elig.policy,
      { ...facts, permissions: { [login]: perm }, memberships },
      pr,
      elig.codeowners,
      elig.codeownersSource,
    );
    if (probe.check(login, rule, files).eligible) logins.push(login);
  }
  return { logins: logins.sort(), groups };
}

/** Memberships extended with what the team listings say (display only, for candidates). */
function membershipsWithListings(facts: EligibilityFacts): EligibilityFacts['memberships'] {
  const out: EligibilityFacts['memberships'] = {};
  for (const [t, m] of Object.entries(facts.memberships)) out[t] = { ...m };
  for (const [t, members] of Object.entries(facts.teamMembers ?? {})) {
    if (!members) continue;
    const m = (out[t] ??= {});
    for (const login of members) if (m[key(login)] === undefined) m[key(login)] = 'active';
  }
  return out;
}

/** The rules `login` could approve right now among the triggered rules. */
export function approvableRules(
  evaluation: GovernanceEvaluation,
  policy: GovernancePolicy,
  input: GovernanceInput,
  login: string,
  type?: string,
): { eligible: RuleResult[]; refused: Array<{ rule: RuleResult; reason: string }> } {
  const elig = new EligibilityResolver(
    policy,
    input.eligibility,
    input.pullRequest,
    evaluation.codeowners,
    input.codeowners,
  );
  const eligible: RuleResult[] = [];
  const refused: Array<{ rule: RuleResult; reason: string }> = [];
  for (const r of evaluation.rules) {
    const e = elig.check(login, r.rule, r.files, type);
    if (e.eligible) eligible.push(r);
    else refused.push({ rule: r, reason: e.reason ?? 'not eligible' });
  }
  return { eligible, refused };
}
