/**
 * Team membership. Source: GitHub REST API, "Teams": "Get team membership for a user"
 * (`GET /orgs/{org}/teams/{team_slug}/memberships/{username}`: `state` is `active` or
 * `pending`; 404 when the user is not a member) and "List team members"
 * (`GET /orgs/{org}/teams/{team_slug}/members`, 100 per page, every page read; includes members
 * of child teams). Both need the App's organization "Members: read" permission.
 */
import type { Membership } from '../../checks/governance/types.js';
import type { GitHubClient } from '../client.js';
import { callGitHub, GitHubAPIError } from '../errors.js';

/** Splits `org/slug`. */
export function splitTeam(team: string): { org: string; slug: string } {
  const i = team.indexOf('/');
  return { org: team.slice(0, i), slug: team.slice(i + 1) };
}

/**
 * The membership state of `login` in `team` (`org/slug`): `active`, `pending`, or `none` (404).
 * Rejects with GitHubAPIError for anything else (the caller records `unknown`).
 */
export async function getTeamMembership(
  client: GitHubClient,
  team: string,
  login: string,
): Promise<Membership> {
  const { org, slug } = splitTeam(team);
  const path = `/orgs/${org}/teams/${slug}/memberships/${login}`;
  try {
    const res = await callGitHub('GET', path, () =>
      client.request('GET /orgs/{org}/teams/{team_slug}/memberships/{username}', {
        org,
        team_slug: slug,
        username: login,
      }),
    );
    const state = (res.data as { state?: string }).state;
    return state === 'active' ? 'active' : state === 'pending' ? 'pending' : 'none';
  } catch (e) {
    if (e instanceof GitHubAPIError && e.isNotFound) return 'none';
    throw e;
  }
}

/** The logins of every member of `team` (`org/slug`), all pages. Rejects with GitHubAPIError. */
export async function listTeamMembers(client: GitHubClient, team: string): Promise<string[]> {
  const { org, slug } = splitTeam(team);
  const path = `/orgs/${org}/teams/${slug}/members`;
  const raw = await callGitHub('GET', path, () =>
    client.paginate(
      'GET /orgs/{org}/teams/{team_slug}/members',
      { org, team_slug: slug, per_page: 100 },
      (res) => res.data as unknown as Array<{ login: string }>,
    ),
  );
  return raw.map((m) => m.login);
}
