/**
 * The append-only comparison: a ledger's head content must be its base content followed by new
 * lines. Line-wise prefix check, linear in the size of the files: every base line must be
 * present, unchanged and in place at the start of the head; the only allowance is a base that
 * ends without a final newline, whose last line may gain one (and more lines after it).
 */

/** One line: its text without the `\n` (a `\r` stays part of the text) and whether `\n` ended it. */
interface Line {
  text: string;
  terminated: boolean;
}

/** Splits on `\n`; an empty text has no lines; a final unterminated line is kept as such. */
export function splitLines(text: string): Line[] {
  const out: Line[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl === -1) {
      if (start < text.length) out.push({ text: text.slice(start), terminated: false });
      return out;
    }
    out.push({ text: text.slice(start, nl), terminated: true });
    start = nl + 1;
  }
}

/** The verdict of {@link compareAppendOnly}. Line numbers are 1-based. */
export type AppendOnlyResult =
  | { ok: true; baseLines: number; headLines: number; appended: number }
  | {
      ok: false;
      /**
       * `modified`: the line is there but its text changed; `deleted`: the line (and possibly
       * more) is gone; `inserted`: new lines were added before it; `line-ending`: only its line
       * ending changed (`\r\n` vs `\n`, or its final newline removed).
       */
      kind: 'modified' | 'deleted' | 'inserted' | 'line-ending';
      /** The first base line that is not preserved. */
      baseLine: number;
      baseText: string;
      /** The head line at the same place, when the head has one. */
      headLine?: number;
      headText?: string;
      /** For `deleted` and `inserted`: how many lines, when the rest of the base follows intact. */
      count?: number;
    };

/**
 * Compares a ledger's base and head content. O(n) in the number of lines: the prefix scan, plus
 * one linear look-ahead at the first divergence to name it (deleted or inserted lines).
 */
export function compareAppendOnly(base: string, head: string): AppendOnlyResult {
  const b = splitLines(base);
  const h = splitLines(head);
  for (let i = 0; i < b.length; i++) {
    const bl = b[i]!;
    const hl = h[i];
    const fail = (kind: 'modified' | 'deleted' | 'inserted' | 'line-ending') => ({
      ok: false as const,
      kind,
      baseLine: i + 1,
      baseText: bl.text,
      ...(hl ? { headLine: i + 1, headText: hl.text } : {}),
    });
    if (!hl) return fail('deleted');
    if (hl.text !== bl.text) {
      if (hl.text.replace(/\r$/, '') === bl.text.replace(/\r$/, '')) return fail('line-ending');
      const deleted = shiftedMatch(b, h, i, 'deleted');
      if (deleted) return { ...fail('deleted'), count: deleted };
      const inserted = shiftedMatch(b, h, i, 'inserted');
      if (inserted) return { ...fail('inserted'), count: inserted };
      return fail('modified');
    }
    // Same text: a terminated base line must stay terminated (an unterminated last base line
    // may gain its newline: that is the one allowance).
    if (bl.terminated && !hl.terminated)
      return fail(i === b.length - 1 ? 'line-ending' : 'deleted');
  }
  return { ok: true, baseLines: b.length, headLines: h.length, appended: h.length - b.length };
}

/** How many shifted alignments {@link shiftedMatch} verifies at most (bounds the work). */
const MAX_SHIFT_CANDIDATES = 64;

/**
 * At the first divergence `i`, finds whether the rest of the base follows intact after `k`
 * lines were deleted from the base (`deleted`) or inserted into the head (`inserted`); returns
 * the smallest such `k`, or 0. Each candidate `k` is a line whose text equals the line the
 * other side has at `i`; at most {@link MAX_SHIFT_CANDIDATES} candidates are verified, each in
 * linear time, so the whole comparison stays linear.
 */
function shiftedMatch(b: Line[], h: Line[], i: number, kind: 'deleted' | 'inserted'): number {
  const [from, to] = kind === 'deleted' ? [b, h] : [h, b];
  const target = to[i]?.text;
  if (target === undefined) return 0;
  let tried = 0;
  for (let k = 1; i + k < from.length && tried < MAX_SHIFT_CANDIDATES; k++) {
    if (from[i + k]!.text !== target) continue;
    tried++;
    const ok = kind === 'deleted' ? linesMatch(b, i + k, h, i) : linesMatch(b, i, h, i + k);
    if (ok) return k;
  }
  return 0;
}

/** True when base lines from `bi` on equal head lines from `hi` on, up to the end of the base. */
function linesMatch(b: Line[], bi: number, h: Line[], hi: number): boolean {
  if (b.length - bi > h.length - hi) return false;
  for (let k = 0; bi + k < b.length; k++) if (b[bi + k]!.text !== h[hi + k]!.text) return false;
  return true;
}
