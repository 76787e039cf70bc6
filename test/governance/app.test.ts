/**
 * Governance inside the Probot App (app/governance.ts): real webhook payloads delivered to a real
 * Probot instance (retry and throttling off, as Probot advises for tests), GitHub served by nock
 * at the HTTP boundary. In the App, a decided command is re-published through the App's own
 * coalescing queue (`requestEvaluation({ only: ['governance'] })`), never by a second writer.
 */
import { Octokit } from '@octokit/rest';
import nock from 'nock';
import { pino } from 'pino';
import { Probot, ProbotOctokit } from 'probot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { governanceCheck } from '../../checks/governance/check.js';
import type { CheckResult } from '../../checks/model.js';
import type { ChangedFile, RepoSnapshot } from '../../checks/snapshot.js';
import { createCaches } from '../../app/caches.js';
import type { AppDeps, ReevaluationRequest } from '../../app/deps.js';
import {
  approveActionProvider,
  governanceInputProvider,
  registerGovernance,
} from '../../app/governance.js';
import { inputProviders } from '../../app/providers.js';
import { loadConfigAt } from '../../github/governance/policy.js';
import { API, BASE_SHA, BOT, FakePR, HEAD_SHA, OWNER, R, REPO } from './fake-github.js';
import { commentEvent, requestedActionEvent } from './payloads.js';
import { configFrom } from './helpers.js';

const POLICY = `governance:
  rules:
    - id: core
      paths: ['src/core/**']
      approvers: { teams: ['Octocoders/core'] }
`;

let pr: FakePR;
let requested: ReevaluationRequest[];
let probot: Probot;

function makeDeps(log: AppDeps['log']): AppDeps {
  return {
    appId: 31337,
    log,
    caches: createCaches(),
    requestEvaluation: (r) => requested.push(r),
    loadConfig: (client, repo, sha) => loadConfigAt(client, repo, sha),
    appIdentity: async () => ({ id: 31337, slug: 'autopack', name: 'Autopack', botLogin: BOT }),
    idle: async () => {},
  };
}

beforeEach(() => {
  nock.disableNetConnect();
  pr = new FakePR();
  pr.baseFiles['.github/autopack.yml'] = POLICY;
  pr.files = [
    { filename: 'src/core/a.ts', sha: 'b1', status: 'modified', additions: 1, deletions: 1 },
  ];
  pr.permissions = { dave: 'write', codertocat: 'admin' };
  pr.memberships = { 'octocoders/core': { dave: 'active' } };
  pr.teamMembers = { 'octocoders/core': ['dave'] };
  pr.collaborators = [{ login: 'dave', role: 'write' }];
  pr.install(nock(API));
  requested = [];
  probot = new Probot({
    githubToken: 'ghs_test',
    Octokit: ProbotOctokit.defaults({ retry: { enabled: false }, throttle: { enabled: false } }),
    log: pino({ level: 'silent' }),
  });
  registerGovernance(probot, makeDeps(probot.log));
});

afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('registerGovernance', () => {
  it('issue_comment.created: answers the command and asks the App to re-evaluate governance only', async () => {
    const c = pr.addComment('dave', '/autopack approve');
    await probot.receive({
      id: 'd-1',
      name: 'issue_comment',
      payload: commentEvent('created', c) as never,
    });
    expect(pr.take()).toEqual([
      `GET ${R}/issues/1/comments?per_page=100`,
      `GET ${R}/pulls/1`,
      `GET ${R}/contents/.github/autopack.yml?ref=${BASE_SHA}`,
      `GET ${R}/compare/${BASE_SHA}...${HEAD_SHA}?per_page=1`,
      `GET ${R}/collaborators/dave/permission`,
      `GET /orgs/octocoders/teams/core/memberships/dave`,
      `POST ${R}/issues/comments/${c.id}/reactions`,
      `POST ${R}/issues/1/comments`,
    ]);
    expect(pr.checkRuns).toEqual([]); // the App's publisher writes the run
    expect(requested).toEqual([
      {
        installationId: 1,
        repo: { owner: OWNER, repo: REPO },
        pullNumber: 1,
        only: ['governance'],
        reason: 'issue_comment.created: governance command',
        delivery: 'd-1',
        headSha: HEAD_SHA,
        baseRef: 'main',
        baseSha: BASE_SHA,
      },
    ]);
  });

  it('a comment on an issue (not a pull request) and a comment with no command request nothing', async () => {
    const c = pr.addComment('dave', '/autopack approve');
    const p = commentEvent('created', c);
    delete p.issue.pull_request;
    await probot.receive({ id: 'd-2', name: 'issue_comment', payload: p as never });
    const plain = pr.addComment('dave', 'thanks!');
    await probot.receive({
      id: 'd-3',
      name: 'issue_comment',
      payload: commentEvent('created', plain) as never,
    });
    expect(pr.take()).toEqual([]);
    expect(requested).toEqual([]);
  });

  it('check_run.requested_action: the Approve button is handled', async () => {
    await probot.receive({
      id: 'd-4',
      name: 'check_run',
      payload: requestedActionEvent('dave', HEAD_SHA) as never,
    });
    expect(pr.lastBotComment()!.body).toMatch(/@dave approved `core`/);
    expect(requested.map((r) => r.reason)).toEqual(['check_run.requested_action: Approve']);
  });
});

describe('the input provider and the Approve button', () => {
  const files: ChangedFile[] = [
    { path: 'src/core/a.ts', status: 'modified', blobSha: 'b1', additions: 1, deletions: 1 },
  ];
  const snapshot = {
    source: `github:${OWNER}/${REPO}@${HEAD_SHA}`,
    headSha: HEAD_SHA,
    files: [],
    problems: [],
    maxReadBytes: 1 << 20,
    hasFile: () => false,
    hasDir: () => false,
    read: async () => ({ kind: 'missing' as const }),
    change: {
      baseRef: 'main',
      baseSha: BASE_SHA,
      headSha: HEAD_SHA,
      files,
      readBase: async () => ({ kind: 'missing' as const }),
      baseFiles: async () => [],
    },
  } satisfies RepoSnapshot;

  it('is registered in app/providers.ts', () => {
    expect(inputProviders).toContain(governanceInputProvider);
  });

  it('reuses the evaluation’s config and files: only the pull request, its comments and people are read', async () => {
    const client = new Octokit({
      auth: 'x',
      log: { debug() {}, info() {}, warn() {}, error() {} },
    });
    const config = await configFrom(POLICY);
    const ctx = {
      client,
      repo: { owner: OWNER, repo: REPO },
      pullNumber: 1,
      headSha: HEAD_SHA,
      baseSha: BASE_SHA,
      config,
      snapshot,
      checks: ['governance' as const],
      kind: 'pull_request' as const,
    };
    const provided = await governanceInputProvider(ctx);
    // The listings behind "who could still approve" run concurrently: compare as a set.
    expect(pr.take().sort()).toEqual([
      `GET /orgs/octocoders/teams/core/members?per_page=100`,
      `GET ${R}/collaborators?affiliation=all&per_page=100`,
      `GET ${R}/issues/1/comments?per_page=100`,
      `GET ${R}/pulls/1`,
    ]);
    expect(provided.governance?.pullRequest).toMatchObject({
      number: 1,
      author: 'Codertocat',
      headSha: HEAD_SHA,
      files,
    });
    const outcome = await governanceCheck.run({
      snapshot,
      config,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      inputs: provided,
    });
    expect(outcome.conclusion).toBe('action_required');
    expect(outcome.summary?.replace(/\u200b/g, '')).toMatch(/Could still approve[\s\S]*@dave/);
    const orphan = await governanceInputProvider({
      ...ctx,
      pullNumber: undefined,
      kind: 'merge_group',
    });
    const failed = await governanceCheck.run({
      snapshot,
      config,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      inputs: orphan,
    });
    expect(failed.conclusion).toBe('failure');
    const skip = await governanceInputProvider({ ...ctx, pullNumber: undefined, kind: 'branch' });
    expect(skip).toEqual({ governanceSkip: expect.stringMatching(/^Not a pull request/) });
    expect(pr.take()).toEqual([]);
    expect(await governanceInputProvider({ ...ctx, checks: ['drift'] })).toEqual({});
    expect(pr.take()).toEqual([]);
    const skipped = await governanceCheck.run({
      snapshot,
      config,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      inputs: skip,
    });
    expect(skipped.conclusion).toBe('skipped');
  });

  it('offers "Approve" only while approvals are missing (not for a hold or a policy error)', () => {
    const result = (conclusion: CheckResult['conclusion'], rules: string[]): CheckResult => ({
      checkId: 'governance',
      title: 'Governance',
      conclusion,
      findings: rules.map((ruleId) => ({
        checkId: 'governance',
        ruleId,
        severity: 'error',
        message: 'x',
        fingerprint: 'f',
      })),
      durationMs: 0,
    });
    const ctx = (r: CheckResult) => ({
      name: 'autopack/governance',
      results: [r],
      repo: { owner: OWNER, repo: REPO },
      headSha: HEAD_SHA,
      pullNumber: 1,
    });
    expect(approveActionProvider(ctx(result('action_required', ['approval-required'])))).toEqual([
      {
        label: 'Approve',
        description: 'Approve the protected changes at this head',
        identifier: 'approve',
      },
    ]);
    expect(
      approveActionProvider(ctx(result('action_required', ['approval-required', 'hold']))),
    ).toBeUndefined();
    expect(approveActionProvider(ctx(result('success', [])))).toBeUndefined();
    const off = result('action_required', ['approval-required']);
    off.findings[0]!.properties = { approveButton: false };
    expect(approveActionProvider(ctx(off))).toBeUndefined();
    expect(
      approveActionProvider({
        ...ctx(result('action_required', ['approval-required'])),
        name: 'autopack/drift',
      }),
    ).toBeUndefined();
  });
});
