/**
 * Which eligibility facts an evaluation needs, so the shell asks GitHub for exactly those and no
 * more: the permission of every person whose approval the ledger records (plus whoever just
 * commented), their membership in the teams the triggered rules name (approver teams and the
 * code-owner teams of the matched files), and the author's membership in `authors` teams.
 * Pure.
 */
import { parseCodeowners, ownersOf } from './codeowners.js';
import type { GovernanceEvaluation } from './evaluate.js';
import { replayLedger } from './ledger.js';
import { matchFiles, PathMatcher } from './paths.js';
import type { GovernancePolicy } from './policy.js';
import { isBotAccount, key, type GovernanceInput } from './types.js';

/** The lookups to make. Logins and teams are lower-case; teams are `org/slug`. */
export interface EligibilityPlan {
  /** `GET /repos/{o}/{r}/collaborators/{login}/permission` for each. */
  logins: string[];
  /** `GET /orgs/{org}/teams/{slug}/memberships/{login}` for each pair. */
  memberships: Array<{ team: string; login: string }>;
}

/** The input without eligibility facts (what the shell has before it resolves people). */
export type InputWithoutEligibility = Omit<GovernanceInput, 'eligibility'>;

/**
 * Plans the per-person lookups. `extraLogins` are people acting now (a commenter, a reviewer,
 * a button clicker) who are not in the ledger yet. Bots are never looked up (they never count).
 */
export function planEligibility(
  policy: GovernancePolicy,
  input: InputWithoutEligibility,
  extraLogins: readonly string[] = [],
): EligibilityPlan {
  const pr = input.pullRequest;
  const co =
    input.codeowners?.status === 'found'
      ? parseCodeowners(input.codeowners.text, input.codeowners.path)
      : undefined;
  const approverTeams = new Set<string>();
  const authorTeams = new Set<string>();
  for (const rule of policy.rules) {
    const files = matchFiles(new PathMatcher(rule.paths), pr.files);
    if (files.length === 0) continue;
    for (const t of rule.approvers.teams) approverTeams.add(t);
    for (const t of rule.if.authors?.teams ?? []) authorTeams.add(t);
    if (rule.approvers.codeowners && co) {
      for (const f of files) {
        for (const p of f.matchedBy)
          for (const o of ownersOf(co, p).owners) if (o.kind === 'team') approverTeams.add(o.team);
      }
    }
  }
  // Only people whose approval still stands (or whose unanswered hold needs confirming) are
  // looked up: dropped approvals cost nothing.
  const ledger = replayLedger({
    comments: input.comments,
    reviews: input.reviews,
    botLogin: input.botLogin,
    reviewApprovals: policy.reviewApprovals,
  });
  const people = new Set<string>();
  for (const a of ledger.approvals) if (!isBotAccount(a.by)) people.add(key(a.by));
  for (const h of ledger.holds) if (h.unconfirmed && !isBotAccount(h.by)) people.add(key(h.by));
  for (const l of extraLogins) if (!isBotAccount(l)) people.add(key(l));
  const memberships: EligibilityPlan['memberships'] = [];
  for (const login of people) for (const team of approverTeams) memberships.push({ team, login });
  if (pr.author && !isBotAccount(pr.author)) {
    const a = key(pr.author);
    for (const team of authorTeams)
      if (!memberships.some((m) => m.team === team && m.login === a))
        memberships.push({ team, login: a });
  }
  return { logins: [...people].sort(), memberships };
}

/** What to list for "who could still approve" (display only), given an evaluation. */
export interface CandidatePlan {
  /** `GET /orgs/{org}/teams/{slug}/members` (all pages) for each. */
  teams: string[];
  /** `GET /repos/{o}/{r}/collaborators` (all pages), with each one's permission. */
  collaborators: boolean;
}

/** The listings that would make the "could still approve" column exact; empty when every rule is satisfied. */
export function planCandidates(evaluation: GovernanceEvaluation): CandidatePlan {
  const teams = new Set<string>();
  let collaborators = false;
  for (const r of evaluation.rules) {
    if (r.satisfied) continue;
    // Listed users, team members and code owners all need their permission confirmed.
    collaborators = true;
    for (const t of r.rule.approvers.teams) teams.add(t);
    if (r.rule.approvers.codeowners && evaluation.codeowners) {
      for (const f of r.files) {
        for (const p of f.matchedBy)
          for (const o of ownersOf(evaluation.codeowners, p).owners)
            if (o.kind === 'team') teams.add(o.team);
      }
    }
  }
  return { teams: [...teams].sort(), collaborators };
}
