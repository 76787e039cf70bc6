/**
 * What every step of the Action is handed (built by runner.ts from the environment), the
 * step's result, and the Action's expected-failure error.
 */
import type { Conclusion, Logger } from '../checks/model.js';
import type { GitHubClient } from '../github/client.js';
import type { ActionEvent } from './event.js';
import type { ActionInputs } from './inputs.js';

/** What main and its steps need. */
export interface MainDeps {
  inputs: ActionInputs;
  event: ActionEvent;
  /** `GITHUB_WORKSPACE`: the checkout. */
  workspace: string;
  /** Where report files go by default (`$RUNNER_TEMP/autopack`). */
  tempDir: string;
  /** The API client; undefined when the `token` input is empty. */
  client?: GitHubClient;
  logger: Logger;
}

/** The step's result: `failed` decides its status; `message` is its last log line. */
export interface MainResult {
  conclusion: Conclusion | 'skipped';
  findings: number;
  failed: boolean;
  message: string;
}

/** An expected failure of the step (a missing token, an event the mode cannot serve). */
export class ActionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ActionError';
  }
}

/** The API client, or an ActionError naming what needed it. */
export function requireClient(deps: MainDeps, what: string): GitHubClient {
  if (!deps.client)
    throw new ActionError(`${what} needs the GitHub API, but the "token" input is empty`);
  return deps.client;
}
