/**
 * Which webhooks evaluate what, through the App (Probot + nock), on real payloads from
 * @octokit/webhooks-examples: push to the default branch, check suites, re-runs, merge groups,
 * installation events, and edits of a pull request.
 */
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { inputProviders, type EvaluationContext } from '../../app/providers.js';
import { routeEvent, keyOf, parseExternalId, pullNumberOfMergeGroupRef } from '../../app/events.js';
import {
  APP_ID,
  TEST_CHECKS,
  commit,
  createTestApp,
  example,
  apiBoundary,
  lines,
  nockToken,
} from './helpers.js';

const files = commit({ 'README.md': '# Hello\n', 'old.bak': 'x\n' });
const ONE_CHECK = [TEST_CHECKS[0]!]; // workspace-structure: flags old.bak, reads nothing

/** Mocks a whole evaluation of `headSha` in `repo` with one check (one Check Run created). */
function mockEvaluation(
  scope: nock.Scope,
  repo: string,
  installationId: number,
  headSha: string,
  policyRef: string,
  compareFrom?: string,
): void {
  const R = `/repos/${repo}`;
  nockToken(scope, installationId);
  scope.get(`${R}/contents/.github%2Fautopack.yml`).query({ ref: policyRef }).reply(404, {});
  scope
    .get(`${R}/commits/${headSha}/check-runs`)
    .query(true)
    .reply(200, { total_count: 0, check_runs: [] });
  scope
    .get(`${R}/git/trees/${headSha}`)
    .query({ recursive: '1' })
    .reply(200, { sha: headSha, truncated: false, tree: files.tree });
  if (compareFrom) {
    scope
      .get(`${R}/compare/${compareFrom}...${headSha}`)
      .query({ per_page: '1' })
      .reply(200, {
        status: 'ahead',
        merge_base_commit: { sha: compareFrom },
        files: [{ filename: 'old.bak', status: 'added', sha: files.shaOf('old.bak') }],
      });
  }
  scope.post(`${R}/check-runs`).reply(201, { id: 1 });
}

describe('App: event routing', () => {
  const api = apiBoundary();

  it('push to the default branch evaluates the new head; the policy comes from the commit before the push', async () => {
    const t = await createTestApp({ checks: ONE_CHECK });
    const p = example('push', undefined, (x) => x.ref === 'refs/heads/master');
    p.before = 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e';
    mockEvaluation(api.scope, 'Codertocat/Hello-World', 1, p.after, p.before, p.before);
    await t.deliver('push', p);
    expect(api.scope.isDone()).toBe(true);
    const post = api.served.find((s) => s.method === 'POST' && s.path.endsWith('/check-runs'))!;
    expect(post.body).toMatchObject({
      name: 'autopack/workspace-structure',
      head_sha: p.after,
      status: 'completed',
      conclusion: 'failure',
      external_id: `autopack:branch=master;base=${p.before}`,
    });
  });

  it('push creating the default branch (before = 0) evaluates the tree with its own policy and no change set', async () => {
    const t = await createTestApp({ checks: ONE_CHECK });
    const p = example('push', undefined, (x) => x.ref === 'refs/heads/master');
    expect(p.before).toMatch(/^0{40}$/);
    mockEvaluation(api.scope, 'Codertocat/Hello-World', 1, p.after, p.after);
    await t.deliver('push', p);
    expect(api.scope.isDone()).toBe(true);
    expect(api.served.some((s) => s.path.includes('/compare/'))).toBe(false);
  });

  it('pushes of tags and other branches, and installation events, request nothing', async () => {
    const t = await createTestApp({ checks: ONE_CHECK });
    await t.deliver(
      'push',
      example('push', undefined, (x) => x.ref === 'refs/tags/simple-tag' && x.installation),
    );
    const other = example('push', undefined, (x) => x.ref === 'refs/heads/master');
    other.ref = 'refs/heads/feature';
    await t.deliver('push', other);
    for (const action of [
      'created',
      'deleted',
      'suspend',
      'unsuspend',
      'new_permissions_accepted',
    ]) {
      await t.deliver('installation', example('installation', action));
    }
    await t.deliver('installation_repositories', example('installation_repositories', 'added'));
    await t.deliver('installation_repositories', example('installation_repositories', 'removed'));
    expect(api.served).toEqual([]);
    expect(t.records).toEqual([]);
  });

  it('check_suite.requested on the default branch evaluates its head against the commit before', async () => {
    const t = await createTestApp({ checks: ONE_CHECK });
    const p = example('check_suite', 'requested');
    const { head_sha: head, before } = p.check_suite;
    mockEvaluation(api.scope, 'Codertocat/Hello-World', 957387, head, before, before);
    await t.deliver('check_suite', p);
    expect(api.scope.isDone()).toBe(true);
    expect(t.records.map((r) => [r.target.kind, r.target.headSha, r.outcome])).toEqual([
      ['branch', head, 'published'],
    ]);
  });

  it('check_suite.requested and push for the same head in one process: the second writes nothing', async () => {
    const t = await createTestApp({ checks: ONE_CHECK });
    const suite = example('check_suite', 'requested');
    const push = example('push', undefined, (x) => x.ref === 'refs/heads/master');
    push.after = suite.check_suite.head_sha;
    push.before = suite.check_suite.before;
    mockEvaluation(
      api.scope,
      'Codertocat/Hello-World',
      957387,
      push.after,
      push.before,
      push.before,
    );
    await t.deliver('check_suite', suite);
    push.installation.id = 957387;
    await t.deliver('push', push);
    expect(api.scope.isDone()).toBe(true);
    expect(t.records.map((r) => r.outcome)).toEqual(['published', 'skipped-duplicate']);
  });

  it('check_suite.rerequested re-evaluates its pull request even when results exist (update, not duplicate)', async () => {
    const t = await createTestApp({ checks: ONE_CHECK });
    const p = example('check_suite', 'rerequested');
    const pr = p.check_suite.pull_requests[0];
    const R = '/repos/Codertocat/Hello-World';
    nockToken(api.scope, 957387);
    api.scope
      .get(`${R}/contents/.github%2Fautopack.yml`)
      .query({ ref: pr.base.sha })
      .reply(404, {});
    api.scope
      .get(`${R}/commits/${pr.head.sha}/check-runs`)
      .query(true)
      .reply(200, {
        total_count: 1,
        check_runs: [
          {
            id: 77,
            name: 'autopack/workspace-structure',
            head_sha: pr.head.sha,
            status: 'completed',
            conclusion: 'failure',
            external_id: `autopack:pr=2;base=${pr.base.sha}`,
            app: { id: APP_ID },
            output: { annotations_count: 0 },
          },
        ],
      });
    api.scope
      .get(`${R}/git/trees/${pr.head.sha}`)
      .query(true)
      .reply(200, { sha: pr.head.sha, truncated: false, tree: files.tree });
    api.scope
      .get(`${R}/compare/${pr.base.sha}...${pr.head.sha}`)
      .query(true)
      .reply(200, { status: 'ahead', merge_base_commit: { sha: pr.base.sha }, files: [] });
    api.scope.patch(`${R}/check-runs/77`).reply(200, { id: 77 });
    await t.deliver('check_suite', p);
    expect(api.scope.isDone()).toBe(true);
    const patch = api.served.find((s) => s.method === 'PATCH')!;
    expect(patch.body).toMatchObject({
      status: 'completed',
      conclusion: 'failure',
      external_id: `autopack:pr=2;base=${pr.base.sha}`,
    });
    expect(patch.body.output.annotations).toHaveLength(1);
  });

  it('check_run.rerequested of one run re-runs only that check, for the pull request named in its external_id', async () => {
    const t = await createTestApp({ checks: [TEST_CHECKS[0]!, TEST_CHECKS[1]!] });
    const p = example('check_run', 'rerequested');
    p.check_run.name = 'autopack/workspace-structure';
    p.check_run.external_id = 'autopack:pr=7;base=abc';
    const R = '/repos/github/hello-world';
    const head = p.check_run.head_sha;
    const baseSha = 'a'.repeat(40);
    nockToken(api.scope, 1);
    api.scope.get(`${R}/pulls/7`).reply(
      200,
      {
        number: 7,
        state: 'open',
        head: { sha: head, ref: 'topic' },
        base: { sha: baseSha, ref: 'master' },
        changed_files: 1,
      },
      { etag: '"pr7"' },
    );
    mockRest();
    await t.deliver('check_run', p);
    expect(api.scope.isDone()).toBe(true);
    const writes = api.served.filter(
      (s) => s.method !== 'GET' && !s.path.includes('access_tokens'),
    );
    expect(writes.map((w) => [w.method, w.body.name])).toEqual([
      ['POST', 'autopack/workspace-structure'],
    ]);
    expect(t.records[0]!.reasons).toEqual(['check_run.rerequested']);

    function mockRest() {
      api.scope.get(`${R}/contents/.github%2Fautopack.yml`).query({ ref: baseSha }).reply(404, {});
      api.scope
        .get(`${R}/commits/${head}/check-runs`)
        .query(true)
        .reply(200, { total_count: 0, check_runs: [] });
      api.scope
        .get(`${R}/git/trees/${head}`)
        .query(true)
        .reply(200, { sha: head, truncated: false, tree: files.tree });
      api.scope
        .get(`${R}/compare/${baseSha}...${head}`)
        .query(true)
        .reply(200, { status: 'ahead', merge_base_commit: { sha: baseSha }, files: [] });
      api.scope.post(`${R}/check-runs`).reply(201, { id: 5 });
    }
  });

  it('merge_group.checks_requested evaluates the group head against its base, telling providers the queued pull request', async () => {
    const seen: EvaluationContext[] = [];
    const provider = async (ctx: EvaluationContext) => {
      seen.push(ctx);
      return {};
    };
    inputProviders.push(provider);
    const t = await createTestApp({ checks: ONE_CHECK });
    const p = example('merge_group', 'checks_requested');
    const { head_sha: head, base_sha: baseSha } = p.merge_group;
    mockEvaluation(api.scope, 'octo-org/octo-repo', 1, head, baseSha, baseSha);
    await t.deliver('merge_group', p);
    expect(api.scope.isDone()).toBe(true);
    expect(seen.map((c) => [c.kind, c.pullNumber, c.headSha, c.baseSha, c.checks])).toEqual([
      ['merge_group', 104, head, baseSha, ['workspace-structure']],
    ]);
    const post = api.served.find((s) => s.method === 'POST' && s.path.endsWith('/check-runs'))!;
    expect(post.body.external_id).toBe(`autopack:mq=${p.merge_group.head_ref};base=${baseSha}`);
  });

  it('pull_request.edited evaluates only when the base branch changed, and then forces a fresh result', async () => {
    const t = await createTestApp({ checks: ONE_CHECK });
    const edited = example('pull_request', 'opened');
    edited.action = 'edited';
    edited.changes = { title: { from: 'Old title' } };
    await t.deliver('pull_request', edited);
    expect(api.served).toEqual([]);
    edited.changes = { base: { ref: { from: 'develop' }, sha: { from: 'd'.repeat(40) } } };
    const pr = edited.pull_request;
    mockEvaluation(api.scope, 'Codertocat/Hello-World', 1, pr.head.sha, pr.base.sha, pr.base.sha);
    await t.deliver('pull_request', edited);
    expect(api.scope.isDone()).toBe(true);
    expect(t.records.map((r) => [r.reasons, r.outcome])).toEqual([
      [['pull_request.edited'], 'published'],
    ]);
    expect(lines(api.served).filter((l) => l.startsWith('POST /repos'))).toHaveLength(1);
  });

  it('pull_request.closed drops a waiting evaluation of that pull request', async () => {
    const t = await createTestApp({ checks: ONE_CHECK });
    const opened = example('pull_request', 'opened');
    const closed = example('pull_request', 'closed', (x) => x.pull_request.number === 2);
    // Deliver both before any work starts: the opened one waits behind the scheduler's debounce.
    const slow = await createTestApp({ checks: ONE_CHECK, debounceMs: 10_000 });
    await slow.probot.receive({ id: 'o', name: 'pull_request', payload: opened } as never);
    expect(slow.app.scheduler.waiting).toBe(1);
    await slow.probot.receive({ id: 'c', name: 'pull_request', payload: closed } as never);
    expect(slow.app.scheduler.waiting).toBe(0);
    expect(api.served).toEqual([]);
    expect(t.records).toEqual([]);
  });
});

describe('routeEvent on real payloads', () => {
  const at = 1_700_000_000_000;

  it('routes every pull_request action of the examples as documented', () => {
    const actions = [
      'opened',
      'synchronize',
      'reopened',
      'ready_for_review',
      'assigned',
      'labeled',
      'closed',
      'converted_to_draft',
    ];
    const routed = actions.map(
      (a) => routeEvent('pull_request', example('pull_request', a), 'd', at).kind,
    );
    expect(routed).toEqual([
      'evaluate',
      'evaluate',
      'evaluate',
      'evaluate',
      'ignore',
      'ignore',
      'cancel',
      'ignore',
    ]);
  });

  it('gives each target a stable key and an external_id that routes a re-run back', () => {
    const r = routeEvent('pull_request', example('pull_request', 'synchronize'), 'd', at);
    if (r.kind !== 'evaluate') throw new Error('expected an evaluation');
    const req = r.requests[0]!;
    expect(keyOf(req.target)).toBe('1:Codertocat/Hello-World#2');
    expect(req.target).toMatchObject({
      headSha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
      baseRef: 'master',
      changedFiles: 1,
    });
    expect(parseExternalId('autopack:pr=2;base=f95f852')).toEqual({
      pullNumber: 2,
      baseSha: 'f95f852',
    });
    expect(parseExternalId('autopack:branch=main;base=')).toEqual({ branch: 'main' });
    expect(parseExternalId('someone-else:42')).toBeUndefined();
    expect(
      pullNumberOfMergeGroupRef(
        'refs/heads/gh-readonly-queue/main/pr-104-929f8209d40f77f4abc622a499c93a83babdbe64',
      ),
    ).toBe(104);
  });

  it('a check_suite with no pull request off the default branch is left to the pull_request events (forks)', () => {
    const p = example('check_suite', 'requested');
    p.check_suite.head_branch = 'feature';
    expect(routeEvent('check_suite', p, 'd', at)).toMatchObject({ kind: 'ignore' });
    p.action = 'rerequested';
    expect(routeEvent('check_suite', p, 'd', at)).toMatchObject({
      kind: 'lookup-suite',
      force: true,
    });
  });

  it('check_run.requested_action is not routed here (governance owns it); check_suite.completed is ignored', () => {
    expect(routeEvent('check_run', example('check_run', 'requested_action'), 'd', at).kind).toBe(
      'ignore',
    );
    const completed = example('check_suite', 'requested');
    completed.action = 'completed';
    expect(routeEvent('check_suite', completed, 'd', at).kind).toBe('ignore');
  });
});
