/**
 * Comparing two commits. Source: GitHub REST API, "Compare two commits"
 * (`GET /repos/{owner}/{repo}/compare/{base}...{head}`). The three-dot comparison is measured from
 * the merge base, exactly as a pull request's "Files changed" is. GitHub returns at most 300
 * changed files (the file list itself is not paginated); `per_page=1` keeps the commit list short
 * while still returning the files and the merge base.
 */
import type { GitHubClient, RepoRef } from './client.js';
import { callGitHub } from './errors.js';

/** A changed file in the GitHub "list files" vocabulary (shared by compare and pulls/files). */
export interface GitHubChangedFile {
  filename: string;
  status: 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unchanged';
  previous_filename?: string;
  /** Blob SHA at the head side. */
  sha?: string | null;
  additions?: number;
  deletions?: number;
}

/** The compare answer, reduced to what evaluation uses. */
export interface Comparison {
  mergeBaseSha: string;
  /** `ahead`, `behind`, `identical` or `diverged`. */
  status: string;
  files: GitHubChangedFile[];
  /** True when GitHub's 300-file cap may have cut the file list. */
  filesMayBeTruncated: boolean;
}

/** The most files compare returns; a list this long may be cut. */
export const COMPARE_FILE_LIMIT = 300;

/** One compare request. Rejects with GitHubAPIError (404 when either commit is unknown). */
export async function compareCommits(
  client: GitHubClient,
  repo: RepoRef,
  base: string,
  head: string,
): Promise<Comparison> {
  const basehead = `${base}...${head}`;
  const path = `/repos/${repo.owner}/${repo.repo}/compare/${basehead}`;
  const res = await callGitHub('GET', path, () =>
    client.request('GET /repos/{owner}/{repo}/compare/{basehead}', {
      owner: repo.owner,
      repo: repo.repo,
      basehead,
      per_page: 1,
    }),
  );
  const data = res.data as {
    merge_base_commit: { sha: string };
    status: string;
    files?: GitHubChangedFile[];
  };
  const files = data.files ?? [];
  return {
    mergeBaseSha: data.merge_base_commit.sha,
    status: data.status,
    files,
    filesMayBeTruncated: files.length >= COMPARE_FILE_LIMIT,
  };
}
