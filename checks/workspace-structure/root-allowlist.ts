/**
 * Rule `root-allowlist`: when enabled, every entry at the repository root (a file, or a
 * directory holding tracked files) must match one of `entries`. A directory not on the list is
 * one finding with a file count. Files already reported by a forbidden-path rule are skipped.
 */
import type { Finding } from '../model.js';
import type { RepoFile } from '../snapshot.js';
import type { CompiledConfig } from './config.js';
import { count, makeFinding } from './rules.js';

/** One finding per root file or directory that no allowlist entry matches. */
export function checkRootAllowlist(
  files: readonly RepoFile[],
  claimed: ReadonlySet<string>,
  allow: NonNullable<CompiledConfig['rootAllowlist']>,
): Finding[] {
  const dirs = new Map<string, number>();
  const findings: Finding[] = [];
  const list = allow.entries.length ? allow.entries.join(', ') : '(empty)';
  for (const f of files) {
    if (claimed.has(f.path)) continue;
    const slash = f.path.indexOf('/');
    if (slash < 0) {
      if (allow.files.matchesFile(f.path)) continue;
      findings.push(
        makeFinding(
          'root-allowlist',
          allow.severity,
          `${f.path} is not allowed at the repository root`,
          {
            path: f.path,
            key: 'file',
            help: `Move it into a subdirectory, or add it to workspace-structure.root-allowlist.entries (now: ${list}).`,
          },
        ),
      );
    } else {
      const top = f.path.slice(0, slash);
      dirs.set(top, (dirs.get(top) ?? 0) + 1);
    }
  }
  for (const [dir, n] of dirs) {
    if (allow.dirs.matchesDir(dir)) continue;
    findings.push(
      makeFinding(
        'root-allowlist',
        allow.severity,
        `${dir}/ (${count(n)} tracked file${n === 1 ? '' : 's'}) is not allowed at the repository root`,
        {
          path: dir,
          key: 'dir',
          help: `Move it under an allowed directory, or add \`${dir}/\` to workspace-structure.root-allowlist.entries (now: ${list}).`,
          properties: { kind: 'directory', files: n },
        },
      ),
    );
  }
  return findings;
}
