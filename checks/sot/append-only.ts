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
      if (i + 1 < b.length && linesMatch(b, i + 1, h, i)) return fail('deleted');
      if (linesMatch(b, i, h, i + 1)) return fail('inserted');
      return fail('modified');
    }
    // Same text: a terminated base line must stay terminated (an unterminated last base line
    // may gain its newline: that is the one allowance).
    if (bl.terminated && !hl.terminated)
      return fail(i === b.length - 1 ? 'line-ending' : 'deleted');
  }
  return { ok: true, baseLines: b.length, headLines: h.length, appended: h.length - b.length };
}

/** True when base lines from `bi` on equal head lines from `hi` on, up to the end of the base. */
function linesMatch(b: Line[], bi: number, h: Line[], hi: number): boolean {
  if (b.length - bi > h.length - hi) return false;
  for (let k = 0; bi + k < b.length; k++) if (b[bi + k]!.text !== h[hi + k]!.text) return false;
  return true;
}
