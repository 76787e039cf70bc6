/**
 * Rules `symlink-escape` and `unreadable-file`: the problems the snapshot met while listing the
 * tracked files (checks/snapshot.ts `SnapshotProblem`), surfaced as findings so that nothing the
 * snapshot could not see is silently skipped. `unreadable` and `not-regular` problems are
 * always reported (their severity is configurable); a symlink escape can be allowed by path.
 */
import type { Finding } from '../model.js';
import type { SnapshotProblem } from '../snapshot.js';
import type { CompiledConfig } from './config.js';
import { makeFinding } from './rules.js';

/** One finding per snapshot problem (an allowed or disabled symlink escape excepted). */
export function checkSnapshotProblems(
  problems: readonly SnapshotProblem[],
  cfg: CompiledConfig,
): Finding[] {
  const findings: Finding[] = [];
  for (const p of problems) {
    if (p.rule === 'symlink-escape') {
      const rule = cfg.symlinkEscape;
      if (!rule || rule.allow.covers(p.path)) continue;
      findings.push(
        makeFinding('symlink-escape', rule.severity, `${p.path}: ${p.message}`, {
          path: p.path,
          key: 'symlink-escape',
          help: 'Replace the link with the content it points to, make it point inside the repository, or list it in workspace-structure.symlink-escape.allow.',
        }),
      );
    } else {
      findings.push(
        makeFinding('unreadable-file', cfg.unreadableSeverity, `${p.path || '.'}: ${p.message}`, {
          path: p.path || undefined,
          key: p.rule,
          help:
            p.rule === 'not-regular'
              ? 'Remove the special file (socket, FIFO or device) from the tree; only regular files and symlinks can be checked.'
              : 'Restore the file (`git checkout -- <path>`) or fix its permissions; checks that need it cannot pass until it is readable.',
          properties: { problem: p.rule },
        }),
      );
    }
  }
  return findings;
}
