/**
 * The facts the governance check evaluates: the pull request, its comments and reviews (the
 * approval ledger lives in them), and the eligibility facts a shell resolved from GitHub.
 * The engine never calls GitHub: the shells (github/governance/ for the App and the Action)
 * gather these facts and hand them over as `inputs.governance`.
 */
import type { ChangedFile } from '../snapshot.js';

/**
 * A repository permission, as `GET /repos/{owner}/{repo}/collaborators/{username}/permission`
 * reports it (`role_name`, or the `permissions` booleans), lowest to highest:
 * none < read < triage < write < maintain < admin.
 */
export type RepoPermission = 'none' | 'read' | 'triage' | 'write' | 'maintain' | 'admin';

/** The permission levels in ascending order. */
export const PERMISSION_LEVELS: readonly RepoPermission[] = [
  'none',
  'read',
  'triage',
  'write',
  'maintain',
  'admin',
];

/** True when `have` is at least `need` in {@link PERMISSION_LEVELS} order. */
export function permissionAtLeast(have: RepoPermission, need: RepoPermission): boolean {
  return PERMISSION_LEVELS.indexOf(have) >= PERMISSION_LEVELS.indexOf(need);
}

/** The pull request under evaluation (or, in the CLI, `--base REF...HEAD`). */
export interface PullRequestFacts {
  /** Pull request number; absent for a local `--base` evaluation. */
  number?: number;
  /** Author login; `undefined` when unknown (CLI): author conditions then apply (fail closed). */
  author?: string;
  /** Labels; `undefined` when unknown (CLI): label conditions then apply (fail closed). */
  labels?: readonly string[];
  /** The target branch name, e.g. `main` (no `refs/heads/`). */
  baseRef: string;
  baseSha?: string;
  /** The head commit the evaluation is for. */
  headSha: string;
  /**
   * The head an `any-push` approval must have been given for. Equal to `headSha` for a pull
   * request; for a merge group it is the queued pull request's own head.
   */
  approvalHeadSha?: string;
  /** The changed files, with status, previous path (renames) and head blob SHA. */
  files: readonly ChangedFile[];
  /** Web URL of the pull request, for links. */
  url?: string;
}

/** One issue comment on the pull request (`GET /repos/{o}/{r}/issues/{n}/comments`). */
export interface PrComment {
  id: number;
  author: string;
  /** `User`, `Bot` or `Organization`, as GitHub's `user.type` says. */
  authorType?: string;
  body: string;
  /** ISO 8601. */
  createdAt: string;
  updatedAt?: string;
  /** `html_url`. */
  url?: string;
}

/** One pull request review (`GET /repos/{o}/{r}/pulls/{n}/reviews`). */
export interface PrReview {
  id: number;
  author: string;
  authorType?: string;
  /** `APPROVED`, `CHANGES_REQUESTED`, `COMMENTED`, `DISMISSED` or `PENDING`. */
  state: string;
  /** The commit the review was submitted on. */
  commitId?: string;
  submittedAt?: string;
  url?: string;
}

/** Membership state of a user in a team (`GET /orgs/{org}/teams/{slug}/memberships/{user}`). */
export type Membership = 'active' | 'pending' | 'none' | 'unknown';

/**
 * What the shell resolved about people. Keys are lower-case logins and lower-case
 * `org/team-slug`. A missing or `unknown` entry means "could not be confirmed": it never
 * makes anyone eligible (fail closed).
 */
export interface EligibilityFacts {
  /** Repository permission per login. */
  permissions: Record<string, RepoPermission | 'unknown'>;
  /** Team membership per team, then per login. */
  memberships: Record<string, Record<string, Membership>>;
  /** Team member listings (display only: "who could still approve"); `undefined` = not listed. */
  teamMembers?: Record<string, readonly string[] | undefined>;
  /** Collaborators with their permission (display only); `undefined` = not listed. */
  collaborators?: ReadonlyArray<{ login: string; permission: RepoPermission }>;
  /** API problems met while resolving, shown in the summary. */
  errors?: readonly string[];
}

/** The CODEOWNERS file read from the base branch. */
export type CodeownersSource =
  | { status: 'found'; path: string; text: string }
  | { status: 'absent' }
  | { status: 'error'; error: string };

/** Everything the governance check needs from a shell: `inputs.governance`. */
export interface GovernanceInput {
  pullRequest: PullRequestFacts;
  /** Every issue comment on the pull request (complete pagination). */
  comments: readonly PrComment[];
  /** Reviews, when review approvals are enabled. */
  reviews?: readonly PrReview[];
  /** The login of the app's own identity (`<slug>[bot]`, or `github-actions[bot]` in the Action). */
  botLogin: string;
  eligibility: EligibilityFacts;
  /** CODEOWNERS from the base branch, when a rule uses CODEOWNERS approvers. */
  codeowners?: CodeownersSource;
  /**
   * What the shell could not establish (an invalid base policy, a file list GitHub cut short):
   * any entry makes the conclusion `failure` (fail closed).
   */
  problems?: readonly string[];
}

declare module '../model.js' {
  interface CheckInputs {
    /** Pull request facts, ledger and eligibility for the governance check (App and Action). */
    governance?: GovernanceInput;
    /**
     * Set by a shell when there is deliberately nothing for governance to judge (a push to the
     * default branch: no pull request, no approvals): the check is `skipped` with this reason.
     */
    governanceSkip?: string;
  }
}

/** Lower-cases a login or team key for comparison (GitHub logins are case-insensitive). */
export function key(login: string): string {
  return login.trim().replace(/^@/, '').toLowerCase();
}

/** True for a GitHub App or bot account: `user.type` is `Bot`, or the login ends in `[bot]`. */
export function isBotAccount(login: string, type?: string): boolean {
  return type === 'Bot' || /\[bot\]$/i.test(login);
}
