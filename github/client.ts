/**
 * The GitHub client type every API module takes. Both Probot's octokit (the App) and
 * `@actions/github`'s `getOctokit` (the Action) satisfy it; modules under github/ make one kind
 * of call each, with `client.request(...)` / `client.paginate(...)`, so the API surface of
 * Autopack is the list of files in this folder.
 */
import type { Octokit } from '@octokit/rest';

export type GitHubClient = Pick<Octokit, 'request' | 'paginate'>;

/** owner/repo coordinates of a repository. */
export interface RepoRef {
  owner: string;
  repo: string;
}
