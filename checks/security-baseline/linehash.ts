/**
 * GitHub code scanning's `primaryLocationLineHash`: a rolling hash per line over the next 100
 * non-blank characters of the file, computed exactly as github/codeql-action does before it
 * uploads SARIF (src/fingerprints.ts, `hash`). Re-implemented here (no code copied) with 64-bit
 * arithmetic on two unsigned 32-bit halves instead of the `long` package.
 *
 * Algorithm (per codeql-action):
 * - the text is read as UTF-16 code units; spaces and tabs are skipped; `\r\n` and lone `\r`
 *   become `\n`;
 * - every remaining code unit `c` updates `h = 37·h + c − 37^100·(unit leaving the 100-wide window)`
 *   modulo 2^64; after the last character a 65535 (EOF) is hashed, then 100 zeros flush the window;
 * - the hash of line N is the value once the window has moved 100 units past the first unit of
 *   line N, written as unsigned hex without leading zeros, plus `:k` where k counts earlier lines
 *   of the same file with the same hash (so identical lines stay distinct).
 *
 * Known differences from codeql-action: it hashes the file's raw UTF-8 decoding, so a leading
 * byte-order mark is part of its input, while {@link RepoSnapshot.read} strips it; lines near the
 * top of a file with a BOM hash differently (docs/security-baseline.md, "Failure modes").
 */

const BLOCK_SIZE = 100;
const TWO32 = 4294967296;
const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const EOF = 65535;

// 37^100 mod 2^64, split into unsigned 32-bit halves.
const FIRST_MOD = (() => {
  let v = 1n;
  for (let i = 0; i < BLOCK_SIZE; i++) v = (v * 37n) & 0xffffffffffffffffn;
  return { hi: Number(v >> 32n), lo: Number(v & 0xffffffffn) };
})();

/**
 * The `primaryLocationLineHash` of every line of `text`: element `i` is line `i + 1`'s value
 * (`"<hex>:<k>"`). The array has one entry per line as `text.split(/\r\n|\r|\n/)` counts them
 * (an empty text has one line; a trailing newline adds an empty last line).
 */
export function computeLineHashes(text: string): string[] {
  const out: string[] = [];
  const window = new Array<number>(BLOCK_SIZE).fill(0);
  const lineNumbers = new Array<number>(BLOCK_SIZE).fill(-1);
  const seen = new Map<string, number>();
  let hi = 0;
  let lo = 0;
  let index = 0;
  let lineNumber = 0;
  let lineStart = true;
  let prevCR = false;

  const outputHash = (): void => {
    const hex = hi === 0 ? lo.toString(16) : hi.toString(16) + lo.toString(16).padStart(8, '0');
    const n = (seen.get(hex) ?? 0) + 1;
    seen.set(hex, n);
    out[lineNumbers[index]! - 1] = `${hex}:${n}`;
    lineNumbers[index] = -1;
  };

  const updateHash = (current: number): void => {
    const begin = window[index]!;
    window[index] = current;
    // h = 37 * h
    const l37 = lo * 37;
    let nlo = l37 % TWO32;
    let nhi = (hi * 37 + Math.floor(l37 / TWO32)) % TWO32;
    // h += current
    nlo += current;
    if (nlo >= TWO32) {
      nlo -= TWO32;
      nhi = (nhi + 1) % TWO32;
    }
    // h -= FIRST_MOD * begin
    if (begin !== 0) {
      const pl = FIRST_MOD.lo * begin;
      const plLo = pl % TWO32;
      const ph = (FIRST_MOD.hi * begin + Math.floor(pl / TWO32)) % TWO32;
      nlo -= plLo;
      let borrow = 0;
      if (nlo < 0) {
        nlo += TWO32;
        borrow = 1;
      }
      nhi = (((nhi - ph - borrow) % TWO32) + TWO32) % TWO32;
    }
    hi = nhi;
    lo = nlo;
    index = (index + 1) % BLOCK_SIZE;
  };

  const processCharacter = (code: number): void => {
    let current = code;
    if (current === SPACE || current === TAB || (prevCR && current === LF)) {
      prevCR = false;
      return;
    }
    if (current === CR) {
      current = LF;
      prevCR = true;
    } else {
      prevCR = false;
    }
    if (lineNumbers[index] !== -1) outputHash();
    if (lineStart) {
      lineStart = false;
      lineNumber++;
      lineNumbers[index] = lineNumber;
    }
    if (current === LF) lineStart = true;
    updateHash(current);
  };

  for (let i = 0; i < text.length; i++) processCharacter(text.charCodeAt(i));
  processCharacter(EOF);
  for (let i = 0; i < BLOCK_SIZE; i++) {
    if (lineNumbers[index] !== -1) outputHash();
    updateHash(0);
  }
  return out;
}

/** The `primaryLocationLineHash` of 1-based `line` in `text`, or undefined past the last line. */
export function lineHashAt(text: string, line: number): string | undefined {
  return computeLineHashes(text)[line - 1];
}
