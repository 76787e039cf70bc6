/**
 * CODEOWNERS as GitHub uses it for a pull request: the file on the BASE branch, the first of
 * `.github/CODEOWNERS`, `CODEOWNERS`, `docs/CODEOWNERS` that exists (contents API at the base
 * commit, one request per location tried). An API failure is an `error` source (fail closed:
 * no code owner is confirmed).
 */
import { readCodeowners } from '../../checks/governance/codeowners.js';
import type { CodeownersSource } from '../../checks/governance/types.js';
import type { GitHubClient, RepoRef } from '../client.js';
import { toGitHubAPIError } from '../errors.js';
import { readFileAt } from './policy.js';

/** Reads CODEOWNERS at `baseSha`. Never rejects. */
export async function readCodeownersAt(
  client: GitHubClient,
  repo: RepoRef,
  baseSha: string,
): Promise<CodeownersSource> {
  try {
    return await readCodeowners((p) => readFileAt(client, repo, baseSha, p));
  } catch (e) {
    return { status: 'error', error: toGitHubAPIError(e).describe() };
  }
}
