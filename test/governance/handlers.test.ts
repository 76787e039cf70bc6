/**
 * The shared governance handlers (github/governance/handlers.ts) over HTTP: real webhook
 * payloads, GitHub served by nock from an in-memory pull request, every request asserted and
 * counted. Check Runs are published directly here (the Action's way); the App's way is in
 * app.test.ts.
 */
import { Octokit } from '@octokit/rest';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseRecords } from '../../checks/governance/ledger.js';
import {
  handleComment,
  handleMergeGroup,
  handleRequestedAction,
  handleReview,
  type GovernanceDeps,
} from '../../github/governance/handlers.js';
import { API, BASE_SHA, BOT, FakePR, HEAD_SHA, R } from './fake-github.js';
import { commentEvent, mergeGroupEvent, requestedActionEvent, reviewEvent } from './payloads.js';

const POLICY = `extends: autopack:recommended
governance:
  rules:
    - id: core
      paths: ['src/core/**']
      approvers: { teams: ['Octocoders/core'] }
    - id: infra
      paths: ['deploy/**']
      approvers: { users: [alice] }
    - id: libs
      paths: ['lib/**']
      approvers: { codeowners: true }
`;

const CONFIG_GET = `GET ${R}/contents/.github/autopack.yml?ref=${BASE_SHA}`;
const READS = [
  `GET ${R}/pulls/1`,
  CONFIG_GET,
  `GET ${R}/compare/${BASE_SHA}...${HEAD_SHA}?per_page=1`,
];
const COMMENTS = `GET ${R}/issues/1/comments?per_page=100`;

let pr: FakePR;
let client: Octokit;
const deps: GovernanceDeps = { botLogin: BOT, now: () => new Date('2024-05-01T12:00:00Z') };

function setup(files: Array<[string, string, string?]>, policy = POLICY): void {
  nock.cleanAll(); // a second setup in one test replaces the first fake
  pr = new FakePR();
  pr.baseFiles['.github/autopack.yml'] = policy;
  pr.files = files.map(([filename, sha, status]) => ({
    filename,
    sha,
    status: status ?? 'modified',
    additions: 3,
    deletions: 1,
  }));
  pr.permissions = {
    dave: 'write',
    alice: 'maintain',
    erin: 'write',
    codertocat: 'admin',
    mallory: 'write',
    carol: 'read',
  };
  pr.memberships = {
    'octocoders/core': { dave: 'active', erin: 'pending' },
    'octocoders/libs': { erin: 'active' },
  };
  pr.teamMembers = { 'octocoders/core': ['dave', 'erin'] };
  pr.collaborators = [
    { login: 'dave', role: 'write' },
    { login: 'erin', role: 'write' },
    { login: 'alice', role: 'maintain' },
    { login: 'Codertocat', role: 'admin' },
  ];
  pr.install(nock(API));
}

/** Posts `body` as `login` and delivers `issue_comment.created`. */
async function say(login: string, body: string, type = 'User') {
  const c = pr.addComment(login, body, type);
  const r = await handleComment(client, commentEvent('created', c) as never, deps);
  return { c, r };
}

/** Text with the zero-width spaces that keep mentions quiet removed (for matching). */
function plain(s: string): string {
  return s.replace(/\u200b/g, '');
}

function records(body: string) {
  return parseRecords(body).map((p) => (p.ok ? p.record : p.error));
}

beforeEach(() => {
  nock.disableNetConnect();
  client = new Octokit({
    auth: 'ghs_testtoken',
    log: { debug() {}, info() {}, warn() {}, error() {} },
  });
});

afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('/autopack approve', () => {
  it('an eligible team member approves: reaction, one reply with the record, a green Check Run — 10 requests', async () => {
    setup([
      ['src/core/a.ts', 'blob1'],
      ['README.md', 'blob2'],
    ]);
    const { c, r } = await say('dave', 'LGTM\n/autopack approve');
    expect(pr.take()).toEqual([
      COMMENTS,
      ...READS,
      `GET ${R}/collaborators/dave/permission`,
      `GET /orgs/octocoders/teams/core/memberships/dave`,
      `POST ${R}/issues/comments/${c.id}/reactions`,
      `POST ${R}/issues/1/comments`,
      `POST ${R}/check-runs`,
    ]);
    expect(r.decisions.map((d) => d.accepted)).toEqual([true]);
    expect(pr.reactions).toEqual([{ commentId: c.id, content: '+1' }]);
    const reply = pr.lastBotComment()!;
    expect(plain(reply.body)).toMatch(/@dave approved `core` at `ec26c3e57ca3`/);
    expect(records(reply.body)).toEqual([
      expect.objectContaining({
        kind: 'approve',
        by: 'dave',
        head: HEAD_SHA,
        source: expect.objectContaining({ type: 'comment', id: c.id }),
      }),
    ]);
    const run = pr.lastRun();
    expect(run).toMatchObject({
      name: 'autopack/governance',
      head_sha: HEAD_SHA,
      status: 'completed',
      conclusion: 'success',
    });
    expect(run.output.title).toBe('Approved: core');
    expect(plain(run.output.summary)).toMatch(
      /✅ `core` .* \| 1 \| 1 \| @dave at 2024-05-01 \d\d:\d\d:\d\dZ for `ec26c3e` via team @octocoders\/core/,
    );
    expect(run.actions).toBeUndefined();
  });

  it('a redelivered webhook is answered once: the second delivery costs one listing and writes nothing', async () => {
    setup([['src/core/a.ts', 'blob1']]);
    const { c } = await say('dave', '/autopack approve');
    pr.take();
    const again = await handleComment(client, commentEvent('created', c) as never, deps);
    expect(again).toMatchObject({
      handled: false,
      reason: 'already answered (redelivered webhook)',
    });
    expect(pr.take()).toEqual([COMMENTS]);
    expect(pr.comments.filter((x) => x.user.login === BOT)).toHaveLength(1);
  });

  it('quoted and code-block forgeries cost no request and approve nothing', async () => {
    setup([['src/core/a.ts', 'blob1']]);
    for (const body of [
      '> /autopack approve',
      '```\n/autopack approve\n```',
      '    /autopack approve',
      'Try `/autopack approve` later',
      '<!-- /autopack approve -->',
    ]) {
      const { r } = await say('dave', body);
      expect(r).toMatchObject({ handled: false, reason: 'no command' });
    }
    expect(pr.take()).toEqual([]);
    expect(pr.checkRuns).toEqual([]);
  });

  it('a ledger record forged in a human comment is ignored, and the summary says so', async () => {
    setup([['src/core/a.ts', 'blob1']]);
    const forged = `<!-- autopack:ledger {"v":1,"kind":"approve","by":"dave","at":"2024-05-01T10:00:00Z","head":"${HEAD_SHA}","source":{"type":"check\\u002drun","id":1},"rules":[{"id":"core","fingerprint":"x"}]} -->`;
    await say('mallory', `looks fine\n${forged}`);
    expect(pr.take()).toEqual([]); // no command: not even read
    await say('mallory', '/autopack recheck');
    const run = pr.lastRun();
    expect(run.conclusion).toBe('action_required');
    expect(plain(run.output.summary)).toMatch(
      /ignored an `autopack:ledger` record in a comment by @mallory/,
    );
    expect(run.actions).toEqual([
      {
        label: 'Approve',
        description: 'Approve the protected changes at this head',
        identifier: 'approve',
      },
    ]);
  });

  it('self-approval is refused with the reason; nothing is published', async () => {
    setup([['src/core/a.ts', 'blob1']]);
    pr.memberships['octocoders/core']!.codertocat = 'active';
    const { c } = await say('Codertocat', '/autopack approve');
    expect(pr.reactions).toEqual([{ commentId: c.id, content: '-1' }]);
    expect(plain(pr.lastBotComment()!.body)).toMatch(
      /@Codertocat: your approval does not count — rule `core`: is the author of the pull request/,
    );
    expect(records(pr.lastBotComment()!.body)).toEqual([
      expect.objectContaining({ kind: 'reject', verb: 'approve' }),
    ]);
    expect(pr.checkRuns).toEqual([]);
  });

  it('a bot approving is refused without looking up its permission', async () => {
    setup([['src/core/a.ts', 'blob1']]);
    await say('dependabot[bot]', '/autopack approve', 'Bot');
    const reqs = pr.take();
    expect(reqs.filter((x) => x.includes('permission'))).toEqual([]);
    expect(plain(pr.lastBotComment()!.body)).toMatch(
      /@dependabot\[bot\]: bots and apps cannot approve/,
    );
  });

  it('an approver whose permission cannot be confirmed (API error) does not count', async () => {
    setup([['src/core/a.ts', 'blob1']]);
    pr.permissions.dave = { status: 502 };
    await say('dave', '/autopack approve');
    expect(plain(pr.lastBotComment()!.body)).toMatch(
      /repository permission could not be confirmed \(GitHub API error\)/,
    );
    expect(pr.checkRuns).toEqual([]);
  });

  it('an approver losing permission stops counting at the next evaluation', async () => {
    setup([['src/core/a.ts', 'blob1']]);
    await say('dave', '/autopack approve');
    expect(pr.lastRun().conclusion).toBe('success');
    pr.permissions.dave = 'read';
    await say('erin', '/autopack recheck');
    const run = pr.lastRun();
    expect(run.conclusion).toBe('action_required');
    expect(plain(run.output.summary)).toMatch(
      /@dave has `read` permission; approvers need at least `write`/,
    );
  });

  it('team membership: pending does not count; CODEOWNERS from the base branch does, with last-match-wins', async () => {
    setup([
      ['lib/net/x.ts', 'b1'],
      ['lib/a.ts', 'b2'],
    ]);
    pr.baseFiles['.github/CODEOWNERS'] = '* @alice\nlib/ @Octocoders/libs\nlib/net/ @dave\n';
    await say('alice', '/autopack approve'); // owns nothing under lib/ any more
    expect(plain(pr.lastBotComment()!.body)).toMatch(/not an approver of rule `libs`/);
    const reqs = pr.take();
    expect(reqs).toContain(`GET ${R}/contents/.github/CODEOWNERS?ref=${BASE_SHA}`);
    await say('erin', '/autopack approve'); // libs team: lib/a.ts
    expect(pr.lastRun().conclusion).toBe('action_required');
    expect(plain(pr.lastRun().output.summary)).toMatch(
      /`lib\/net\/x.ts` needs an approval from one of its code owners: @dave/,
    );
    expect(plain(pr.lastRun().output.summary)).toMatch(/\| @dave<br>/); // exactly who could still approve
    await say('dave', '/autopack approve');
    expect(pr.lastRun().conclusion).toBe('success');
  });

  it('two rules needing different approvers', async () => {
    setup([
      ['src/core/a.ts', 'b1'],
      ['deploy/prod.yml', 'b2'],
    ]);
    await say('alice', '/autopack approve');
    expect(plain(pr.lastBotComment()!.body)).toMatch(
      /@alice approved `infra`.*Not counted for `core`/s,
    );
    expect(pr.lastRun()).toMatchObject({ conclusion: 'action_required' });
    expect(pr.lastRun().output.title).toBe('Approval required: core');
    await say('dave', '/autopack approve core');
    expect(pr.lastRun().conclusion).toBe('success');
  });

  it('/autopack approve <sha> is refused once the head moved', async () => {
    setup([['src/core/a.ts', 'b1']]);
    await say('dave', '/autopack approve 0123456');
    expect(plain(pr.lastBotComment()!.body)).toMatch(
      /you approved `0123456`, but the head is now `ec26c3e57ca3`/,
    );
    await say('dave', `/autopack approve ${HEAD_SHA.slice(0, 8)}`);
    expect(pr.lastRun().conclusion).toBe('success');
  });
});

describe('pushes after an approval', () => {
  it('a push changing a protected file invalidates it; a push touching only other files keeps it', async () => {
    setup([
      ['src/core/a.ts', 'b1'],
      ['README.md', 'r1'],
    ]);
    await say('dave', '/autopack approve');
    expect(pr.lastRun().conclusion).toBe('success');

    pr.headSha = '1'.repeat(40);
    pr.files = [
      { filename: 'src/core/a.ts', sha: 'b1', status: 'modified' },
      { filename: 'README.md', sha: 'r2', status: 'modified' },
    ];
    await say('erin', '/autopack recheck');
    expect(pr.lastRun()).toMatchObject({ conclusion: 'success', head_sha: '1'.repeat(40) });

    pr.headSha = '2'.repeat(40);
    pr.files = [
      { filename: 'src/core/a.ts', sha: 'b9', status: 'modified' },
      { filename: 'README.md', sha: 'r2', status: 'modified' },
    ];
    await say('erin', '/autopack recheck');
    expect(pr.lastRun()).toMatchObject({ conclusion: 'action_required', head_sha: '2'.repeat(40) });
    expect(plain(pr.lastRun().output.summary)).toMatch(
      /the protected files changed since it was given \(at ec26c3e\)/,
    );
  });

  it('a force-push with the same protected content keeps the approval', async () => {
    setup([['src/core/a.ts', 'b1']]);
    await say('dave', '/autopack approve');
    pr.headSha = '3'.repeat(40); // rewritten history, same tree for the protected file
    await say('erin', '/autopack recheck');
    expect(pr.lastRun()).toMatchObject({ conclusion: 'success', head_sha: '3'.repeat(40) });
  });
});

describe('other commands', () => {
  it('a hold blocks until an eligible approver lifts it', async () => {
    setup([['src/core/a.ts', 'b1']]);
    await say('dave', '/autopack approve');
    await say('dave', '/autopack hold');
    expect(pr.lastRun()).toMatchObject({ conclusion: 'action_required' });
    expect(pr.lastRun().output.title).toBe('On hold by @dave');
    expect(pr.lastRun().actions).toBeUndefined(); // an approval would not lift a hold
    await say('carol', '/autopack unhold'); // read permission
    expect(plain(pr.lastBotComment()!.body)).toMatch(
      /only an eligible approver can hold or unhold/,
    );
    await say('dave', '/autopack unhold');
    expect(pr.lastRun().conclusion).toBe('success');
  });

  it('revoke withdraws the approval', async () => {
    setup([['src/core/a.ts', 'b1']]);
    await say('dave', '/autopack approve');
    await say('dave', '/autopack revoke');
    expect(plain(pr.lastBotComment()!.body)).toMatch(/@dave revoked their approval of `core`/);
    expect(pr.lastRun().conclusion).toBe('action_required');
  });

  it('/autopack status keeps one status comment up to date; unknown commands get the help', async () => {
    setup([['src/core/a.ts', 'b1']]);
    const { c } = await say('erin', '/autopack status');
    expect(pr.reactions.at(-1)).toEqual({ commentId: c.id, content: 'eyes' });
    const status = pr.lastBotComment()!;
    expect(plain(status.body)).toMatch(/### Autopack governance status/);
    expect(plain(status.body)).toMatch(/Approval required: core/);
    expect(plain(status.body)).toMatch(/<!-- autopack:status -->/);
    pr.take();
    await say('erin', '/autopack status');
    expect(pr.take().filter((x) => !x.startsWith('GET'))).toEqual([
      `POST ${R}/issues/comments/${pr.comments.at(-1)!.id}/reactions`,
      `PATCH ${R}/issues/comments/${status.id}`,
    ]);
    await say('erin', '/autopack lgtm');
    expect(plain(pr.lastBotComment()!.body)).toMatch(
      /`\/autopack lgtm` is not a command I know. Commands:/,
    );
  });

  it('a policy change in the pull request itself does not take effect: the policy is read at the base', async () => {
    setup([
      ['.github/autopack.yml', 'loosened'],
      ['src/core/a.ts', 'b1'],
    ]);
    // The head's config would drop every rule; it is never even read.
    await say('dave', '/autopack approve core');
    const reqs = pr.take();
    expect(reqs.filter((x) => x.includes('/contents/'))).toEqual([CONFIG_GET]);
    const run = pr.lastRun();
    expect(run.conclusion).toBe('action_required');
    expect(run.output.title).toBe('Approval required: autopack-config');
    expect(plain(run.output.summary)).toMatch(/Autopack's own policy/);
  });

  it('an invalid base policy makes the check a failure, and approvals are refused', async () => {
    setup(
      [['src/core/a.ts', 'b1']],
      'governance:\n  rules:\n    - id: x\n      paths: ["a"]\n      approvers: { users: [a] }\n    - id: x\n      paths: ["b"]\n      approvers: { users: [a] }\n',
    );
    await say('dave', '/autopack approve');
    expect(plain(pr.lastBotComment()!.body)).toMatch(/the governance policy has errors/);
    await say('dave', '/autopack recheck');
    expect(pr.lastRun().conclusion).toBe('failure');
    expect(plain(pr.lastRun().output.summary)).toMatch(/duplicate rule id "x"/);
  });

  it('reads every page of comments (150 comments, approval on the second page)', async () => {
    setup([['src/core/a.ts', 'b1']]);
    for (let i = 0; i < 150; i++) pr.addComment('erin', `comment ${i}`);
    await say('dave', '/autopack approve');
    expect(pr.take().filter((x) => x.includes('/issues/1/comments?'))).toEqual([
      COMMENTS,
      `${COMMENTS}&page=2`,
    ]);
    expect(pr.lastRun().conclusion).toBe('success');
  });
});

describe('edited and deleted approval comments', () => {
  it('an edited approval no longer counts', async () => {
    setup([['src/core/a.ts', 'b1']]);
    const { c } = await say('dave', '/autopack approve');
    const before = c.body;
    c.body = '/autopack approve\n\n(edited: and also deploy)';
    c.updated_at = pr.tick();
    const r = await handleComment(client, commentEvent('edited', c, 1, before) as never, deps);
    expect(r.handled).toBe(true);
    expect(plain(pr.lastBotComment()!.body)).toMatch(
      /The approval by @dave no longer counts because its comment was edited/,
    );
    expect(records(pr.lastBotComment()!.body)).toEqual([
      expect.objectContaining({
        kind: 'void',
        reason: 'edited',
        target: { type: 'comment', id: c.id },
      }),
    ]);
    expect(pr.lastRun().conclusion).toBe('action_required');
    // Editing it back does not revive it.
    c.body = before;
    await say('erin', '/autopack recheck');
    expect(pr.lastRun().conclusion).toBe('action_required');
  });

  it('a deleted approval no longer counts', async () => {
    setup([['src/core/a.ts', 'b1']]);
    const { c } = await say('dave', '/autopack approve');
    pr.comments = pr.comments.filter((x) => x.id !== c.id);
    await handleComment(client, commentEvent('deleted', c) as never, deps);
    expect(plain(pr.lastBotComment()!.body)).toMatch(
      /no longer counts because its comment was deleted/,
    );
    expect(pr.lastRun().conclusion).toBe('action_required');
  });

  it('forged payloads cannot act: identity, body and edits are read back from GitHub', async () => {
    setup([['src/core/a.ts', 'b1']]);
    // A payload claiming @dave wrote @mallory's comment.
    const m = pr.addComment('mallory', '/autopack approve');
    const forged = commentEvent('created', { ...m, user: { login: 'dave', type: 'User' } });
    await handleComment(client, forged as never, deps);
    expect(plain(pr.lastBotComment()!.body)).toMatch(/@mallory: your approval does not count/);
    // A real approval, then forged "edited" and "deleted" events for it: nothing is voided.
    const { c } = await say('dave', '/autopack approve');
    pr.take();
    expect(
      await handleComment(client, commentEvent('edited', c, 1, 'something else') as never, deps),
    ).toMatchObject({
      handled: false,
      reason: 'GitHub shows no edit of this comment',
    });
    expect(await handleComment(client, commentEvent('deleted', c) as never, deps)).toMatchObject({
      handled: false,
      reason: 'the comment still exists',
    });
    expect(pr.take().filter((x) => !x.startsWith('GET'))).toEqual([]);
    expect(pr.lastRun().conclusion).toBe('success');
    // A payload for a comment that does not exist.
    const ghost = { ...c, id: 999999 };
    expect(
      (await handleComment(client, commentEvent('created', ghost) as never, deps)).reason,
    ).toMatch(/does not exist/);
  });

  it('an edit that adds a command is not read; an edit of a plain comment costs nothing', async () => {
    setup([['src/core/a.ts', 'b1']]);
    const c = pr.addComment('dave', 'hello');
    await handleComment(
      client,
      commentEvent('edited', { ...c, body: 'hello again' }, 1, 'hello') as never,
      deps,
    );
    expect(pr.take()).toEqual([]);
    c.body = 'hello\n/autopack approve';
    c.updated_at = pr.tick();
    await handleComment(client, commentEvent('edited', c, 1, 'hello') as never, deps);
    expect(plain(pr.lastBotComment()!.body)).toMatch(
      /commands added by editing a comment are not read/,
    );
    expect(pr.checkRuns).toEqual([]);
  });
});

describe('pull request reviews (opt-in) and the Approve button', () => {
  it('with review approvals off, an approving review costs two reads and changes nothing', async () => {
    setup([['src/core/a.ts', 'b1']]);
    const r = await handleReview(
      client,
      reviewEvent('submitted', 'dave', 'approved', HEAD_SHA) as never,
      deps,
    );
    expect(r.reason).toMatch(/review approvals are not enabled/);
    expect(pr.take()).toEqual([`GET ${R}/pulls/1`, CONFIG_GET]);
  });

  it('with review approvals on, an approving review on the head counts and a dismissal revokes it', async () => {
    setup(
      [['src/core/a.ts', 'b1']],
      POLICY.replace('governance:\n', 'governance:\n  review-approvals: true\n'),
    );
    pr.reviews.push({
      id: 77,
      user: { login: 'dave', type: 'User' },
      state: 'APPROVED',
      commit_id: HEAD_SHA,
      submitted_at: '2024-05-01T12:00:00Z',
      html_url: 'https://github.com/x/pull/1#pullrequestreview-77',
    });
    await handleReview(
      client,
      reviewEvent('submitted', 'dave', 'approved', HEAD_SHA) as never,
      deps,
    );
    expect(pr.take()).toContain(`GET ${R}/pulls/1/reviews?per_page=100`);
    expect(pr.lastRun().conclusion).toBe('success');
    pr.reviews[0]!.state = 'DISMISSED';
    await handleReview(
      client,
      reviewEvent('dismissed', 'dave', 'dismissed', HEAD_SHA) as never,
      deps,
    );
    expect(plain(pr.lastBotComment()!.body)).toMatch(
      /no longer counts because its review was dismissed/,
    );
    expect(pr.lastRun().conclusion).toBe('action_required');
  });

  it('a review on an older commit does not count', async () => {
    setup(
      [['src/core/a.ts', 'b1']],
      POLICY.replace('governance:\n', 'governance:\n  review-approvals: true\n'),
    );
    pr.reviews.push({
      id: 78,
      user: { login: 'dave', type: 'User' },
      state: 'APPROVED',
      commit_id: '0'.repeat(40),
      submitted_at: '2024-05-01T12:00:00Z',
      html_url: 'x',
    });
    await handleReview(
      client,
      reviewEvent('submitted', 'dave', 'approved', '0'.repeat(40), 78) as never,
      deps,
    );
    expect(plain(pr.lastBotComment()!.body)).toMatch(/but the head is now/);
    expect(pr.checkRuns).toEqual([]);
  });

  it('the Approve button approves as the clicking user, with the same checks, and only for the run’s head', async () => {
    setup([['src/core/a.ts', 'b1']]);
    const stale = await handleRequestedAction(
      client,
      requestedActionEvent('dave', '0'.repeat(40)) as never,
      deps,
    );
    expect(stale.decisions[0]!.accepted).toBe(false);
    const self = await handleRequestedAction(
      client,
      requestedActionEvent('Codertocat', HEAD_SHA) as never,
      deps,
    );
    expect(self.decisions[0]!.message).toMatch(/author of the pull request/);
    pr.take();
    const ok = await handleRequestedAction(
      client,
      requestedActionEvent('dave', HEAD_SHA) as never,
      deps,
    );
    expect(ok.decisions[0]!.accepted).toBe(true);
    // The comments are listed while the pull request is read (one round trip less).
    expect(pr.take()).toEqual([
      COMMENTS,
      ...READS,
      `GET ${R}/collaborators/dave/permission`,
      `GET /orgs/octocoders/teams/core/memberships/dave`,
      `POST ${R}/issues/1/comments`,
      `POST ${R}/check-runs`,
    ]);
    expect(records(pr.lastBotComment()!.body)[0]).toMatchObject({
      kind: 'approve',
      by: 'dave',
      source: { type: 'check-run', id: 4242 },
    });
    expect(pr.lastRun().conclusion).toBe('success');
    // The policy can switch the button off: a click (even a forged one) then does nothing.
    setup(
      [['src/core/a.ts', 'b1']],
      POLICY.replace('governance:\n', 'governance:\n  approve-button: false\n'),
    );
    await say('erin', '/autopack recheck');
    expect(pr.lastRun().conclusion).toBe('action_required');
    expect(pr.lastRun().actions).toBeUndefined();
    const off = await handleRequestedAction(
      client,
      requestedActionEvent('dave', HEAD_SHA) as never,
      deps,
    );
    expect(off).toMatchObject({
      handled: false,
      reason: 'the base-branch policy switched the Approve button off',
    });
    const other = await handleRequestedAction(
      client,
      requestedActionEvent('dave', HEAD_SHA, 'approve', 'autopack/drift') as never,
      deps,
    );
    expect(other.handled).toBe(false);
  });
});

describe('merge queue', () => {
  it('a merge group is re-evaluated on its own content, never waved through', async () => {
    setup([['src/core/a.ts', 'b1']]);
    await say('dave', '/autopack approve');
    const groupHead = '4'.repeat(40);
    // Same protected content in the group: the approval carries over.
    await handleMergeGroup(client, mergeGroupEvent(1, groupHead, BASE_SHA) as never, deps);
    expect(pr.lastRun()).toMatchObject({ head_sha: groupHead, conclusion: 'success' });
    // Another queued entry brings protected content nobody approved here.
    pr.files = [...pr.files, { filename: 'src/core/b.ts', sha: 'b7', status: 'added' }];
    await handleMergeGroup(client, mergeGroupEvent(1, groupHead, BASE_SHA) as never, deps);
    expect(pr.lastRun()).toMatchObject({ head_sha: groupHead, conclusion: 'action_required' });
    // A queue branch that names no pull request fails.
    const bad = mergeGroupEvent(1, groupHead, BASE_SHA);
    bad.merge_group.head_ref = 'refs/heads/gh-readonly-queue/main/weird';
    await handleMergeGroup(client, bad as never, deps);
    expect(pr.lastRun()).toMatchObject({ conclusion: 'failure' });
  });
});

describe('with explicit interceptors (each request expected once, bodies asserted)', () => {
  it('/autopack approve: nine requests, exactly these, then scope.isDone()', async () => {
    nock.cleanAll();
    const pr2 = new FakePR(); // only for its comment factory and constants
    const c = pr2.addComment('dave', '/autopack approve');
    const bodies: Record<string, unknown> = {};
    const scope = nock(API)
      .get(`${R}/issues/1/comments`)
      .query({ per_page: '100' })
      .reply(200, [c])
      .get(`${R}/pulls/1`)
      .reply(200, {
        number: 1,
        state: 'open',
        user: { login: 'Codertocat', type: 'User' },
        labels: [{ name: 'bug' }],
        base: { ref: 'main', sha: BASE_SHA },
        head: { sha: HEAD_SHA, ref: 'f' },
        html_url: 'https://github.com/Codertocat/Hello-World/pull/1',
      })
      .get(`${R}/contents/.github%2Fautopack.yml`)
      .query({ ref: BASE_SHA })
      .reply(200, {
        type: 'file',
        sha: 'c0',
        size: POLICY.length,
        encoding: 'base64',
        content: Buffer.from(POLICY).toString('base64'),
      })
      .get(`${R}/compare/${BASE_SHA}...${HEAD_SHA}`)
      .query({ per_page: '1' })
      .reply(200, {
        status: 'ahead',
        merge_base_commit: { sha: BASE_SHA },
        files: [
          { filename: 'src/core/a.ts', status: 'modified', sha: 'b1', additions: 1, deletions: 0 },
        ],
      })
      .get(`${R}/collaborators/dave/permission`)
      .reply(200, {
        permission: 'write',
        role_name: 'write',
        user: {
          login: 'dave',
          permissions: { pull: true, triage: true, push: true, maintain: false, admin: false },
        },
      })
      .get('/orgs/octocoders/teams/core/memberships/dave')
      .reply(200, { state: 'active', role: 'member' })
      .post(
        `${R}/issues/comments/${c.id}/reactions`,
        (b: { content: string }) => ((bodies.reaction = b), true),
      )
      .reply(201, { id: 1, content: '+1' })
      .post(`${R}/issues/1/comments`, (b: { body: string }) => ((bodies.reply = b), true))
      // GitHub answers with the created comment, body included (nock 15 hands a fetch Request).
      .reply(async (req: Request) => [
        201,
        {
          id: 9001,
          body: ((await req.json()) as { body: string }).body,
          user: { login: BOT, type: 'Bot' },
          created_at: '2024-05-01T10:05:00Z',
          html_url: 'u',
        },
      ])
      .post(`${R}/check-runs`, (b: Record<string, unknown>) => ((bodies.run = b), true))
      .reply(201, { id: 77 });
    const r = await handleComment(client, commentEvent('created', c) as never, deps);
    expect(scope.isDone()).toBe(true);
    expect(r.conclusion).toBe('success');
    expect(bodies.reaction).toEqual({ content: '+1' });
    expect(records((bodies.reply as { body: string }).body)).toEqual([
      {
        v: 1,
        kind: 'approve',
        by: 'dave',
        at: c.created_at,
        source: {
          type: 'comment',
          id: c.id,
          url: c.html_url,
          bodySha: expect.stringMatching(/^[0-9a-f]{64}$/),
        },
        head: HEAD_SHA,
        rules: [{ id: 'core', fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) }],
      },
    ]);
    expect(bodies.run).toMatchObject({
      name: 'autopack/governance',
      head_sha: HEAD_SHA,
      status: 'completed',
      conclusion: 'success',
      output: { title: 'Approved: core' },
    });
  });
});
