/**
 * Providers of extra check inputs for an App evaluation (e.g. governance approvals gathered
 * from the pull request's comments). Each module that needs one adds it to `inputProviders`
 * with one line; the evaluation merges what they return into the run's CheckInputs.
 */
import type { CheckId, CheckInputs } from '../checks/model.js';
import type { RepoSnapshot } from '../checks/snapshot.js';
import type { ResolvedConfig } from '../policies/types.js';
import type { GitHubClient, RepoRef } from '../github/client.js';
import { governanceInputProvider } from './governance.js';

/** What an input provider is told about the evaluation. */
export interface EvaluationContext {
  client: GitHubClient;
  repo: RepoRef;
  /** The pull request number, when evaluating a pull request. */
  pullNumber?: number;
  headSha: string;
  baseSha?: string;
  config: ResolvedConfig;
  snapshot: RepoSnapshot;
  /**
   * The checks this evaluation runs (enabled ones, or the subset a re-run asked for). A provider
   * whose check is not among them should return `{}` without calling GitHub.
   */
  checks: readonly CheckId[];
  /**
   * What is evaluated. A merge group whose queue branch names no pull request must still be
   * judged (governance fails closed), never waved through as a branch push.
   */
  kind: 'pull_request' | 'branch' | 'merge_group';
}

/** What is known once the policy is: everything but the snapshot (the tree is not read yet). */
export type EarlyContext = Omit<EvaluationContext, 'snapshot'>;

/** Gathers some of an evaluation's CheckInputs once its snapshot is built. */
export interface InputProvider {
  (ctx: EvaluationContext): Promise<Partial<CheckInputs>>;
  /**
   * Optional: starts the reads that need only the policy, while the evaluation reads the tree,
   * and returns what to call (instead of the provider) once the snapshot is built. Never throws;
   * a failed early read rejects that call.
   */
  start?(early: EarlyContext): (ctx: EvaluationContext) => Promise<Partial<CheckInputs>>;
}

export const inputProviders: InputProvider[] = [governanceInputProvider];
