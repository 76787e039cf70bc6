/**
 * Reads what the runner hands the Action (inputs as `INPUT_*`, the event from
 * `GITHUB_EVENT_NAME` / `GITHUB_EVENT_PATH`, `GITHUB_WORKSPACE`, `RUNNER_TEMP`), decides what the
 * event asks to evaluate and says so (the step's first line of work), builds the API client for
 * `GITHUB_API_URL`, runs main.ts, and turns its result into the step's status. An expected error
 * (a bad input, an invalid config, an unusable event) fails the step with its message only;
 * nothing unknown turns green.
 *
 * main.ts (the engine, the policy loader, the GitHub modules) is imported only after the first
 * line: the bundle evaluates that code lazily, so the step starts working sooner.
 */
import * as core from '@actions/core';
import { context, getOctokit } from '@actions/github';
import os from 'node:os';
import path from 'node:path';
import { redact } from '../checks/redact.js';
import { GitHubAPIError } from '../github/errors.js';
import { ConfigError } from '../policies/errors.js';
import { ActionError } from './deps.js';
import { describeTarget, EventError, resolveTarget, type ActionEvent } from './event.js';
import { InputError, parseInputs } from './inputs.js';
import { actionsLogger } from './logger.js';

/** Error names of the expected failures raised by the lazily loaded modules (no eager import for `instanceof`). */
const EXPECTED_LAZY = new Set(['SnapshotError', 'BaselineRefreshError', 'UsageError']);

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
    const target = resolveTarget(event);
    core.info(`autopack: mode ${inputs.mode}, ${event.eventName} event, ${describeTarget(target)}`);
    const workspace = path.resolve(process.env.GITHUB_WORKSPACE || process.cwd());
    const tempDir = path.join(process.env.RUNNER_TEMP || os.tmpdir(), 'autopack');
    const client = inputs.token ? getOctokit(inputs.token) : undefined;
    const { main } = await import('./main.js');
    const deps = { inputs, event, workspace, tempDir, client, logger: actionsLogger };
    const result = await main(deps, target);
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
      e instanceof ActionError ||
      EXPECTED_LAZY.has(err?.name);
    core.setFailed(redact(expected ? err.message : `internal error: ${err.stack ?? String(e)}`));
  }
}
