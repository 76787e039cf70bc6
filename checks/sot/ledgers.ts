/**
 * Rule `append-only` and `ledger-deleted`: in a change (a pull request, or `--base REF` in the
 * CLI), every append-only ledger that the change touches is compared with its base content.
 * Ledgers are the registry entries of kind `ledger` (the registry at the head and, for a
 * registry file, at the base too, so a change cannot unmark a ledger it rewrites) and the files
 * matching `sot.ledgers` globs.
 */
import { Minimatch } from 'minimatch';
import { redact } from '../redact.js';
import type { ChangeSet, ChangedFile, FileContent, RepoSnapshot } from '../snapshot.js';
import { compareAppendOnly, type AppendOnlyResult } from './append-only.js';
import { GLOB_OPTIONS } from './config.js';
import { describeUnreadable } from './registry.js';
import type { FindingSink } from './rules.js';

/** Which paths are append-only. */
export class LedgerSet {
  private readonly globs: Minimatch[];

  constructor(
    private readonly paths: ReadonlySet<string>,
    globs: readonly string[],
  ) {
    this.globs = globs.map((g) => new Minimatch(g, GLOB_OPTIONS));
  }

  has(path: string): boolean {
    return this.paths.has(path) || this.globs.some((m) => m.match(path));
  }

  get size(): number {
    return this.paths.size + this.globs.length;
  }
}

/** Counters of the ledger rules. */
export interface LedgerStats {
  ledgersChanged: number;
  ledgersAppended: number;
}

/**
 * Checks the ledgers touched by `change`. A new ledger is fine; a deleted one (or one moved to a
 * path that is not a ledger) is `ledger-deleted`; a changed one must pass the append-only
 * comparison. Content that cannot be compared (binary, too large, unreadable) is a finding too:
 * nothing unverified turns green.
 */
export async function checkLedgers(
  snapshot: RepoSnapshot,
  change: ChangeSet,
  ledgers: LedgerSet,
  sink: FindingSink,
): Promise<LedgerStats> {
  const stats: LedgerStats = { ledgersChanged: 0, ledgersAppended: 0 };
  for (const file of change.files) {
    const basePath = file.status === 'renamed' ? file.previousPath : file.path;
    if (file.status === 'added' || file.status === 'copied' || basePath === undefined) continue; // a new file
    if (!ledgers.has(basePath)) continue;
    stats.ledgersChanged++;
    if (file.status === 'removed') {
      sink.add({
        rule: 'ledger-deleted',
        path: basePath,
        message: `the append-only ledger ${basePath} is deleted by this change`,
        key: `deleted:${basePath}`,
      });
      continue;
    }
    if (file.status === 'renamed' && !ledgers.has(file.path)) {
      sink.add({
        rule: 'ledger-deleted',
        path: file.path,
        message: `the append-only ledger ${basePath} is moved to ${file.path}, which is not a registered ledger`,
        key: `moved:${basePath}`,
        help: 'Keep the ledger at its registered path, or register the new path as a ledger in the same change as the move.',
      });
    }
    const [base, head] = await Promise.all([change.readBase(basePath), snapshot.read(file.path)]);
    if (head.kind === 'missing') {
      sink.add({
        rule: 'ledger-deleted',
        path: file.path,
        message: `the append-only ledger ${file.path} is missing from the head of this change`,
        key: `deleted:${file.path}`,
      });
      continue;
    }
    if (base.kind !== 'text' || head.kind !== 'text') {
      unverifiable(sink, file, basePath, base, head);
      continue;
    }
    const verdict = compareAppendOnly(base.text, head.text);
    if (verdict.ok) {
      stats.ledgersAppended++;
      continue;
    }
    sink.add({
      rule: 'append-only',
      path: file.path,
      line: verdict.headLine ?? lastLine(head.text),
      message: describe(verdict, basePath, change.baseRef),
      key: `${verdict.kind}:${basePath}:${verdict.baseText}`,
      properties: { baseLine: verdict.baseLine, baseSha: change.baseSha, kind: verdict.kind },
    });
  }
  return stats;
}

function describe(
  v: Exclude<AppendOnlyResult, { ok: true }>,
  basePath: string,
  baseRef: string,
): string {
  const was = excerpt(v.baseText);
  const where = `line ${v.baseLine} of ${basePath} (as on ${baseRef})`;
  switch (v.kind) {
    case 'deleted':
      return v.count && v.count > 1
        ? `append-only ledger: ${v.count} lines from ${where} on were deleted; the first was ${was}`
        : `append-only ledger: ${where} was deleted; it was ${was}`;
    case 'inserted':
      return `append-only ledger: ${v.count && v.count > 1 ? `${v.count} new lines were` : 'a new line was'} inserted above ${where} (${was}); new entries go at the end`;
    case 'line-ending':
      return `append-only ledger: the line ending of ${where} (${was}) was changed`;
    default:
      return `append-only ledger: ${where} was modified; it was ${was}, it is now ${excerpt(v.headText ?? '')}`;
  }
}

/** A redacted, quoted, bounded excerpt of a line for a message. */
function excerpt(text: string): string {
  const t = redact(text.replace(/\r$/, ''));
  return JSON.stringify(t.length > 120 ? `${t.slice(0, 117)}...` : t);
}

function lastLine(text: string): number | undefined {
  if (text === '') return undefined;
  let n = 1;
  for (let i = 0; i < text.length - 1; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

function unverifiable(
  sink: FindingSink,
  file: ChangedFile,
  basePath: string,
  base: FileContent,
  head: FileContent,
): void {
  const which =
    base.kind !== 'text'
      ? `its base version ${describeUnreadable(base)}`
      : `its head version ${describeUnreadable(head)}`;
  sink.add({
    rule: 'append-only',
    path: file.path,
    message: `append-only ledger ${basePath} cannot be verified: ${which}`,
    key: `unverifiable:${basePath}`,
    help: 'Keep ledgers as text files under the size limit (limits.max-read-bytes) so every change to them can be verified.',
  });
}
