/**
 * What the App hands to the modules it hosts (governance's `registerGovernance(app, deps)`):
 * the means to re-evaluate a pull request, to read its base-branch policy, and to know the App's
 * own identity, without reaching into the App's internals.
 */
import type { Logger } from 'probot';
import type { CheckId } from '../checks/model.js';
import type { ResolvedConfig } from '../policies/types.js';
import type { AppIdentity } from '../github/app.js';
import type { GitHubClient, RepoRef } from '../github/client.js';
import type { AppCaches } from './caches.js';

/** A request to re-evaluate a pull request (e.g. after an approval or a hold). */
export interface ReevaluationRequest {
  installationId: number;
  repo: RepoRef;
  pullNumber: number;
  /** Re-run only these checks (e.g. `['governance']`); absent: every enabled check. */
  only?: CheckId[];
  /** Why, for logs, e.g. `issue_comment.created: /autopack approve`. */
  reason: string;
  /** The webhook delivery behind it, if any. */
  delivery?: string;
  /**
   * The head and base when the caller already knows them (saves one `GET pulls/{n}`); when any is
   * absent the pull request is read first.
   */
  headSha?: string;
  baseRef?: string;
  baseSha?: string;
}

/** The services the App offers to hosted modules. */
export interface AppDeps {
  /** The GitHub App id (Check Runs are looked up by it). */
  appId: number;
  log: Logger;
  /** The process-wide caches (blob content, trees, files at a commit, ETags). */
  caches: AppCaches;
  /**
   * Queues a forced re-evaluation of the pull request through the same coalescing queue as
   * webhooks (so a burst of approvals is one evaluation), publishing only the Check Runs of
   * `only`. Returns immediately.
   */
  requestEvaluation(req: ReevaluationRequest): void;
  /**
   * The resolved policy at commit `baseSha` (read from the base branch as evaluations do;
   * cached by commit). Rejects with ConfigError or GitHubAPIError.
   */
  loadConfig(client: GitHubClient, repo: RepoRef, baseSha: string): Promise<ResolvedConfig>;
  /** The App's identity (`GET /app`, cached); its bot login is the author of the App's comments. */
  appIdentity(): Promise<AppIdentity>;
  /** Resolves when no evaluation runs or waits (tests, graceful shutdown). */
  idle(): Promise<void>;
}
