/**
 * The one status comment per pull request that `/autopack status` creates and then keeps up to
 * date (found again by its marker among the app's own comments, so a restart or a second
 * replica updates the same comment instead of adding another).
 */
import type { PrComment } from '../../checks/governance/types.js';
import { key } from '../../checks/governance/types.js';
import type { GitHubClient, RepoRef } from '../client.js';
import { createIssueComment, updateIssueComment } from './comments.js';

/** The marker that identifies the status comment. */
export const STATUS_MARKER = '<!-- autopack:status -->';

/** The app's status comment among `comments`, if any. */
export function findStatusComment(
  comments: readonly PrComment[],
  botLogin: string,
): PrComment | undefined {
  return comments.find((c) => key(c.author) === key(botLogin) && c.body.includes(STATUS_MARKER));
}

/** Creates or updates the status comment with `markdown`. Rejects with GitHubAPIError. */
export async function upsertStatusComment(
  client: GitHubClient,
  repo: RepoRef,
  pullNumber: number,
  comments: readonly PrComment[],
  botLogin: string,
  markdown: string,
): Promise<PrComment> {
  const existing = findStatusComment(comments, botLogin);
  const text = `### Autopack governance status\n\n${markdown}`;
  return existing
    ? updateIssueComment(client, repo, existing.id, text, STATUS_MARKER)
    : createIssueComment(client, repo, pullNumber, text, STATUS_MARKER);
}
