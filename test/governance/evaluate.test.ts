import { describe, expect, it } from 'vitest';
import { parseCommands } from '../../checks/governance/commands.js';
import { decideCommands, type Decision } from '../../checks/governance/decide.js';
import { bodyDigest } from '../../checks/governance/fingerprint.js';
import { evaluateGovernance, maxDistinctTeams } from '../../checks/governance/evaluate.js';
import type { GovernancePolicy } from '../../checks/governance/policy.js';
import type { GovernanceInput } from '../../checks/governance/types.js';
import { renderGovernanceSummary } from '../../checks/governance/summary.js';
import { botComment, comment, facts, file, HEAD, HEAD2, input, policyFrom } from './helpers.js';

const POLICY = `
governance:
  rules:
    - id: core
      paths: ['src/core/**', '!src/core/**/*.md']
      approvers: { teams: ['octo-org/core'] }
    - id: infra
      paths: ['deploy/**']
      approvals: 2
      approvers: { users: [alice, bob, carol] }
      invalidate-on: any-push
    - id: owned
      paths: ['lib/**']
      approvers: { codeowners: true }
    - id: security
      paths: ['security/**']
      approvals: 2
      approvers: { teams: ['octo-org/sec', 'octo-org/core'] }
      quorum: { teams: 2 }
    - id: big
      paths: ['big/**']
      if: { changed-lines: 100, base-branches: [main, 'release/*'], labels: [risky] }
      approvers: { permission: maintain }
    - id: sticky
      paths: ['sticky/**']
      approvers: { users: [alice] }
      invalidate-on: never
`;

const PEOPLE = facts(
  {
    alice: 'write',
    bob: 'write',
    carol: 'maintain',
    dave: 'admin',
    erin: 'write',
    octocat: 'admin',
    'helper[bot]': 'write',
  },
  {
    'octo-org/core': {
      dave: 'active',
      erin: 'pending',
      bob: 'none',
      alice: 'none',
      carol: 'active',
    },
    'octo-org/sec': { alice: 'active', carol: 'active', dave: 'none', bob: 'none' },
  },
);

let at = 0;
/** Posts a comment as `login` and lets the engine answer it, as the App does. */
function act(
  policy: GovernancePolicy,
  inp: GovernanceInput,
  login: string,
  body: string,
  type = 'User',
): { inp: GovernanceInput; d: Decision[] } {
  at++;
  const time = `2024-05-01T10:${String(at).padStart(2, '0')}:00Z`;
  const c = comment(login, body, time, { authorType: type });
  const d = decideCommands(
    policy,
    { ...inp, comments: [...inp.comments, c] },
    parseCommands(body),
    {
      login,
      type,
      at: time,
      source: { type: 'comment', id: c.id, url: c.url, bodySha: bodyDigest(body) },
    },
  );
  const records = d.flatMap((x) => (x.record ? [x.record] : []));
  const comments = [...inp.comments, c];
  if (records.length) comments.push(botComment(records, time.replace(':00Z', ':05Z')));
  return { inp: { ...inp, comments }, d };
}

describe('which rules a change triggers', () => {
  it('no protected path changed: success', async () => {
    const policy = await policyFrom(POLICY);
    const ev = evaluateGovernance(
      policy,
      input([file('README.md', '1'), file('src/core/NOTES.md', '2')]),
    );
    expect(ev.conclusion).toBe('success');
    expect(ev.title).toBe('No protected paths changed');
    expect(ev.rules).toEqual([]);
    expect(renderGovernanceSummary(ev, input([]).pullRequest)).toMatch(
      /No protected paths changed/,
    );
  });

  it('built-in rules protect the config, CODEOWNERS and workflows even when the policy lists none', async () => {
    const policy = await policyFrom('governance:\n  enabled: true\n');
    const ev = evaluateGovernance(
      policy,
      input([
        file('.github/workflows/ci.yml', '1'),
        file('.github/autopack.yml', '2'),
        file('docs/CODEOWNERS', '3'),
      ]),
    );
    expect(ev.conclusion).toBe('action_required');
    expect(ev.rules.map((r) => r.rule.id)).toEqual(['autopack-config', 'codeowners', 'workflows']);
    const off = await policyFrom('governance:\n  builtin: { workflows: false }\n');
    expect(evaluateGovernance(off, input([file('.github/workflows/ci.yml', '1')])).conclusion).toBe(
      'success',
    );
  });

  it('a rule named like a built-in changes its approvers but cannot drop the built-in paths', async () => {
    const policy = await policyFrom(`
governance:
  rules:
    - id: workflows
      paths: ['!.github/workflows/**', '.github/ci-scripts/**']
      approvers: { users: [alice] }
`);
    const wf = policy.rules.find((r) => r.id === 'workflows')!;
    expect(wf.approvers.users).toEqual(['alice']);
    const ev = evaluateGovernance(
      policy,
      input([file('.github/workflows/ci.yml', '1'), file('.github/ci-scripts/x.sh', '2')]),
    );
    expect(ev.rules.find((r) => r.rule.id === 'workflows')!.files.map((f) => f.file.path)).toEqual([
      '.github/workflows/ci.yml',
      '.github/ci-scripts/x.sh',
    ]);
  });

  it('negation excludes, and a rename is judged by its old and new path', async () => {
    const policy = await policyFrom(POLICY);
    const ev = evaluateGovernance(
      policy,
      input([file('src/other/a.ts', '1', 'renamed', { previousPath: 'src/core/a.ts' })]),
    );
    expect(ev.rules.map((r) => r.rule.id)).toEqual(['core']);
    expect(ev.rules[0]!.files[0]!.matchedBy).toEqual(['src/core/a.ts']);
    const del = evaluateGovernance(policy, input([file('src/core/gone.ts', '', 'removed')]));
    expect(del.rules.map((r) => r.rule.id)).toEqual(['core']);
  });

  it('conditions: labels, target branch and changed-lines threshold', async () => {
    const policy = await policyFrom(POLICY);
    const big = (n: number) => file('big/x.bin', '1', 'modified', { additions: n, deletions: 0 });
    const ok = evaluateGovernance(policy, input([big(150)], { labels: ['Risky'] }));
    expect(ok.rules.map((r) => r.rule.id)).toEqual(['big']);
    const noLabel = evaluateGovernance(policy, input([big(150)], { labels: ['docs'] }));
    expect(noLabel.rules).toEqual([]);
    expect(noLabel.notApplicable[0]!.reason).toMatch(/none of the labels `risky`/);
    expect(
      evaluateGovernance(policy, input([big(99)], { labels: ['risky'] })).notApplicable[0]!.reason,
    ).toMatch(/99 changed line/);
    const rel = input([big(150)], { labels: ['risky'] });
    rel.pullRequest.baseRef = 'release/2.0';
    expect(evaluateGovernance(policy, rel).rules.map((r) => r.rule.id)).toEqual(['big']);
    rel.pullRequest.baseRef = 'develop';
    expect(evaluateGovernance(policy, rel).rules).toEqual([]);
    // Unknown facts (the CLI knows no labels, no line counts) make the rule apply: fail closed.
    const cli = input([
      file('big/x.bin', '1', 'modified', { additions: undefined, deletions: undefined }),
    ]);
    cli.pullRequest.labels = undefined;
    expect(evaluateGovernance(policy, cli).rules.map((r) => r.rule.id)).toEqual(['big']);
  });

  it('author condition with a team', async () => {
    const policy = await policyFrom(`
governance:
  rules:
    - id: newcomers
      paths: ['**']
      if: { authors: { users: [zed], teams: ['octo-org/contractors'] } }
      approvers: { users: [alice] }
`);
    const f = [file('a.txt', '1')];
    const member = facts({}, { 'octo-org/contractors': { octocat: 'active' } });
    expect(evaluateGovernance(policy, input(f, { eligibility: member })).rules).toHaveLength(1);
    const outsider = facts({}, { 'octo-org/contractors': { octocat: 'none' } });
    expect(evaluateGovernance(policy, input(f, { eligibility: outsider })).rules).toHaveLength(0);
    const unknown = facts({}, { 'octo-org/contractors': { octocat: 'unknown' } });
    expect(evaluateGovernance(policy, input(f, { eligibility: unknown })).rules).toHaveLength(1);
  });
});

describe('who may approve', () => {
  it('a team approver counts; a pending member and a non-member do not, and are told why', async () => {
    const policy = await policyFrom(POLICY);
    let inp = input([file('src/core/a.ts', '1')], { eligibility: PEOPLE });
    let r = act(policy, inp, 'erin', '/autopack approve');
    expect(r.d[0]!.accepted).toBe(false);
    expect(r.d[0]!.message).toMatch(/not an approver of rule `core`/);
    r = act(policy, r.inp, 'bob', '/autopack approve');
    expect(r.d[0]!.accepted).toBe(false);
    expect(evaluateGovernance(policy, r.inp).conclusion).toBe('action_required');
    r = act(policy, r.inp, 'dave', '/autopack approve');
    expect(r.d[0]).toMatchObject({ accepted: true, reaction: '+1' });
    expect(r.d[0]!.message).toMatch(/@dave approved `core` at `aaaaaaaaaaaa`/);
    inp = r.inp;
    const ev = evaluateGovernance(policy, inp);
    expect(ev.conclusion).toBe('success');
    expect(ev.rules[0]!.counted[0]).toMatchObject({
      by: 'dave',
      head: HEAD,
      via: ['team @octo-org/core'],
    });
  });

  it('self-approval is refused unless the rule allows it', async () => {
    const policy = await policyFrom(POLICY);
    const r = act(
      policy,
      input([file('src/core/a.ts', '1')], { author: 'dave', eligibility: PEOPLE }),
      'dave',
      '/autopack approve',
    );
    expect(r.d[0]!.accepted).toBe(false);
    expect(r.d[0]!.message).toMatch(/author of the pull request/);
    const allow = await policyFrom(
      POLICY.replace(
        "approvers: { teams: ['octo-org/core'] }",
        "approvers: { teams: ['octo-org/core'] }\n      allow-author: true",
      ),
    );
    const r2 = act(
      allow,
      input([file('src/core/a.ts', '1')], { author: 'dave', eligibility: PEOPLE }),
      'dave',
      '/autopack approve',
    );
    expect(r2.d[0]!.accepted).toBe(true);
  });

  it('a bot cannot approve, even with a ledger record that names it', async () => {
    const policy = await policyFrom(POLICY);
    const r = act(
      policy,
      input([file('sticky/a', '1')], { eligibility: PEOPLE }),
      'helper[bot]',
      '/autopack approve',
      'Bot',
    );
    expect(r.d[0]).toMatchObject({ accepted: false, reaction: '-1' });
    expect(r.d[0]!.message).toMatch(/bots and apps cannot approve/);
    expect(evaluateGovernance(policy, r.inp).conclusion).toBe('action_required');
  });

  it('an approver who loses permission, or whose permission cannot be confirmed, stops counting', async () => {
    const policy = await policyFrom(POLICY);
    const r = act(
      policy,
      input([file('src/core/a.ts', '1')], { eligibility: PEOPLE }),
      'dave',
      '/autopack approve',
    );
    expect(evaluateGovernance(policy, r.inp).conclusion).toBe('success');
    const demoted = {
      ...r.inp,
      eligibility: { ...PEOPLE, permissions: { ...PEOPLE.permissions, dave: 'read' as const } },
    };
    const ev = evaluateGovernance(policy, demoted);
    expect(ev.conclusion).toBe('action_required');
    expect(ev.rules[0]!.uncounted[0]!.reason).toMatch(
      /@dave has `read` permission; approvers need at least `write`/,
    );
    const unknown = {
      ...r.inp,
      eligibility: { ...PEOPLE, permissions: { ...PEOPLE.permissions, dave: 'unknown' as const } },
    };
    expect(evaluateGovernance(policy, unknown).rules[0]!.uncounted[0]!.reason).toMatch(
      /could not be confirmed/,
    );
    const left = {
      ...r.inp,
      eligibility: {
        ...PEOPLE,
        memberships: { ...PEOPLE.memberships, 'octo-org/core': { dave: 'none' as const } },
      },
    };
    expect(evaluateGovernance(policy, left).conclusion).toBe('action_required');
  });

  it('two rules needing different approvers: each approval covers only what its author may approve', async () => {
    const policy = await policyFrom(POLICY);
    let inp = input([file('src/core/a.ts', '1'), file('deploy/prod.yml', '2')], {
      eligibility: PEOPLE,
    });
    let r = act(policy, inp, 'alice', '/autopack approve');
    expect(r.d[0]!.accepted).toBe(true);
    expect(r.d[0]!.message).toMatch(/approved `infra`.*Not counted for `core`/);
    r = act(policy, r.inp, 'dave', '/autopack approve core');
    r = act(policy, r.inp, 'bob', '/autopack approve infra');
    inp = r.inp;
    const ev = evaluateGovernance(policy, inp);
    expect(ev.rules.map((x) => [x.rule.id, x.counted.map((c) => c.by)])).toEqual([
      ['core', ['dave']],
      ['infra', ['alice', 'bob']],
    ]);
    expect(ev.conclusion).toBe('success');
  });

  it('a quorum needs distinct teams; one person stands for one team', async () => {
    expect(maxDistinctTeams([['a', 'b'], ['a']])).toBe(2);
    expect(maxDistinctTeams([['a'], ['a']])).toBe(1);
    const policy = await policyFrom(POLICY);
    let r = act(
      policy,
      input([file('security/keys.md', '1')], { eligibility: PEOPLE }),
      'carol',
      '/autopack approve',
    );
    r = act(policy, r.inp, 'alice', '/autopack approve'); // sec only; carol is in sec and core
    expect(evaluateGovernance(policy, r.inp).conclusion).toBe('success');
    let s = act(
      policy,
      input([file('security/keys.md', '1')], { eligibility: PEOPLE }),
      'dave',
      '/autopack approve',
    );
    s = act(policy, s.inp, 'carol', '/autopack approve');
    expect(evaluateGovernance(policy, s.inp).conclusion).toBe('success'); // dave=core, carol=sec
    const only = facts(PEOPLE.permissions, {
      'octo-org/core': { dave: 'active', carol: 'active' },
      'octo-org/sec': {},
    });
    let t = act(
      policy,
      input([file('security/keys.md', '1')], { eligibility: only }),
      'dave',
      '/autopack approve',
    );
    t = act(policy, t.inp, 'carol', '/autopack approve');
    const ev = evaluateGovernance(policy, t.inp);
    expect(ev.conclusion).toBe('action_required');
    expect(ev.rules[0]!.missing).toEqual(['approvals from 2 distinct teams needed (1 so far)']);
  });

  it('CODEOWNERS approvers: last match wins, team owners, and every owned file needs one of its owners', async () => {
    const policy = await policyFrom(POLICY);
    const codeowners = {
      status: 'found' as const,
      path: '.github/CODEOWNERS',
      text: 'lib/ @alice\nlib/net/ @octo-org/sec\nlib/free.txt\n',
    };
    const files = [file('lib/a.ts', '1'), file('lib/net/b.ts', '2'), file('lib/free.txt', '3')];
    let r = act(
      policy,
      input(files, { eligibility: PEOPLE, codeowners }),
      'bob',
      '/autopack approve',
    );
    expect(r.d[0]!.accepted).toBe(false);
    r = act(policy, r.inp, 'alice', '/autopack approve'); // owns lib/a.ts directly and lib/net via team sec
    const ev = evaluateGovernance(policy, r.inp);
    expect(ev.conclusion).toBe('success');
    expect(ev.rules[0]!.counted[0]!.via[0]).toMatch(/code owner of 2 files/);

    const r2 = act(
      policy,
      input(files, {
        eligibility: {
          ...PEOPLE,
          memberships: { ...PEOPLE.memberships, 'octo-org/sec': { carol: 'active' } },
        },
        codeowners,
      }),
      'alice',
      '/autopack approve',
    );
    const ev2 = evaluateGovernance(policy, r2.inp);
    expect(ev2.conclusion).toBe('action_required');
    expect(ev2.rules[0]!.missing).toEqual([
      '`lib/net/b.ts` needs an approval from one of its code owners: @octo-org/sec',
    ]);

    const broken = evaluateGovernance(
      policy,
      input(files, { eligibility: PEOPLE, codeowners: { status: 'error', error: 'HTTP 502' } }),
    );
    expect(broken.rules[0]!.missing.join()).toMatch(/CODEOWNERS could not be read/);
  });

  it('lists exactly who could still approve, from the listings', async () => {
    const policy = await policyFrom(POLICY);
    const withLists = facts({ ...PEOPLE.permissions }, PEOPLE.memberships, {
      teamMembers: { 'octo-org/core': ['dave', 'carol', 'erin', 'octocat'] },
      collaborators: [
        { login: 'dave', permission: 'admin' },
        { login: 'carol', permission: 'maintain' },
        { login: 'erin', permission: 'read' },
        { login: 'octocat', permission: 'admin' },
      ],
    });
    const ev = evaluateGovernance(
      policy,
      input([file('src/core/a.ts', '1')], { eligibility: withLists }),
    );
    // erin lacks write; octocat is the author.
    expect(ev.rules[0]!.candidates).toEqual({ logins: ['carol', 'dave'], groups: [] });
    const noLists = evaluateGovernance(
      policy,
      input([file('src/core/a.ts', '1')], { eligibility: PEOPLE }),
    );
    expect(noLists.rules[0]!.candidates.groups).toEqual([
      "members of @octo-org/core (the team's members could not be listed)",
    ]);
  });
});

describe('binding approvals to content', () => {
  it('protected-change: a push that changes protected content invalidates; one that does not keeps it', async () => {
    const policy = await policyFrom(POLICY);
    const r = act(
      policy,
      input([file('src/core/a.ts', '1'), file('README.md', 'r1')], { eligibility: PEOPLE }),
      'dave',
      '/autopack approve',
    );
    expect(evaluateGovernance(policy, r.inp).conclusion).toBe('success');
    const unprotectedPush = {
      ...r.inp,
      pullRequest: {
        ...r.inp.pullRequest,
        headSha: HEAD2,
        files: [file('src/core/a.ts', '1'), file('README.md', 'r2')],
      },
    };
    expect(evaluateGovernance(policy, unprotectedPush).conclusion).toBe('success');
    const protectedPush = {
      ...r.inp,
      pullRequest: {
        ...r.inp.pullRequest,
        headSha: HEAD2,
        files: [file('src/core/a.ts', '9'), file('README.md', 'r1')],
      },
    };
    const ev = evaluateGovernance(policy, protectedPush);
    expect(ev.conclusion).toBe('action_required');
    expect(ev.rules[0]!.uncounted[0]!.reason).toMatch(
      /protected files changed since it was given \(at aaaaaaa\)/,
    );
    // A newly protected file (added by the push) changes the fingerprint too.
    const added = {
      ...r.inp,
      pullRequest: {
        ...r.inp.pullRequest,
        headSha: HEAD2,
        files: [file('src/core/a.ts', '1'), file('src/core/b.ts', '5', 'added')],
      },
    };
    expect(evaluateGovernance(policy, added).conclusion).toBe('action_required');
  });

  it('force-push: the same protected content keeps the approval, different content loses it', async () => {
    const policy = await policyFrom(POLICY);
    const r = act(
      policy,
      input([file('src/core/a.ts', '1')], { eligibility: PEOPLE }),
      'dave',
      '/autopack approve',
    );
    const rewritten = { ...r.inp, pullRequest: { ...r.inp.pullRequest, headSha: HEAD2 } };
    expect(evaluateGovernance(policy, rewritten).conclusion).toBe('success');
    const changed = {
      ...rewritten,
      pullRequest: { ...rewritten.pullRequest, files: [file('src/core/a.ts', '2')] },
    };
    expect(evaluateGovernance(policy, changed).conclusion).toBe('action_required');
  });

  it('any-push invalidates on every new head; never keeps the approval', async () => {
    const policy = await policyFrom(POLICY);
    let r = act(
      policy,
      input([file('deploy/a.yml', '1'), file('sticky/s', '1')], { eligibility: PEOPLE }),
      'alice',
      '/autopack approve',
    );
    r = act(policy, r.inp, 'bob', '/autopack approve');
    expect(evaluateGovernance(policy, r.inp).conclusion).toBe('success');
    const pushed = {
      ...r.inp,
      pullRequest: {
        ...r.inp.pullRequest,
        headSha: HEAD2,
        files: [file('deploy/a.yml', '1'), file('sticky/s', '7')],
      },
    };
    const ev = evaluateGovernance(policy, pushed);
    expect(ev.rules.find((x) => x.rule.id === 'infra')!.satisfied).toBe(false);
    expect(ev.rules.find((x) => x.rule.id === 'infra')!.uncounted[0]!.reason).toMatch(
      /a push since it was given/,
    );
    expect(ev.rules.find((x) => x.rule.id === 'sticky')!.satisfied).toBe(true);
  });

  it('/autopack approve <sha> approves only while the head is that commit', async () => {
    const policy = await policyFrom(POLICY);
    const inp = input([file('src/core/a.ts', '1')], { eligibility: PEOPLE });
    const stale = act(policy, inp, 'dave', `/autopack approve ${HEAD2.slice(0, 7)}`);
    expect(stale.d[0]!.accepted).toBe(false);
    expect(stale.d[0]!.message).toMatch(/head is now `aaaaaaaaaaaa`/);
    expect(evaluateGovernance(policy, stale.inp).conclusion).toBe('action_required');
    const fresh = act(policy, inp, 'dave', `/autopack approve ${HEAD.slice(0, 10)}`);
    expect(fresh.d[0]!.accepted).toBe(true);
  });
});

describe('commands', () => {
  it('hold blocks until an eligible approver lifts it; an ineligible person can do neither', async () => {
    const policy = await policyFrom(POLICY);
    let r = act(
      policy,
      input([file('src/core/a.ts', '1')], { eligibility: PEOPLE }),
      'dave',
      '/autopack approve\n/autopack hold',
    );
    expect(r.d.map((d) => d.accepted)).toEqual([true, true]);
    let ev = evaluateGovernance(policy, r.inp);
    expect(ev.conclusion).toBe('action_required');
    expect(ev.title).toBe('On hold by @dave');
    r = act(policy, r.inp, 'bob', '/autopack unhold');
    expect(r.d[0]).toMatchObject({ accepted: false, reaction: '-1' });
    expect(evaluateGovernance(policy, r.inp).conclusion).toBe('action_required');
    r = act(policy, r.inp, 'carol', '/autopack unhold');
    expect(r.d[0]!.accepted).toBe(true);
    ev = evaluateGovernance(policy, r.inp);
    expect(ev.conclusion).toBe('success');
    r = act(policy, r.inp, 'carol', '/autopack unhold');
    expect(r.d[0]!.message).toMatch(/no hold to lift/);
  });

  it('deleting the app’s reply does not undo a hold or a revoke (fail closed)', async () => {
    const policy = await policyFrom(POLICY);
    let r = act(
      policy,
      input([file('src/core/a.ts', '1')], { eligibility: PEOPLE }),
      'dave',
      '/autopack approve',
    );
    r = act(policy, r.inp, 'carol', '/autopack hold');
    const replies = r.inp.comments.filter((c) => c.author === 'autopack[bot]');
    const withoutHoldReply = {
      ...r.inp,
      comments: r.inp.comments.filter((c) => c !== replies.at(-1)),
    };
    let ev = evaluateGovernance(policy, withoutHoldReply);
    expect(ev.conclusion).toBe('action_required');
    expect(ev.holds.map((h) => [h.by, h.unconfirmed])).toEqual([['carol', true]]);
    expect(ev.ledger.unanswered.map((u) => u.verbs)).toEqual([['hold']]);
    // An unanswered hold by someone who is not an eligible approver does not count.
    const stranger = {
      ...withoutHoldReply,
      comments: [
        ...r.inp.comments.slice(0, 2),
        comment('erin', '/autopack hold', '2024-05-01T11:00:00Z'),
      ],
    };
    ev = evaluateGovernance(policy, stranger);
    expect(ev.holds).toEqual([]);
    expect(ev.notes.join()).toMatch(/unanswered `\/autopack hold` by @erin does not count/);

    let s = act(
      policy,
      input([file('src/core/a.ts', '1')], { eligibility: PEOPLE }),
      'dave',
      '/autopack approve',
    );
    s = act(policy, s.inp, 'dave', '/autopack revoke');
    expect(evaluateGovernance(policy, s.inp).conclusion).toBe('action_required');
    const withoutRevokeReply = { ...s.inp, comments: s.inp.comments.slice(0, -1) };
    expect(evaluateGovernance(policy, withoutRevokeReply).conclusion).toBe('action_required');
  });

  it('revoke withdraws only the revoker’s own approvals', async () => {
    const policy = await policyFrom(POLICY);
    let r = act(
      policy,
      input([file('src/core/a.ts', '1')], { eligibility: PEOPLE }),
      'dave',
      '/autopack approve',
    );
    r = act(policy, r.inp, 'carol', '/autopack revoke');
    expect(r.d[0]!.message).toMatch(/no standing approval/);
    expect(evaluateGovernance(policy, r.inp).conclusion).toBe('success');
    r = act(policy, r.inp, 'dave', '/autopack revoke core');
    expect(r.d[0]!.accepted).toBe(true);
    expect(evaluateGovernance(policy, r.inp).conclusion).toBe('action_required');
  });

  it('unknown commands, unknown rules and rules that do not apply are refused with the reason', async () => {
    const policy = await policyFrom(POLICY);
    const inp = input([file('src/core/a.ts', '1')], { eligibility: PEOPLE });
    expect(act(policy, inp, 'dave', '/autopack lgtm').d[0]!.message).toMatch(
      /not a command I know/,
    );
    expect(act(policy, inp, 'dave', '/autopack approve nope').d[0]!.message).toMatch(
      /neither a rule of this pull request/,
    );
    expect(act(policy, inp, 'dave', '/autopack approve infra').d[0]!.message).toMatch(
      /does not apply to this pull request/,
    );
    const none = act(
      policy,
      input([file('README.md', '1')], { eligibility: PEOPLE }),
      'dave',
      '/autopack approve',
    );
    expect(none.d[0]!.message).toMatch(/no protected paths changed/);
    const st = act(policy, inp, 'erin', '/autopack status\n/autopack recheck');
    expect(st.d.map((d) => [d.status, d.republish, d.record])).toEqual([
      [true, false, undefined],
      [false, true, undefined],
    ]);
  });

  it('a policy change in the pull request itself does not take effect: only the given (base) policy judges', async () => {
    const base = await policyFrom(POLICY);
    // The PR rewrites .github/autopack.yml to drop every rule; the evaluation still uses `base`.
    const inp = input([file('.github/autopack.yml', 'loosened'), file('src/core/a.ts', '1')], {
      eligibility: PEOPLE,
    });
    const ev = evaluateGovernance(base, inp);
    expect(ev.rules.map((r) => r.rule.id)).toEqual(['autopack-config', 'core']);
    expect(ev.conclusion).toBe('action_required');
  });

  it('the summary table names the rule, files, counts, who, when, which head and who could still approve', async () => {
    const policy = await policyFrom(POLICY);
    const r = act(
      policy,
      input([file('src/core/a.ts', '1'), file('deploy/x.yml', '2')], { eligibility: PEOPLE }),
      'alice',
      '/autopack approve',
    );
    const md = renderGovernanceSummary(
      evaluateGovernance(policy, r.inp),
      r.inp.pullRequest,
    ).replace(/\u200b/g, '');
    expect(md).toContain(
      '| Rule | Matched files | Required | Given | Approved by (when, head, how) | Could still approve |',
    );
    expect(md).toMatch(
      /\| ⏳ `infra` \| `deploy\/x.yml` \(modified\) \| 2 \| 1 \| @alice at 2024-05-01 10:\d\d:00Z for `aaaaaaa` via listed/,
    );
    expect(md).toMatch(/⏳ `core` .* \| 1 \| 0 \| — \| members of @octo-org\/core/);
    expect(md).toContain('Evaluated at head `aaaaaaa` with the policy of the base branch `main`');
  });
});
