/**
 * Which tracked files the check reads: workflows (`.github/workflows/*.yml|yaml`, direct
 * children only, as GitHub runs them) and action manifests (`action.yml|yaml` anywhere in the
 * tree: composite actions' steps and Docker actions' images), minus the configured excludes.
 */
import type { RepoFile } from '../snapshot.js';

/** A file to scan and what it is. */
export interface ScanTarget {
  path: string;
  kind: 'workflow' | 'action';
}

const WORKFLOW = /^\.github\/workflows\/[^/]+\.ya?ml$/;
const ACTION = /(^|\/)action\.ya?ml$/;

/** The workflow and action files among the tracked files, in path order. */
export function scanTargets(
  files: readonly RepoFile[],
  excluded: (path: string) => boolean,
): ScanTarget[] {
  const out: ScanTarget[] = [];
  for (const f of files) {
    if (f.kind === 'submodule') continue;
    const kind = WORKFLOW.test(f.path) ? 'workflow' : ACTION.test(f.path) ? 'action' : undefined;
    if (kind && !excluded(f.path)) out.push({ path: f.path, kind });
  }
  return out;
}
