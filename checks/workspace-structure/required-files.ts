/**
 * Rule `required-file`: each enabled `required-files` entry needs at least one tracked file
 * matching one of its patterns (alternatives, e.g. `SECURITY.md`, `.github/SECURITY.md`,
 * `docs/SECURITY.md`, the three places GitHub looks). Matching is case-insensitive unless the
 * entry says `case-sensitive: true`.
 */
import type { Finding } from '../model.js';
import type { RepoFile } from '../snapshot.js';
import type { CompiledRequired } from './config.js';
import { makeFinding } from './rules.js';

/** One finding per required entry that no tracked file satisfies. */
export function checkRequiredFiles(
  files: readonly RepoFile[],
  required: readonly CompiledRequired[],
): Finding[] {
  const findings: Finding[] = [];
  // Most entries name fixed places (`SECURITY.md`, `.github/CODEOWNERS`): only paths of those
  // depths are tested, so a missing file does not cost a glob test per tracked file.
  let depths: Uint16Array | undefined;
  const depthOf = (i: number): number => {
    if (!depths) {
      depths = new Uint16Array(files.length);
      files.forEach((f, j) => {
        let n = 0;
        for (let k = f.path.indexOf('/'); k !== -1; k = f.path.indexOf('/', k + 1)) n++;
        depths![j] = Math.min(n, 0xffff);
      });
    }
    return depths[i]!;
  };
  for (const req of required) {
    const fixed = req.matcher.fixedDepths;
    const found = files.some(
      (f, i) => (!fixed || fixed.has(depthOf(i))) && req.matcher.covers(f.path),
    );
    if (found) continue;
    const list = req.patterns.join(', ');
    findings.push(
      makeFinding(
        'required-file',
        req.severity,
        `missing ${req.description}: no tracked file matches ${list} [${req.name}]`,
        {
          key: req.name,
          help:
            req.help ??
            `Add ${req.description} at one of: ${list}. To relax this, change workspace-structure.required-files.${req.name} (severity or enabled).`,
          properties: { entry: req.name, patterns: req.patterns },
        },
      ),
    );
  }
  return findings;
}
