/**
 * `mode: governance` on `issue_comment` and `pull_request` events, run as the runner runs the
 * bundle: the pull request changes `.github/autopack.yml` (always protected; approvers need
 * `maintain`), and `/autopack approve` comments are decided by the shared handlers, answered as
 * the workflow token's identity, and the `autopack/governance` Check Run is published on the PR
 * head. Payloads are the real `issue_comment.created` and `pull_request.synchronize` examples,
 * pointed at this fixture (the examples' comment is on an issue, so `issue.pull_request` is set,
 * as GitHub sets it for a pull request's conversation).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitFixture, type Fixture } from '../helpers/git-fixture.js';
import {
  checkRunRoutes,
  gitBackedRoutes,
  governanceRoutes,
  type FakeComment,
  type GovernanceState,
} from './git-backed-api.js';
import { examplePayload, runAction, startFakeGitHub, type FakeGitHub } from './harness.js';

const OWNER = 'Codertocat';
const REPO = 'Hello-World';
const PR = 2;

let repo: Fixture;
let baseSha: string;
let headSha: string;
let state: GovernanceState;
let api: FakeGitHub;

beforeAll(async () => {
  repo = await gitFixture({
    'README.md': '# Fixture\n',
    LICENSE: 'MIT\n',
    'SECURITY.md': '# s\n',
    '.github/CODEOWNERS': '* @octo-org/maintainers\n',
  });
  baseSha = repo.git('rev-parse', 'HEAD').trim();
  repo.git('checkout', '-q', '-b', 'feature');
  await repo.write(
    '.github/autopack.yml',
    'extends: autopack:recommended\ngovernance:\n  enabled: false\n',
  );
  headSha = repo.commit('switch governance off (a protected change)');
  state = {
    comments: [],
    permissions: { codertocat: 'admin', octocat: 'maintain', hubot: 'write' },
    reactions: [],
  };
  api = await startFakeGitHub([
    ...gitBackedRoutes(repo.dir, OWNER, REPO, {
      number: PR,
      baseRef: 'main',
      baseSha,
      headSha,
      author: 'Codertocat',
    }),
    ...governanceRoutes(OWNER, REPO, PR, state),
    ...checkRunRoutes(OWNER, REPO),
  ]);
});

afterAll(async () => {
  await api.close();
  await repo.cleanup();
});

let nextComment = 500;

/** A new comment on the pull request, stored in the fake API, and its `issue_comment.created` payload. */
async function comment(login: string, body: string): Promise<Record<string, unknown>> {
  const payload = await examplePayload('issue_comment', 'created');
  const issue = payload.issue as Record<string, unknown>;
  issue.number = PR;
  issue.pull_request = {
    url: `https://api.github.com/repos/${OWNER}/${REPO}/pulls/${PR}`,
    html_url: `https://github.com/${OWNER}/${REPO}/pull/${PR}`,
  };
  const c = payload.comment as Record<string, unknown> & { user: Record<string, unknown> };
  const id = nextComment++;
  const now = new Date().toISOString();
  Object.assign(c, {
    id,
    body,
    created_at: now,
    updated_at: now,
    html_url: `https://github.com/${OWNER}/${REPO}/pull/${PR}#issuecomment-${id}`,
  });
  c.user = { ...c.user, login, type: 'User' };
  state.comments.push(structuredClone(c) as unknown as FakeComment);
  return payload;
}

async function govern(
  eventName: string,
  payload: Record<string, unknown>,
  inputs: Record<string, string> = {},
) {
  const before = api.requests.length;
  const run = await runAction({
    eventName,
    payload,
    workspace: repo.dir,
    sha: baseSha,
    ref: 'refs/heads/main',
    inputs: { mode: 'governance', ...inputs },
    api,
  });
  const requests = api.requests.slice(before);
  const runs = requests.filter(
    (r) => r.method === 'POST' && r.path === `/repos/${OWNER}/${REPO}/check-runs`,
  );
  return {
    run,
    requests,
    runs: runs.map(
      (r) =>
        r.body as {
          name: string;
          head_sha: string;
          conclusion: string;
          output: { title: string; summary: string };
          actions?: unknown[];
        },
    ),
  };
}

describe('mode: governance', () => {
  it('refuses the author approving their own pull request and says why', async () => {
    const { run, runs, requests } = await govern(
      'issue_comment',
      await comment('Codertocat', '/autopack approve'),
    );
    expect(run.code).toBe(0); // the Check Run is the gate, not the step
    // A refused command changes nothing: the reply says why, no new Check Run is written.
    expect(runs).toEqual([]);
    expect(run.outputs.conclusion).toBe('skipped');
    // One reply from the workflow's identity carries the ledger record of the refusal.
    const replies = requests.filter(
      (r) => r.method === 'POST' && r.path === `/repos/${OWNER}/${REPO}/issues/${PR}/comments`,
    );
    expect(replies).toHaveLength(1);
    const reply = state.comments.at(-1)!;
    expect(reply.user.login).toBe('github-actions[bot]');
    expect(reply.body).toMatch(/author/i);
    expect(reply.body).toContain('<!--');
    expect(state.reactions.at(-1)).toMatchObject({ commentId: 500 });
    expect(run.summary).toContain('`/autopack approve`: refused');
  });

  it('accepts an eligible maintainer, records the approval and opens the gate', async () => {
    const { run, runs } = await govern(
      'issue_comment',
      await comment('octocat', 'Looks right.\n\n/autopack approve\n'),
    );
    expect(run.code).toBe(0);
    expect(run.outputs.conclusion).toBe('success');
    expect(runs).toEqual([
      expect.objectContaining({
        name: 'autopack/governance',
        head_sha: headSha,
        conclusion: 'success',
      }),
    ]);
    expect(run.summary).toContain('`/autopack approve`: accepted');
    expect(state.comments.at(-1)!.body).toContain('autopack'); // the ledger record rides in the reply
  });

  it('costs no API request for a comment without a command (a quoted one does not count)', async () => {
    const { run, requests } = await govern(
      'issue_comment',
      await comment('hubot', '> /autopack approve\n\nquoting the above'),
    );
    expect(run.code).toBe(0);
    expect(run.outputs.conclusion).toBe('skipped');
    expect(requests).toEqual([]);
    expect(run.summary).toContain('Nothing to do: no command.');
  });

  it('re-evaluates on pull_request events and trusts the ledger written by the token identity only', async () => {
    const payload = await examplePayload('pull_request', 'synchronize');
    const pr = payload.pull_request as Record<string, Record<string, unknown>>;
    pr.base!.sha = baseSha;
    pr.base!.ref = 'main';
    pr.head!.sha = headSha;
    const trusted = await govern('pull_request', payload);
    expect(trusted.runs).toEqual([
      expect.objectContaining({ name: 'autopack/governance', conclusion: 'success' }),
    ]);
    // The same ledger under another declared identity: the records are not trusted, nothing is approved.
    const other = await govern('pull_request', payload, { 'bot-login': 'autopack-ci[bot]' });
    expect(other.runs).toEqual([
      expect.objectContaining({ name: 'autopack/governance', conclusion: 'action_required' }),
    ]);
  });

  it('ignores a comment on an issue and needs a token', async () => {
    const onIssue = await examplePayload('issue_comment', 'created');
    const { run, requests } = await govern('issue_comment', onIssue);
    expect(run.outputs.conclusion).toBe('skipped');
    expect(requests).toEqual([]);
    const noToken = await govern('issue_comment', await comment('octocat', '/autopack status'), {
      token: '',
    });
    expect(noToken.run.code).toBe(1);
    expect(noToken.run.stdout).toContain(
      'mode: governance needs the GitHub API, but the "token" input is empty',
    );
  });
});
