/**
 * Reads what the runner hands the Action (inputs as `INPUT_*`, the event from
 * `GITHUB_EVENT_NAME` / `GITHUB_EVENT_PATH`, `GITHUB_WORKSPACE`, `RUNNER_TEMP`), builds the
 * API client for `GITHUB_API_URL`, runs {@link main}, and turns its result into the step's
 * status. An expected error (a bad input, an invalid config, an unusable event) fails the step
 * with its message only; nothing unknown turns green.
 */
import * as core from '@actions/core';
import { context, getOctokit } from '@actions/github';
import os from 'node:os';
import path from 'node:path';
import { redact } from '../checks/redact.js';
import { GitHubAPIError } from '../github/errors.js';
import { ConfigError } from '../policies/errors.js';
import { SnapshotError } from '../snapshots/local.js';
import { EventError, type ActionEvent } from './event.js';
import { InputError, parseInputs } from './inputs.js';
import { actionsLogger } from './logger.js';
import { ActionError } from './deps.js';
import { main } from './main.js';

/** Runs the Action once; sets `process.exitCode` (1 when the step fails) and never throws. */
export async function run(): Promise<void> {
  try {
    const inputs = parseInputs((name) => core.getInput(name));
    if (inputs.token) core.setSecret(inputs.token);
    let repo: ActionEvent['repo'];
    try {
      repo = context.repo;
    } catch (e) {
      throw new ActionError(
        `the runner did not say which repository this is: ${(e as Error).message}`,
      );
    }
    const event: ActionEvent = {
      eventName: context.eventName ?? '',
      payload: (context.payload ?? {}) as Record<string, unknown>,
      sha: context.sha ?? '',
      ref: context.ref ?? '',
      repo,
      runUrl: context.runId
        ? `${context.serverUrl}/${repo.owner}/${repo.repo}/actions/runs/${context.runId}`
        : undefined,
    };
    const workspace = path.resolve(process.env.GITHUB_WORKSPACE || process.cwd());
    const tempDir = path.join(process.env.RUNNER_TEMP || os.tmpdir(), 'autopack');
    const client = inputs.token ? getOctokit(inputs.token) : undefined;
    const result = await main({ inputs, event, workspace, tempDir, client, logger: actionsLogger });
    if (result.failed) core.setFailed(redact(result.message));
    else core.info(redact(result.message));
  } catch (e) {
    const err = e as Error;
    if (e instanceof GitHubAPIError) {
      core.setFailed(redact(e.describe()));
      return;
    }
    const expected =
      e instanceof InputError ||
      e instanceof ConfigError ||
      e instanceof EventError ||
      e instanceof SnapshotError ||
      e instanceof ActionError;
    core.setFailed(redact(expected ? err.message : `internal error: ${err.stack ?? String(e)}`));
  }
}
