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
  for (const req of required) {
    if (files.some((f) => req.matcher.covers(f.path))) continue;
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
