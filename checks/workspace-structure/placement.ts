/**
 * Rule `placement`: files matching an entry's `files` patterns may live only under one of its
 * `only-under` directories ("SQL migrations only under db/migrations/"). One finding per
 * misplaced file. Files already reported by a forbidden-path rule are skipped.
 */
import type { Finding } from '../model.js';
import type { RepoFile } from '../snapshot.js';
import type { CompiledPlacement } from './config.js';
import { parentDir } from './glob.js';
import { makeFinding } from './rules.js';

/** One finding per file that matches a placement entry but lies outside its directories. */
export function checkPlacement(
  files: readonly RepoFile[],
  claimed: ReadonlySet<string>,
  entries: readonly CompiledPlacement[],
): Finding[] {
  const findings: Finding[] = [];
  if (entries.length === 0) return findings;
  for (const f of files) {
    if (claimed.has(f.path)) continue;
    for (const e of entries) {
      if (!e.files.covers(f.path)) continue;
      if (e.onlyUnder.outermostDir(parentDir(f.path)) !== undefined) continue;
      const where = e.onlyUnderSources.join(', ');
      findings.push(
        makeFinding(
          'placement',
          e.severity,
          `${f.path} must live under ${where}: ${e.description} [${e.name}]`,
          {
            path: f.path,
            key: e.name,
            help:
              e.help ?? `Move it under ${where}, or widen workspace-structure.placement.${e.name}.`,
            properties: { entry: e.name },
          },
        ),
      );
    }
  }
  return findings;
}
