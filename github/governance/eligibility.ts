/**
 * Resolves the eligibility facts an evaluation needs (checks/governance/plan.ts says which):
 * each person's repository permission, their membership in the named teams, and — only when a
 * rule still needs approvals — the listings behind "who could still approve". Lookups run a few
 * at a time. Any API failure records `unknown` plus a note, never a guess: an approver whose
 * permission cannot be confirmed does not count.
 */
import pLimit from 'p-limit';
import type { CandidatePlan, EligibilityPlan } from '../../checks/governance/plan.js';
import type {
  EligibilityFacts,
  Membership,
  RepoPermission,
} from '../../checks/governance/types.js';
import type { GitHubClient, RepoRef } from '../client.js';
import { toGitHubAPIError } from '../errors.js';
import { getRepoPermission, listCollaborators } from './permissions.js';
import { getTeamMembership, listTeamMembers } from './teams.js';

/** Lookups in flight at once. */
const CONCURRENCY = 4;

function describe(e: unknown): string {
  return toGitHubAPIError(e).describe();
}

/** Resolves the per-person facts of `plan`. Never rejects: failures become `unknown` with a note. */
export async function resolveEligibility(
  client: GitHubClient,
  repo: RepoRef,
  plan: EligibilityPlan,
): Promise<EligibilityFacts> {
  const limit = pLimit(CONCURRENCY);
  const permissions: Record<string, RepoPermission | 'unknown'> = {};
  const memberships: Record<string, Record<string, Membership>> = {};
  const errors: string[] = [];
  await Promise.all([
    ...plan.logins.map((login) =>
      limit(async () => {
        try {
          permissions[login] = await getRepoPermission(client, repo, login);
        } catch (e) {
          permissions[login] = 'unknown';
          errors.push(`could not confirm @${login}'s repository permission: ${describe(e)}`);
        }
      }),
    ),
    ...plan.memberships.map(({ team, login }) =>
      limit(async () => {
        const m = (memberships[team] ??= {});
        try {
          m[login] = await getTeamMembership(client, team, login);
        } catch (e) {
          m[login] = 'unknown';
          errors.push(`could not confirm @${login}'s membership of @${team}: ${describe(e)}`);
        }
      }),
    ),
  ]);
  return { permissions, memberships, errors };
}

/**
 * Adds the listings of `plan` to `facts` (team members, collaborators with permission). A listing
 * that fails is left out and noted; the summary then describes that group instead of naming it.
 */
export async function resolveCandidates(
  client: GitHubClient,
  repo: RepoRef,
  plan: CandidatePlan,
  facts: EligibilityFacts,
): Promise<EligibilityFacts> {
  const limit = pLimit(CONCURRENCY);
  const teamMembers: Record<string, readonly string[] | undefined> = {
    ...(facts.teamMembers ?? {}),
  };
  let collaborators = facts.collaborators;
  const errors = [...(facts.errors ?? [])];
  await Promise.all([
    ...plan.teams.map((team) =>
      limit(async () => {
        try {
          teamMembers[team] = await listTeamMembers(client, team);
        } catch (e) {
          errors.push(`could not list the members of @${team}: ${describe(e)}`);
        }
      }),
    ),
    ...(plan.collaborators && !collaborators
      ? [
          limit(async () => {
            try {
              collaborators = await listCollaborators(client, repo);
            } catch (e) {
              errors.push(`could not list the repository's collaborators: ${describe(e)}`);
            }
          }),
        ]
      : []),
  ]);
  return { ...facts, teamMembers, collaborators, errors };
}
