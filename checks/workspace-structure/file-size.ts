/**
 * Rule `max-file-size`: tracked files larger than the limit (sizes as the snapshot saw them:
 * the working-tree size locally, the blob size from the API). Symlinks and submodules have no
 * content of their own and are skipped; files already reported by a forbidden-path rule too.
 */
import type { Finding } from '../model.js';
import type { RepoFile } from '../snapshot.js';
import type { CompiledConfig } from './config.js';
import { count, makeFinding } from './rules.js';
import { formatSize } from './size.js';

/** One finding per tracked file over the limit and not allowed. */
export function checkFileSizes(
  files: readonly RepoFile[],
  claimed: ReadonlySet<string>,
  rule: NonNullable<CompiledConfig['maxFileSize']>,
): Finding[] {
  const findings: Finding[] = [];
  for (const f of files) {
    if (
      f.kind !== 'file' ||
      f.size <= rule.limit ||
      claimed.has(f.path) ||
      rule.allow.covers(f.path)
    )
      continue;
    findings.push(
      makeFinding(
        'max-file-size',
        rule.severity,
        `${f.path} is ${formatSize(f.size)} (${count(f.size)} bytes), over the ${formatSize(rule.limit)} limit`,
        {
          path: f.path,
          key: 'size',
          help: 'Remove it from git, store it with Git LFS or as a release asset, or add it to workspace-structure.max-file-size.allow.',
          properties: { size: f.size, limit: rule.limit },
        },
      ),
    );
  }
  return findings;
}
