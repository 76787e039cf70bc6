/**
 * Repository permissions of people. Source: GitHub REST API, "Collaborators":
 * "Get repository permissions for a user"
 * (`GET /repos/{owner}/{repo}/collaborators/{username}/permission`: `role_name` is `admin`,
 * `maintain`, `write`, `triage`, `read` or a custom role; `user.permissions` holds the booleans
 * `admin`, `maintain`, `push`, `triage`, `pull`; `permission` is the legacy
 * admin/write/read/none) and "List repository collaborators"
 * (`GET /repos/{owner}/{repo}/collaborators?affiliation=all`, 100 per page, every page read).
 */
import type { RepoPermission } from '../../checks/governance/types.js';
import type { GitHubClient, RepoRef } from '../client.js';
import { callGitHub, GitHubAPIError } from '../errors.js';

interface PermissionBooleans {
  admin?: boolean;
  maintain?: boolean;
  push?: boolean;
  triage?: boolean;
  pull?: boolean;
}

const ROLES: readonly string[] = ['admin', 'maintain', 'write', 'triage', 'read', 'none'];

/**
 * The effective permission level from what GitHub sent: the booleans when present (they
 * resolve custom roles to their base), else `role_name` when it is a built-in role, else the
 * legacy `permission`.
 */
export function permissionFrom(data: {
  permission?: string;
  role_name?: string;
  permissions?: PermissionBooleans;
}): RepoPermission {
  const p = data.permissions;
  if (p) {
    if (p.admin) return 'admin';
    if (p.maintain) return 'maintain';
    if (p.push) return 'write';
    if (p.triage) return 'triage';
    if (p.pull) return 'read';
    return 'none';
  }
  if (data.role_name && ROLES.includes(data.role_name)) return data.role_name as RepoPermission;
  if (data.permission && ROLES.includes(data.permission)) return data.permission as RepoPermission;
  return 'none';
}

/**
 * The repository permission of `login`. A 404 (no such user) is `none`. Rejects with
 * GitHubAPIError for anything else: the caller must treat that as "cannot be confirmed".
 */
export async function getRepoPermission(
  client: GitHubClient,
  repo: RepoRef,
  login: string,
): Promise<RepoPermission> {
  const path = `/repos/${repo.owner}/${repo.repo}/collaborators/${login}/permission`;
  try {
    const res = await callGitHub('GET', path, () =>
      client.request('GET /repos/{owner}/{repo}/collaborators/{username}/permission', {
        owner: repo.owner,
        repo: repo.repo,
        username: login,
      }),
    );
    const data = res.data as {
      permission?: string;
      role_name?: string;
      user?: { permissions?: PermissionBooleans } | null;
    };
    return permissionFrom({
      permission: data.permission,
      role_name: data.role_name,
      permissions: data.user?.permissions,
    });
  } catch (e) {
    if (e instanceof GitHubAPIError && e.isNotFound) return 'none';
    throw e;
  }
}

/** Every collaborator with their permission, all pages. Rejects with GitHubAPIError. */
export async function listCollaborators(
  client: GitHubClient,
  repo: RepoRef,
): Promise<Array<{ login: string; permission: RepoPermission }>> {
  const path = `/repos/${repo.owner}/${repo.repo}/collaborators`;
  const raw = await callGitHub('GET', path, () =>
    client.paginate(
      'GET /repos/{owner}/{repo}/collaborators',
      { owner: repo.owner, repo: repo.repo, affiliation: 'all', per_page: 100 },
      (res) =>
        res.data as unknown as Array<{
          login: string;
          role_name?: string;
          permissions?: PermissionBooleans;
        }>,
    ),
  );
  return raw.map((c) => ({
    login: c.login,
    permission: permissionFrom({ role_name: c.role_name, permissions: c.permissions }),
  }));
}
