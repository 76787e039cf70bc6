import { describe, expect, it } from 'vitest';
import { compareAppendOnly, splitLines } from '../../checks/sot/append-only.js';

describe('compareAppendOnly', () => {
  it('accepts lines appended at the end', () => {
    expect(compareAppendOnly('a\nb\n', 'a\nb\nc\nd\n')).toEqual({
      ok: true,
      baseLines: 2,
      headLines: 4,
      appended: 2,
    });
  });

  it('accepts an unchanged ledger and an empty base', () => {
    expect(compareAppendOnly('a\n', 'a\n').ok).toBe(true);
    expect(compareAppendOnly('', 'anything\n').ok).toBe(true);
  });

  it('accepts a base without a final newline that gains one and more lines', () => {
    expect(compareAppendOnly('a\nb', 'a\nb\nc\n')).toMatchObject({ ok: true, appended: 1 });
    expect(compareAppendOnly('a\nb', 'a\nb\n')).toMatchObject({ ok: true, appended: 0 });
  });

  it('rejects text glued onto a last line that had no newline', () => {
    expect(compareAppendOnly('a\nb', 'a\nbc\n')).toMatchObject({
      ok: false,
      kind: 'modified',
      baseLine: 2,
      baseText: 'b',
      headText: 'bc',
    });
  });

  it('names the first modified line with its base number and text', () => {
    const r = compareAppendOnly('one\ntwo\nthree\n', 'one\nTWO\nthree\nfour\n');
    expect(r).toMatchObject({
      ok: false,
      kind: 'modified',
      baseLine: 2,
      baseText: 'two',
      headLine: 2,
      headText: 'TWO',
    });
  });

  it('names a deleted line in the middle', () => {
    expect(compareAppendOnly('a\nb\nc\n', 'a\nc\nd\n')).toMatchObject({
      ok: false,
      kind: 'deleted',
      baseLine: 2,
      baseText: 'b',
    });
  });

  it('names lines deleted at the end (truncation)', () => {
    expect(compareAppendOnly('a\nb\nc\n', 'a\n')).toMatchObject({
      ok: false,
      kind: 'deleted',
      baseLine: 2,
      baseText: 'b',
    });
    expect(compareAppendOnly('a\nb\n', '')).toMatchObject({
      ok: false,
      kind: 'deleted',
      baseLine: 1,
    });
  });

  it('names an insertion above existing entries', () => {
    expect(compareAppendOnly('a\nb\n', 'new\na\nb\n')).toMatchObject({
      ok: false,
      kind: 'inserted',
      baseLine: 1,
      baseText: 'a',
    });
  });

  it('counts a block of lines inserted above existing entries (a changelog written newest-first)', () => {
    const base = '# Notes\n\n## 1.0\n- a\n';
    const head = '# Notes\n\n## 1.1\n- b\n\n## 1.0\n- a\n';
    expect(compareAppendOnly(base, head)).toMatchObject({
      ok: false,
      kind: 'inserted',
      count: 3,
      baseLine: 3,
      baseText: '## 1.0',
    });
  });

  it('counts a block of deleted lines when the rest follows intact', () => {
    expect(compareAppendOnly('a\nb\nc\nd\ne\n', 'a\ne\nf\n')).toMatchObject({
      ok: false,
      kind: 'deleted',
      count: 3,
      baseLine: 2,
    });
  });

  it('stays linear on a ledger of identical lines (bounded shifted candidates)', () => {
    const base = 'x\n'.repeat(100_000);
    expect(compareAppendOnly(base, `y\n${base.slice(0, -20)}`)).toMatchObject({
      ok: false,
      baseLine: 1,
    });
  });

  it('names a line-ending change (CRLF to LF, or the final newline removed)', () => {
    expect(compareAppendOnly('a\r\nb\r\n', 'a\nb\n')).toMatchObject({
      ok: false,
      kind: 'line-ending',
      baseLine: 1,
    });
    expect(compareAppendOnly('a\nb\n', 'a\nb')).toMatchObject({
      ok: false,
      kind: 'line-ending',
      baseLine: 2,
    });
  });

  it('is linear: a 200,000-line ledger compares without quadratic work', () => {
    const base = Array.from({ length: 200_000 }, (_, i) => `entry ${i}`).join('\n') + '\n';
    expect(compareAppendOnly(base, `${base}entry new\n`)).toMatchObject({ ok: true, appended: 1 });
    const modified = base.replace('entry 150000\n', 'entry 150000 (edited)\n');
    expect(compareAppendOnly(base, modified)).toMatchObject({
      ok: false,
      baseLine: 150_001,
      kind: 'modified',
    });
  });
});

describe('splitLines', () => {
  it('keeps a final unterminated line and a carriage return in the text', () => {
    expect(splitLines('a\r\nb')).toEqual([
      { text: 'a\r', terminated: true },
      { text: 'b', terminated: false },
    ]);
    expect(splitLines('')).toEqual([]);
    expect(splitLines('\n')).toEqual([{ text: '', terminated: true }]);
  });
});
