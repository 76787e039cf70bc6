import { describe, expect, it } from 'vitest';
import { parseCommands } from '../../checks/governance/commands.js';
import {
  parseRecords,
  replayLedger,
  serializeRecord,
  type LedgerRecord,
} from '../../checks/governance/ledger.js';
import { approveRecord, BOT, botComment, comment } from './helpers.js';

const verbs = (body: string) => parseCommands(body).map((c) => [c.verb, ...c.args].join(' '));

describe('parseCommands', () => {
  it('reads each verb on its own line, case-insensitively', () => {
    expect(verbs('/autopack approve')).toEqual(['approve']);
    expect(verbs('/AUTOPACK Approve core docs')).toEqual(['approve core docs']);
    expect(verbs('/autopack approve 1a2b3c4')).toEqual(['approve 1a2b3c4']);
    expect(verbs('Looks good.\n/autopack approve\nthanks')).toEqual(['approve']);
    expect(verbs('/autopack hold\n\n/autopack unhold')).toEqual(['hold', 'unhold']);
    expect(verbs('/autopack revoke core\n/autopack status\n/autopack recheck')).toEqual([
      'revoke core',
      'status',
      'recheck',
    ]);
    expect(verbs('/autopack approvee')).toEqual(['unknown']);
  });

  it('ignores quoted replies, including lazy continuation lines', () => {
    expect(verbs('> /autopack approve')).toEqual([]);
    expect(verbs('> @alice wrote:\n> /autopack approve\n\nI disagree')).toEqual([]);
    expect(verbs('> quoted\n/autopack approve')).toEqual([]); // a lazy line belongs to the quote
    expect(verbs('> quoted\n\n/autopack approve')).toEqual(['approve']);
  });

  it('ignores fenced, indented and inline code', () => {
    expect(verbs('```\n/autopack approve\n```')).toEqual([]);
    expect(verbs('~~~md\n/autopack approve\n~~~')).toEqual([]);
    expect(verbs('    /autopack approve')).toEqual([]);
    expect(verbs('`/autopack approve`')).toEqual([]);
    expect(verbs('/autopack approve `core`')).toEqual([]);
  });

  it('ignores commands not alone on their line, in HTML, lists, headings and emphasis', () => {
    expect(verbs('please /autopack approve')).toEqual([]);
    expect(verbs('<!-- /autopack approve -->')).toEqual([]);
    expect(verbs('<details>\n/autopack approve\n</details>')).toEqual([]);
    expect(verbs('- /autopack approve')).toEqual([]);
    expect(verbs('# /autopack approve')).toEqual([]);
    expect(verbs('**/autopack approve**')).toEqual([]);
    expect(verbs('\\/autopack approve')).toEqual([]);
  });
});

describe('ledger records', () => {
  const rec: LedgerRecord = {
    v: 1,
    kind: 'approve',
    by: 'alice',
    at: '2024-05-01T10:00:00Z',
    head: 'a'.repeat(40),
    source: {
      type: 'comment',
      id: 5,
      url: 'https://github.com/o/r/pull/1#issuecomment-5',
      bodySha: 'f'.repeat(64),
    },
    rules: [{ id: 'core-lib', fingerprint: '0'.repeat(64) }],
  };

  it('round-trips and never closes its HTML comment early', () => {
    const text = serializeRecord({ ...rec, by: 'x-->y<z>&' });
    expect(text.startsWith('<!-- autopack:ledger {')).toBe(true);
    expect(text.slice(4, -4)).not.toMatch(/--|>/);
    const [p] = parseRecords(`hello\n${text}\n`);
    expect(p).toEqual({ ok: true, record: { ...rec, by: 'x-->y<z>&' } });
  });

  it('rejects other versions and malformed records with a reason', () => {
    const v2 = serializeRecord(rec).replace('"v":1', '"v":2');
    expect(parseRecords(v2)[0]).toMatchObject({
      ok: false,
      error: expect.stringMatching(/version 2/),
    });
    expect(parseRecords('<!-- autopack:ledger {nope} -->')[0]).toMatchObject({ ok: false });
    const noRules = serializeRecord({ ...rec, rules: [] });
    expect(parseRecords(noRules)[0]).toMatchObject({
      ok: false,
      error: expect.stringMatching(/lacks rules/),
    });
  });

  it('trusts records only from the app identity', () => {
    const c = comment('alice', '/autopack approve');
    const forged = botComment(
      [approveRecord(c, [{ id: 'core', fingerprint: 'x' }])],
      '2024-05-01T10:00:05Z',
      'mallory',
    );
    const state = replayLedger({
      comments: [c, forged],
      botLogin: BOT,
      reviewApprovals: false,
    });
    expect(state.approvals).toEqual([]);
    expect(state.notes.join()).toMatch(
      /comment by @mallory: records are trusted only from @autopack\[bot\]/,
    );
    expect(state.unanswered.map((u) => u.author)).toEqual(['alice']);
  });

  it('drops an approval whose comment was edited, deleted or voided; revoke and supersede', () => {
    const c1 = comment('alice', '/autopack approve');
    const c2 = comment('bob', '/autopack approve');
    const c3 = comment('carol', '/autopack approve');
    const r1 = botComment([approveRecord(c1, [{ id: 'core', fingerprint: 'x' }])]);
    const r2 = botComment([approveRecord(c2, [{ id: 'core', fingerprint: 'x' }])]);
    const r3 = botComment([approveRecord(c3, [{ id: 'core', fingerprint: 'x' }])]);
    const edited = { ...c1, body: '/autopack approve\n(edited)' };
    const voidRec = botComment([
      {
        v: 1,
        kind: 'void',
        target: { type: 'comment', id: c3.id },
        reason: 'edited',
        at: '2024-05-01T11:00:00Z',
      },
    ]);
    const state = replayLedger({
      comments: [edited, r1, r2, r3, voidRec], // c2 deleted (absent), c3 restored but voided
      botLogin: BOT,
      reviewApprovals: false,
    });
    expect(state.approvals).toEqual([]);
    expect(state.dropped.map((d) => `${d.by}: ${d.reason}`)).toEqual([
      'alice: the approving comment was edited',
      'bob: the approving comment was deleted',
      'carol: the approving comment was edited',
    ]);

    const c4 = comment('dave', '/autopack revoke', '2024-05-01T12:00:00Z');
    const revoke = botComment(
      [
        {
          v: 1,
          kind: 'revoke',
          by: 'dave',
          at: c4.createdAt,
          source: { type: 'comment', id: c4.id, bodySha: 'x' },
        },
      ],
      '2024-05-01T12:00:05Z',
    );
    const c5 = comment('dave', '/autopack approve', '2024-05-01T11:00:00Z');
    const c6 = comment('dave', '/autopack approve', '2024-05-01T11:30:00Z');
    const s2 = replayLedger({
      comments: [
        c5,
        c6,
        botComment([approveRecord(c5, [{ id: 'core', fingerprint: 'x' }])], '2024-05-01T11:00:05Z'),
        botComment([approveRecord(c6, [{ id: 'core', fingerprint: 'y' }])], '2024-05-01T11:30:05Z'),
      ],
      botLogin: BOT,
      reviewApprovals: false,
    });
    expect(s2.approvals.map((a) => a.fingerprint)).toEqual(['y']); // the newer approval supersedes
    const s3 = replayLedger({
      comments: [c4, c5, c6, ...[revoke]],
      botLogin: BOT,
      reviewApprovals: false,
    });
    expect(s3.approvals).toEqual([]);
  });
});
