/**
 * Gathers `inputs.governance` for one pull request from GitHub, for the App and the Action
 * alike: the pull request (fresh), the base-branch policy, the changed files, every comment (the
 * ledger), reviews when review approvals are on, CODEOWNERS from the base, then exactly the
 * eligibility facts the evaluation needs, then — only if some rule is still unsatisfied — the
 * listings behind "who could still approve".
 *
 * Requests, for a pull request with P comment pages, no codeowners rule and k people in the
 * ledger: 1 (pull) + 1-2 (policy) + 1 (compare) + P (comments) + k (permissions) + k×t (team
 * memberships) [+ collaborators and team listings while approvals are missing]. Callers that
 * already hold the pull request, the policy or the files (the App's evaluation) pass them in.
 */
import { evaluateGovernance } from '../../checks/governance/evaluate.js';
import { matchFiles, PathMatcher } from '../../checks/governance/paths.js';
import {
  planCandidates,
  planEligibility,
  type InputWithoutEligibility,
} from '../../checks/governance/plan.js';
import {
  loadGovernancePolicy,
  policyFromConfig,
  type GovernancePolicy,
} from '../../checks/governance/policy.js';
import type {
  CodeownersSource,
  GovernanceInput,
  PrComment,
  PrReview,
  PullRequestFacts,
} from '../../checks/governance/types.js';
import type { ChangedFile } from '../../checks/snapshot.js';
import { ConfigError } from '../../policies/errors.js';
import type { ResolvedConfig } from '../../policies/types.js';
import type { GitHubClient, RepoRef } from '../client.js';
import { readCodeownersAt } from './codeowners.js';
import { listIssueComments } from './comments.js';
import { resolveCandidates, resolveEligibility } from './eligibility.js';
import { listChangedFiles } from './files.js';
import { loadConfigAt } from './policy.js';
import { getPullFacts, type PullFacts } from './pull.js';
import { listReviews } from './reviews.js';

/** Options of {@link gatherGovernanceInput}. */
export interface GatherOptions {
  client: GitHubClient;
  repo: RepoRef;
  pullNumber: number;
  /** The login of the app's own identity; ledger records are trusted only from it. */
  botLogin: string;
  /** The pull request, when the caller already read it. */
  pull?: PullFacts;
  /** The changed files, when the caller already has them (e.g. the App's snapshot). */
  files?: readonly ChangedFile[];
  /** The resolved base-branch config, when the caller already has it. */
  config?: ResolvedConfig;
  /** Loads the base config (default: contents API at the base commit). */
  loadConfig?: (client: GitHubClient, repo: RepoRef, baseSha: string) => Promise<ResolvedConfig>;
  /** Overrides for a merge group: the group's head, base and changed files. */
  target?: { headSha: string; baseSha: string; baseRef: string; files: readonly ChangedFile[] };
  /** People acting now (commenter, reviewer, clicker) whose eligibility must be known. */
  actors?: readonly string[];
  /** Fetch the "who could still approve" listings when a rule is unsatisfied (default true). */
  candidates?: boolean;
  /** Comments already listed (skips the listing). */
  comments?: readonly PrComment[];
}

/** What {@link gatherGovernanceInput} returns. */
export interface GatheredGovernance {
  input: GovernanceInput;
  policy: GovernancePolicy;
  /** The base config, or undefined when it did not validate (see `problems`). */
  config?: ResolvedConfig;
  /** Policy errors and incomplete facts: any makes the evaluation a `failure` (fail closed). */
  problems: string[];
  pull: PullFacts;
}

/**
 * Gathers everything for one evaluation. Rejects with GitHubAPIError only when the pull request
 * itself, its files or its comments cannot be read (nothing can be judged then); an invalid
 * policy or an incomplete file list comes back as `problems`, and unconfirmable people as
 * `unknown` facts.
 */
export async function gatherGovernanceInput(opts: GatherOptions): Promise<GatheredGovernance> {
  const { client, repo } = opts;
  // The comments need only the number: they are listed while the pull request is read.
  const commentsP: Promise<readonly PrComment[]> = opts.comments
    ? Promise.resolve(opts.comments)
    : listIssueComments(client, repo, opts.pullNumber);
  commentsP.catch(() => undefined); // awaited below; a failed pull request read wins
  const pull = opts.pull ?? (await getPullFacts(client, repo, opts.pullNumber));
  const baseSha = opts.target?.baseSha ?? pull.baseSha;
  const problems: string[] = [];
  let config = opts.config;
  if (!config) {
    try {
      config = await (opts.loadConfig ?? loadConfigAt)(client, repo, baseSha);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(
        ...e.problems.map((p) =>
          p.position
            ? `${p.position.file}:${p.position.line}: ${p.key ? `${p.key}: ` : ''}${p.message}`
            : p.message,
        ),
      );
    }
  }
  // With an invalid config, the built-in rules still judge (and the result is `failure`).
  const policy = config ? policyFromConfig(config) : loadGovernancePolicy({});

  const filesP: Promise<{ files: readonly ChangedFile[]; complete: boolean }> = opts.target
    ? Promise.resolve({ files: opts.target.files, complete: true })
    : opts.files
      ? Promise.resolve({ files: opts.files, complete: true })
      : listChangedFiles(client, repo, pull.baseSha, pull.headSha, pull.number);
  const reviewsP: Promise<PrReview[] | undefined> = policy.reviewApprovals
    ? listReviews(client, repo, pull.number)
    : Promise.resolve(undefined);
  const [{ files, complete }, comments, reviews] = await Promise.all([filesP, commentsP, reviewsP]);
  // CODEOWNERS only when a rule that uses it is triggered by these files (up to 3 requests).
  const needsOwners = policy.rules.some(
    (r) => r.approvers.codeowners && matchFiles(new PathMatcher(r.paths), files).length > 0,
  );
  const codeowners: CodeownersSource | undefined = needsOwners
    ? await readCodeownersAt(client, repo, baseSha)
    : undefined;
  if (!complete) {
    problems.push(
      'the pull request changes more files than the GitHub API lists (3,000), so protected paths cannot all be seen; split the pull request',
    );
  }
  const pullRequest: PullRequestFacts = {
    number: pull.number,
    author: pull.author,
    labels: pull.labels,
    baseRef: (opts.target?.baseRef ?? pull.baseRef).replace(/^refs\/heads\//, ''),
    baseSha,
    headSha: opts.target?.headSha ?? pull.headSha,
    approvalHeadSha: pull.headSha,
    files,
    url: pull.url,
  };
  const partial: InputWithoutEligibility = {
    pullRequest,
    comments,
    reviews,
    botLogin: opts.botLogin,
    codeowners,
    problems,
  };
  const plan = planEligibility(policy, partial, opts.actors ?? []);
  let eligibility = await resolveEligibility(client, repo, plan);
  let input: GovernanceInput = { ...partial, eligibility };
  if (opts.candidates !== false) {
    const cplan = planCandidates(evaluateGovernance(policy, input, { problems }));
    if (cplan.collaborators || cplan.teams.length) {
      eligibility = await resolveCandidates(client, repo, cplan, eligibility);
      input = { ...input, eligibility };
    }
  }
  return { input, policy, config, problems, pull };
}
