/**
 * The pure parts of the Action: what each event asks to evaluate (on the real webhook payloads
 * of @octokit/webhooks-examples) and how inputs are parsed. The bundle tests cover the rest.
 */
import { describe, expect, it } from 'vitest';
import { EventError, resolveTarget, type ActionEvent } from '../../action/event.js';
import {
  DEFAULT_ANNOTATION_CAP,
  InputError,
  failingSeverities,
  parseInputs,
} from '../../action/inputs.js';
import { examplePayload } from './harness.js';

const repo = { owner: 'Codertocat', repo: 'Hello-World' };
const ev = (
  eventName: string,
  payload: Record<string, unknown>,
  extra: Partial<ActionEvent> = {},
): ActionEvent => ({
  eventName,
  payload,
  sha: 'a'.repeat(40),
  ref: 'refs/heads/main',
  repo,
  ...extra,
});

describe('resolveTarget', () => {
  it('pull_request: the PR, its base and head from the payload', async () => {
    const p = await examplePayload('pull_request', 'synchronize');
    expect(resolveTarget(ev('pull_request', p))).toEqual({
      kind: 'pull-request',
      number: 2,
      baseRef: 'master',
      baseSha: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e',
      headSha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
      fromFork: false,
      baseCheckout: false,
    });
  });

  it('pull_request_target: the same PR, with the base branch checked out', async () => {
    const p = await examplePayload('pull_request', 'opened');
    expect(resolveTarget(ev('pull_request_target', p))).toMatchObject({
      kind: 'pull-request',
      baseCheckout: true,
    });
  });

  it('a PR from a deleted fork counts as a fork', async () => {
    const p = await examplePayload('pull_request', 'opened');
    (p.pull_request as { head: { repo: unknown } }).head.repo = null;
    expect(resolveTarget(ev('pull_request', p))).toMatchObject({ fromFork: true });
  });

  it('push: the pushed head; a deleted ref is nothing to do', async () => {
    const created = await examplePayload('push', undefined, 4);
    expect(resolveTarget(ev('push', created))).toEqual({
      kind: 'ref',
      ref: 'refs/heads/master',
      headSha: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
      defaultBranch: 'master',
      onDefaultBranch: true,
      trigger: 'push',
    });
    const deleted = await examplePayload('push', undefined, 1);
    expect(resolveTarget(ev('push', deleted))).toEqual({
      kind: 'ignored',
      reason: 'the push deleted refs/tags/simple-tag',
    });
  });

  it('schedule: the default branch (GITHUB_REF / GITHUB_SHA), without a repository in the payload', () => {
    expect(resolveTarget(ev('schedule', { schedule: '0 3 * * *' }))).toEqual({
      kind: 'ref',
      ref: 'refs/heads/main',
      headSha: 'a'.repeat(40),
      defaultBranch: undefined,
      onDefaultBranch: true,
      trigger: 'schedule',
    });
  });

  it('workflow_dispatch: the ref it was run on; the default branch only when it is', async () => {
    const p = await examplePayload('workflow_dispatch', undefined, 0);
    expect(resolveTarget(ev('workflow_dispatch', p))).toMatchObject({
      kind: 'ref',
      onDefaultBranch: true,
      defaultBranch: 'main',
    });
    expect(resolveTarget(ev('workflow_dispatch', p, { ref: 'refs/heads/topic' }))).toMatchObject({
      onDefaultBranch: false,
    });
  });

  it('merge_group: the group, base_sha...head_sha', async () => {
    const p = await examplePayload('merge_group', 'checks_requested');
    expect(resolveTarget(ev('merge_group', p))).toEqual({
      kind: 'merge-group',
      baseRef: 'main',
      baseSha: '380387fbc80638b734a49e1be1c4dfec1c01b33c',
      headSha: '2ffea6db159f6b6c47a24e778fb9ef40cf6b1c7d',
      headRef: 'refs/heads/gh-readonly-queue/main/pr-104-929f8209d40f77f4abc622a499c93a83babdbe64',
    });
  });

  it('issue_comment: the PR when the issue is one; nothing for an issue', async () => {
    const p = await examplePayload('issue_comment', 'created');
    expect(resolveTarget(ev('issue_comment', p))).toMatchObject({ kind: 'ignored' });
    (p.issue as Record<string, unknown>).pull_request = { url: 'x' };
    expect(resolveTarget(ev('issue_comment', p))).toEqual({
      kind: 'pull-request-activity',
      number: 1,
      trigger: 'issue_comment',
    });
  });

  it('pull_request_review: the PR and the head the review saw', async () => {
    const p = await examplePayload('pull_request_review', 'submitted');
    expect(resolveTarget(ev('pull_request_review', p))).toEqual({
      kind: 'pull-request-activity',
      number: 2,
      trigger: 'pull_request_review',
      headSha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
    });
  });

  it('rejects a payload that lacks what its event promises', () => {
    expect(() => resolveTarget(ev('pull_request', {}))).toThrow(EventError);
    expect(() =>
      resolveTarget(
        ev('pull_request', {
          pull_request: { number: 1, base: { ref: 'm', sha: 'nope' }, head: { sha: 'x' } },
        }),
      ),
    ).toThrow(/pull_request.base.sha" is not a 40-hex commit SHA/);
  });
});

describe('parseInputs', () => {
  const read = (m: Record<string, string>) => (name: string) => m[name] ?? '';

  it('gives the documented defaults', () => {
    expect(parseInputs(read({ token: 't' }))).toEqual({
      config: undefined,
      checks: undefined,
      token: 't',
      failOn: 'error',
      annotations: DEFAULT_ANNOTATION_CAP,
      sarifOutput: undefined,
      checkRuns: false,
      mode: 'check',
      sarif: [],
      baseline: undefined,
      driftIssue: true,
      botLogin: undefined,
    });
  });

  it('parses lists, booleans and the annotation cap', () => {
    const i = parseInputs(
      read({
        checks: 'drift,\nsot, drift',
        sarif: 'a.sarif\nscan/*.sarif',
        annotations: '5',
        'check-runs': 'True',
      }),
    );
    expect(i.checks).toEqual(['drift', 'sot']);
    expect(i.sarif).toEqual(['a.sarif', 'scan/*.sarif']);
    expect(i.annotations).toBe(5);
    expect(i.checkRuns).toBe(true);
    expect(parseInputs(read({ annotations: 'false' })).annotations).toBe(0);
    expect(parseInputs(read({ annotations: '100000' })).annotations).toBe(1000);
  });

  it('names the input and the choices for a bad value', () => {
    expect(() => parseInputs(read({ mode: 'lint' }))).toThrow(
      new InputError(
        'input "mode" is "lint"; expected one of: check, governance, baseline-refresh',
      ),
    );
    expect(() => parseInputs(read({ 'check-runs': 'yes' }))).toThrow(
      'input "check-runs" is "yes"; expected true or false',
    );
    expect(() => parseInputs(read({ annotations: 'many' }))).toThrow(
      /input "annotations" is "many"/,
    );
  });

  it('maps fail-on to the severities that fail the step', () => {
    expect(failingSeverities('error')).toEqual(['error']);
    expect(failingSeverities('warning')).toEqual(['error', 'warning']);
    expect(failingSeverities('never')).toEqual([]);
  });
});
