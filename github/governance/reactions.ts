/**
 * Reactions on issue comments. Source: GitHub REST API, "Create reaction for an issue comment"
 * (`POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions`; content one of `+1`,
 * `-1`, `laugh`, `confused`, `heart`, `hooray`, `rocket`, `eyes`). Re-posting the same reaction
 * answers 200 with the existing one, so a redelivered webhook adds nothing.
 */
import type { Reaction } from '../../checks/governance/decide.js';
import type { GitHubClient, RepoRef } from '../client.js';
import { callGitHub } from '../errors.js';

/** Adds `content` to comment `commentId` as the authenticated identity. Rejects with GitHubAPIError. */
export async function addCommentReaction(
  client: GitHubClient,
  repo: RepoRef,
  commentId: number,
  content: Reaction,
): Promise<void> {
  const path = `/repos/${repo.owner}/${repo.repo}/issues/comments/${commentId}/reactions`;
  await callGitHub('POST', path, () =>
    client.request('POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions', {
      owner: repo.owner,
      repo: repo.repo,
      comment_id: commentId,
      content,
    }),
  );
}
