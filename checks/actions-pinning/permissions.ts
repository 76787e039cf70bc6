/**
 * Rules `missing-permissions` and `write-all-permissions` (docs.github.com, "Workflow syntax:
 * permissions" and "jobs.<job_id>.permissions"): a workflow-level `permissions:` covers every
 * job; otherwise each job needs its own. Any explicit value counts (`{}`, `read-all`, a map);
 * `write-all` is flagged wherever it appears.
 */
import { isMap, type Node } from 'yaml';
import type { Finding } from '../model.js';
import type { CompiledPinningConfig } from './config.js';
import { makeFinding } from './rules.js';
import { entries, getNode, spanOf, str, type ParsedYaml } from './source.js';

type Parsed = Extract<ParsedYaml, { ok: true }>;

/** Findings for one workflow's `permissions:` (top level and per job). */
export function checkPermissions(
  path: string,
  parsed: Parsed,
  cfg: CompiledPinningConfig,
): Finding[] {
  const { doc, lines } = parsed;
  const findings: Finding[] = [];
  const root = doc.contents;
  const writeAll = (node: Node | undefined, where: string, key: string) => {
    const level = cfg.level('write-all-permissions');
    if (!level || str(node)?.trim() !== 'write-all') return;
    findings.push(
      makeFinding('write-all-permissions', level, path, `${where} grants permissions: write-all`, {
        key,
        ...spanOf(lines, node),
        help: 'Replace write-all with the scopes the job needs, e.g. `permissions: { contents: read, pull-requests: write }`.',
      }),
    );
  };
  const top = isMap(root) && root.has('permissions');
  if (top) writeAll(getNode(doc, root, 'permissions'), 'the workflow', 'workflow');
  for (const [jobId, job, jobKey] of entries(doc, getNode(doc, root, 'jobs'))) {
    if (isMap(job) && job.has('permissions')) {
      writeAll(getNode(doc, job, 'permissions'), `job "${jobId}"`, `job/${jobId}`);
      continue;
    }
    if (top) continue;
    const level = cfg.level('missing-permissions');
    if (!level) continue;
    findings.push(
      makeFinding(
        'missing-permissions',
        level,
        path,
        `job "${jobId}" has no permissions: and the workflow sets none, so its GITHUB_TOKEN gets the repository default`,
        {
          key: `job/${jobId}`,
          ...spanOf(lines, jobKey),
          help: 'Add `permissions:` at the top of the workflow (e.g. `contents: read`) or to this job, granting only what it needs.',
        },
      ),
    );
  }
  return findings;
}
