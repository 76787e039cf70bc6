/**
 * Walks one workflow file: every job-level `uses:` (reusable workflow call) and step-level
 * `uses:`, then the permissions and pull_request_target rules. A file that is not shaped like a
 * workflow (no `jobs` mapping) is a `malformed-file` finding, never a crash.
 */
import { isMap, type Node } from 'yaml';
import type { Finding } from '../model.js';
import type { CompiledPinningConfig } from './config.js';
import { checkPermissions } from './permissions.js';
import { checkUses, type UsesSite } from './pinning.js';
import { checkPullRequestTarget } from './pull-request-target.js';
import { makeFinding } from './rules.js';
import { entries, getNode, items, spanOf, type ParsedYaml } from './source.js';
import { collectStepUses, malformedAt } from './steps.js';

type Parsed = Extract<ParsedYaml, { ok: true }>;

/** Every finding for one parsed workflow file. */
export function checkWorkflow(path: string, parsed: Parsed, cfg: CompiledPinningConfig): Finding[] {
  const { doc } = parsed;
  const root = doc.contents;
  const jobs = getNode(doc, root, 'jobs');
  if (!isMap(root) || !isMap(jobs)) {
    return [
      makeFinding(
        'malformed-file',
        cfg.level('malformed-file') ?? 'error',
        path,
        `${path} is not a workflow: it has no "jobs" mapping`,
        {
          key: 'shape',
          ...(spanOf(parsed.lines, (isMap(root) ? root : undefined) as Node | undefined) ?? {
            line: 1,
            column: 1,
          }),
          help: 'A workflow is a YAML mapping with `on:` and a `jobs:` mapping (docs.github.com, "Workflow syntax for GitHub Actions").',
        },
      ),
    ];
  }
  const findings: Finding[] = [];
  for (const [jobId, job] of entries(doc, jobs)) {
    const owner = `job/${jobId}`;
    const usesNode = getNode(doc, job, 'uses');
    if (usesNode) {
      const site = siteOf(path, parsed, usesNode, owner, 0, 'job');
      if (typeof site === 'string') findings.push(malformedAt(path, parsed, usesNode, site, cfg));
      else {
        const f = checkUses(site, cfg);
        if (f) findings.push(f);
      }
    }
    findings.push(
      ...collectStepUses(path, parsed, items(doc, getNode(doc, job, 'steps')), owner, cfg),
    );
  }
  findings.push(...checkPermissions(path, parsed, cfg));
  findings.push(...checkPullRequestTarget(path, parsed, cfg));
  return findings;
}

/** A UsesSite for a node, or an error message when its value is not a string. */
export function siteOf(
  path: string,
  parsed: Parsed,
  node: Node,
  owner: string,
  occurrence: number,
  level: UsesSite['level'],
): UsesSite | string {
  const value = (node as { value?: unknown }).value;
  if (typeof value !== 'string') return 'uses: must be a string';
  return { path, parsed, node, value, owner, occurrence, level };
}
