/**
 * End to end, governance's full story: the real server process (app/server.ts, bundled), real
 * HMAC-signed webhooks over HTTP (@octokit/webhooks-examples payloads, adapted minimally), and
 * GitHub served by the stateful fake on 127.0.0.1 (test/app/fake-github.ts), with Probot's retry
 * and throttling on (NODE_ENV=production).
 *
 * Pull request #2 changes `src/core/engine.ts`, which the base branch's policy protects (rule
 * `core`, approver @octo-maintainer). The story, asserted on what the fake GitHub received:
 * 1. opened → `autopack/governance` is `action_required` on the head, with the Approve button;
 * 2. `/autopack approve` by @mallory (write access, not an approver) → refused with a reply that
 *    says why, a -1 reaction, and no new Check Run: still `action_required`;
 * 3. `/autopack approve` by @octo-maintainer → a reply carrying the ledger record, a +1, and the
 *    governance run on the same head turns `success`;
 * 4. the server process is killed and started again (nothing kept in memory): a redelivery of
 *    that approval is recognised from the ledger in the PR's comments and not answered twice;
 * 5. a push touching only an unprotected file → `success` on the new head with no re-approval
 *    (the approval, bound to the protected content, was read back from GitHub);
 * 6. a push changing the protected file → `action_required` again, saying why the approval
 *    stopped counting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGitHub, type FakeComment } from './fake-github.js';
import { example } from './helpers.js';
import {
  bundleServer,
  sendWebhook,
  startServerProcess,
  throwawayPrivateKey,
  type ServerProcess,
} from './server-process.js';

const APP_ID = 4343;
const SECRET = 'e2e-governance-secret';
const OWNER = 'Codertocat';
const REPO = 'Hello-World';
const FULL = `${OWNER}/${REPO}`;
const PR = 2;
const RUN = 'autopack/governance';
/** The base and head of the `pull_request.opened` example. */
const BASE = 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e';
const H1 = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';
/** A push that only touches an unprotected file. */
const H2 = '2b1c0d6f3f0a4e59b7f0c1d2e3f4a5b6c7d8e9f0';
/** A push that changes the protected file again. */
const H3 = '3c2d1e7a4b1b5f6ac8a1d2e3f4a5b6c7d8e9f0a1';
const MAINTAINER = 'octo-maintainer';
const MALLORY = 'mallory';
/** The App's bot user (`<slug>[bot]` of `GET /app`): the author of its comments. */
const BOT = 'autopack[bot]';

/** The base branch's policy: only governance runs; `src/core/**` needs @octo-maintainer. */
const POLICY = [
  'extends: autopack:recommended',
  'workspace-structure:',
  '  enabled: false',
  'actions-pinning:',
  '  enabled: false',
  'drift:',
  '  enabled: false',
  'sot:',
  '  enabled: false',
  'security-baseline:',
  '  enabled: false',
  'governance:',
  '  rules:',
  '    - id: core',
  '      description: The engine',
  "      paths: ['src/core/**']",
  '      approvals: 1',
  '      approvers:',
  `        users: [${MAINTAINER}]`,
  '',
].join('\n');

const BASE_FILES: Record<string, string> = {
  'README.md': '# Hello World\n',
  LICENSE: 'MIT License\n',
  '.github/CODEOWNERS': '* @Codertocat\n',
  '.github/autopack.yml': POLICY,
  'src/core/engine.ts': 'export const engine = 1;\n',
  'src/util.ts': 'export const util = 1;\n',
  'docs/notes.md': '# Notes\n',
};
const H1_FILES = {
  ...BASE_FILES,
  'src/core/engine.ts': 'export const engine = 2;\n',
  'src/util.ts': 'export const util = 2;\n',
};
const H2_FILES = { ...H1_FILES, 'docs/notes.md': '# Notes\n\nMore notes.\n' };
const H3_FILES = { ...H2_FILES, 'src/core/engine.ts': 'export const engine = 3;\n' };

/** `issue_comment.created` for a comment the fake holds, on pull request #2. */
function commentCreated(c: FakeComment) {
  const p = example('issue_comment', 'created');
  p.issue = {
    ...p.issue,
    number: PR,
    pull_request: {
      url: `https://api.github.com/repos/${FULL}/pulls/${PR}`,
      html_url: `https://github.com/${FULL}/pull/${PR}`,
    },
  };
  p.comment = {
    ...p.comment,
    id: c.id,
    body: c.body,
    html_url: c.html_url,
    user: { ...p.comment.user, login: c.user.login, type: c.user.type },
    created_at: c.created_at,
    updated_at: c.updated_at,
    author_association: 'COLLABORATOR',
  };
  return p;
}

/** `pull_request.synchronize` for a push from `before` to `after` (the fake's PR already moved). */
function synchronize(fake: FakeGitHub, before: string, after: string) {
  const p = example('pull_request', 'synchronize');
  p.before = before;
  p.after = after;
  p.pull_request.head.sha = after;
  p.pull_request.updated_at = fake.pull(FULL, PR)!.updatedAt;
  return p;
}

describe('App end to end: governance full story (real server process, fake GitHub)', () => {
  const fake = new FakeGitHub({ appId: APP_ID });
  let bundle: string;
  let server: ServerProcess;
  let env: Record<string, string>;
  let delivery = 0;
  const send = (name: string, payload: unknown, id = `gov-${++delivery}`) =>
    sendWebhook(server.port, SECRET, name, payload, id);
  const writes = () =>
    fake.writesOf(FULL, RUN).map((w) => [w.head_sha, w.status, w.conclusion] as const);
  const waitForWrites = (n: number, what: string) =>
    fake.waitFor(() => fake.writesOf(FULL, RUN).length >= n, 20_000, what);
  const botComments = () => fake.commentsOn(FULL, PR).filter((c) => c.user.login === BOT);
  let maintainerApproval: FakeComment;

  beforeAll(async () => {
    bundle = await bundleServer();
    const port = await fake.listen();
    fake.addCommit(FULL, BASE, BASE_FILES);
    fake.addCommit(FULL, H1, H1_FILES, BASE);
    fake.addCommit(FULL, H2, H2_FILES, H1);
    fake.addCommit(FULL, H3, H3_FILES, H2);
    fake.addPull(FULL, {
      number: PR,
      headSha: H1,
      baseSha: BASE,
      baseRef: 'master',
      headRef: 'changes',
      author: OWNER,
      updatedAt: '2019-05-15T15:20:33Z',
    });
    fake.setRole(FULL, OWNER, 'admin');
    fake.setRole(FULL, MAINTAINER, 'maintain');
    fake.setRole(FULL, MALLORY, 'write');
    env = {
      NODE_ENV: 'production',
      APP_ID: String(APP_ID),
      PRIVATE_KEY: throwawayPrivateKey(),
      WEBHOOK_SECRET: SECRET,
      PORT: '0',
      HOST: '127.0.0.1',
      GHE_HOST: `127.0.0.1:${port}`,
      GHE_PROTOCOL: 'http',
      LOG_LEVEL: 'info',
    };
    server = await startServerProcess(bundle, env);
  });

  afterAll(async () => {
    await server?.stop();
    await fake.close();
  });

  it('1. opened, touching a protected path: action_required on the head, with the Approve button', async () => {
    const payload = example('pull_request', 'opened');
    expect([payload.pull_request.base.sha, payload.pull_request.head.sha]).toEqual([BASE, H1]);
    expect(await send('pull_request', payload)).toBe(200);
    await waitForWrites(1, 'the governance run on the head');
    expect(writes()).toEqual([[H1, 'completed', 'action_required']]);
    const [run] = fake.latestRuns(FULL, H1);
    expect(run).toMatchObject({ name: RUN, conclusion: 'action_required' });
    expect(fake.checkRuns.map((r) => r.name)).toEqual([RUN]); // every other check is off
    expect(run!.output.summary).toContain('**Approval required: core**');
    expect(run!.output.title).toBe('Approval required: core');
    expect(run!.output.summary).toContain('src/core/engine.ts');
    expect(run!.output.summary).not.toContain('src/util.ts');
    expect(run!.output.summary).toContain(MAINTAINER); // who could still approve
    expect(run!.actions).toEqual([expect.objectContaining({ identifier: 'approve' })]);
    // The policy was read at the base, never at the head; nothing was written to the PR yet.
    const policyReads = fake.requests.filter(
      (r) => r.path === `/repos/${FULL}/contents/.github/autopack.yml`,
    );
    expect(new Set(policyReads.map((r) => r.query.ref))).toEqual(new Set([BASE]));
    expect(fake.comments).toEqual([]);
  });

  it('2. an ineligible approval: refused with a reply saying why, still action_required', async () => {
    const c = fake.addComment(FULL, PR, MALLORY, 'Looks fine to me.\n\n/autopack approve\n');
    // The handler answers before the webhook is acknowledged.
    expect(await send('issue_comment', commentCreated(c))).toBe(200);
    const replies = botComments();
    expect(replies).toHaveLength(1);
    expect(replies[0]!.body).toContain(`@${MALLORY}: your approval does not count`);
    expect(replies[0]!.body).toContain('is not an approver of rule `core`');
    expect(replies[0]!.body).toContain('autopack:ledger'); // the refusal is recorded too
    expect(fake.reactions).toEqual([{ repo: FULL, commentId: c.id, content: '-1', by: BOT }]);
    expect(writes()).toEqual([[H1, 'completed', 'action_required']]);
    expect(fake.latestRuns(FULL, H1)[0]!.conclusion).toBe('action_required');
  });

  it('3. an eligible /autopack approve: a recorded reply, +1, and success on the same head', async () => {
    maintainerApproval = fake.addComment(FULL, PR, MAINTAINER, '/autopack approve');
    expect(await send('issue_comment', commentCreated(maintainerApproval))).toBe(200);
    await waitForWrites(2, 'the governance run after the approval');
    expect(writes()).toEqual([
      [H1, 'completed', 'action_required'],
      [H1, 'completed', 'success'],
    ]);
    const [run] = fake.latestRuns(FULL, H1);
    expect(run).toMatchObject({ name: RUN, conclusion: 'success', head_sha: H1 });
    expect(run!.output.summary).toContain('**Approved: core**');
    expect(run!.output.title).toBe('Approved: core');
    expect(run!.output.summary).toContain(MAINTAINER);
    const reply = botComments()[1]!;
    expect(reply.body).toContain(`@${MAINTAINER} approved \`core\` at \`${H1.slice(0, 12)}\``);
    expect(reply.body).toMatch(/<!-- autopack:ledger \{.*"kind":"approve"/);
    expect(reply.body).toContain(`"head":"${H1}"`);
    expect(reply.body).toContain(`"id":${maintainerApproval.id}`);
    // One evaluation per event that needed one: the refused approval requested none.
    await server.waitForLog(
      (l) => l.autopack === 'evaluated' && String(l.reasons).startsWith('issue_comment'),
      20_000,
      'the evaluation after the approval',
    );
    expect(
      server.logs.filter((l) => l.autopack === 'evaluated').map((l) => [l.reasons, l.outcome]),
    ).toEqual([
      [['pull_request.opened'], 'published'],
      [['issue_comment.created: governance command'], 'published'],
    ]);
    expect(fake.reactions.at(-1)).toEqual({
      repo: FULL,
      commentId: maintainerApproval.id,
      content: '+1',
      by: BOT,
    });
  });

  it('4. after a restart, a redelivered approval is recognised from the ledger on GitHub and not answered twice', async () => {
    await server.stop();
    server = await startServerProcess(bundle, env);
    const since = fake.requests.length;
    const comments = fake.comments.length;
    const reactions = fake.reactions.length;
    expect(
      await send('issue_comment', commentCreated(maintainerApproval), 'gov-approval-redelivered'),
    ).toBe(200);
    const after = fake.requests.slice(since);
    // One listing of the comments (the ledger), and nothing written.
    expect(after.filter((r) => r.path === `/repos/${FULL}/issues/${PR}/comments`)).toHaveLength(1);
    expect(after.filter((r) => r.method !== 'GET' && !r.path.endsWith('/access_tokens'))).toEqual(
      [],
    );
    expect(fake.comments.length).toBe(comments);
    expect(fake.reactions.length).toBe(reactions);
    expect(writes()).toHaveLength(2);
  });

  it('5. after the restart, a push touching only an unprotected file is success without re-approving', async () => {
    const since = fake.requests.length;
    const comments = fake.comments.length;
    fake.pushToPull(FULL, PR, H2);
    expect(await send('pull_request', synchronize(fake, H1, H2))).toBe(200);
    await waitForWrites(3, 'the governance run on the second head');
    expect(writes()).toEqual([
      [H1, 'completed', 'action_required'],
      [H1, 'completed', 'success'],
      [H2, 'completed', 'success'],
    ]);
    const [run] = fake.latestRuns(FULL, H2);
    expect(run!.output.summary).toContain('**Approved: core**');
    expect(run!.output.title).toBe('Approved: core');
    expect(run!.output.summary).toContain(MAINTAINER);
    // The restarted process knew the approval only from the comments it read back from GitHub.
    expect(
      fake.requests
        .slice(since)
        .filter((r) => r.method === 'GET' && r.path === `/repos/${FULL}/issues/${PR}/comments`),
    ).toHaveLength(1);
    expect(fake.comments.length).toBe(comments);
  });

  it('6. a push changing the protected file: action_required again, saying why', async () => {
    fake.pushToPull(FULL, PR, H3);
    expect(await send('pull_request', synchronize(fake, H2, H3))).toBe(200);
    await waitForWrites(4, 'the governance run on the third head');
    expect(writes()).toEqual([
      [H1, 'completed', 'action_required'],
      [H1, 'completed', 'success'],
      [H2, 'completed', 'success'],
      [H3, 'completed', 'action_required'],
    ]);
    const [run] = fake.latestRuns(FULL, H3);
    expect(run!.output.summary).toContain('**Approval required: core**');
    expect(run!.output.title).toBe('Approval required: core');
    expect(run!.output.summary).toContain('the protected files changed since it was given');
    expect(run!.actions).toEqual([expect.objectContaining({ identifier: 'approve' })]);
    // The earlier heads keep their own results.
    expect(fake.latestRuns(FULL, H2)[0]!.conclusion).toBe('success');
  });
});
