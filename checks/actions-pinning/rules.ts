/**
 * The rules of the `actions-pinning` check: metadata for SARIF `tool.driver.rules` and
 * docs/checks/actions-pinning.md, and the one helper that builds a finding with its stable
 * fingerprint (check, rule, path and a rule-chosen key: never a line number).
 */
import { fingerprint } from '../fingerprint.js';
import type { Finding, RuleMeta, Severity } from '../model.js';

export const CHECK_ID = 'actions-pinning' as const;

/** The check's title, as reports and Check Runs show it. */
export const TITLE = 'Actions pinning';

/** Rule ids, as they appear after `actions-pinning/` in SARIF. */
export const RULE_IDS = [
  'unpinned-action',
  'unpinned-reusable-workflow',
  'unpinned-docker-image',
  'missing-version-comment',
  'missing-permissions',
  'write-all-permissions',
  'dangerous-pull-request-target',
  'malformed-file',
  'unreadable-file',
] as const;
export type PinningRuleId = (typeof RULE_IDS)[number];

/** Rules that cannot be switched off: a file Autopack cannot read or parse never passes. */
export const ALWAYS_ON: ReadonlySet<PinningRuleId> = new Set(['malformed-file', 'unreadable-file']);

export const RULES: readonly RuleMeta[] = [
  {
    id: 'unpinned-action',
    description:
      'A step `uses:` an action by tag, branch or short SHA instead of a full 40-character commit SHA.',
    help: 'Pin the action to the full commit SHA of the version you use and keep the version as a trailing comment: `uses: owner/repo@<40-hex sha> # v4`.',
    defaultSeverity: 'error',
  },
  {
    id: 'unpinned-reusable-workflow',
    description:
      'A job `uses:` a reusable workflow of another repository by tag or branch instead of a full commit SHA.',
    help: 'Pin the workflow to a full commit SHA: `uses: owner/repo/.github/workflows/x.yml@<40-hex sha> # v1`.',
    defaultSeverity: 'error',
  },
  {
    id: 'unpinned-docker-image',
    description: 'A `docker://` image is referenced by tag instead of an `@sha256:` digest.',
    help: 'Pin the image by digest: `docker://image:tag@sha256:<64-hex digest>` (see `docker buildx imagetools inspect image:tag`).',
    defaultSeverity: 'error',
  },
  {
    id: 'missing-version-comment',
    description:
      'A SHA-pinned `uses:` has no trailing comment naming the version (off by default).',
    help: 'Add the version the SHA points to as a trailing comment (`# v4.1.1`) so that reviewers and Dependabot can read it.',
    defaultSeverity: 'notice',
  },
  {
    id: 'missing-permissions',
    description:
      'A job runs with the default GITHUB_TOKEN permissions: neither the workflow nor the job sets `permissions:`.',
    help: 'Add `permissions:` at the top of the workflow (e.g. `contents: read`) and grant each job only what it needs.',
    defaultSeverity: 'error',
  },
  {
    id: 'write-all-permissions',
    description: 'A workflow or job grants `permissions: write-all`.',
    help: 'Replace `write-all` with the individual scopes the job needs (e.g. `contents: read`, `pull-requests: write`).',
    defaultSeverity: 'error',
  },
  {
    id: 'dangerous-pull-request-target',
    description:
      'A `pull_request_target` workflow checks out or fetches the pull request head, running untrusted code with a privileged token.',
    help: 'Use the `pull_request` event for anything that builds or runs PR code; in `pull_request_target` never check out the PR head (or isolate it in an unprivileged job with `permissions: {}` and no secrets).',
    defaultSeverity: 'error',
  },
  {
    id: 'malformed-file',
    description:
      'A workflow or action manifest is not valid YAML or not shaped like one; it cannot be checked.',
    help: 'Fix the YAML at the reported line; GitHub rejects the file as well.',
    defaultSeverity: 'error',
  },
  {
    id: 'unreadable-file',
    description:
      'A workflow or action manifest could not be read (too large, binary, a symlink, an I/O error).',
    help: 'Make the file a readable regular text file; until then it cannot be checked and the check fails closed.',
    defaultSeverity: 'error',
  },
];

/** Builds a finding with a line-independent fingerprint. */
export function makeFinding(
  ruleId: PinningRuleId,
  severity: Severity,
  path: string,
  message: string,
  opts: {
    key: string;
    help: string;
    line?: number;
    column?: number;
    endLine?: number;
    endColumn?: number;
    properties?: Record<string, unknown>;
  },
): Finding {
  return {
    checkId: CHECK_ID,
    ruleId,
    severity,
    message,
    path,
    ...(opts.line !== undefined ? { line: opts.line } : {}),
    ...(opts.column !== undefined ? { column: opts.column } : {}),
    ...(opts.endLine !== undefined ? { endLine: opts.endLine } : {}),
    ...(opts.endColumn !== undefined ? { endColumn: opts.endColumn } : {}),
    fingerprint: fingerprint(CHECK_ID, ruleId, path, opts.key),
    help: opts.help,
    ...(opts.properties ? { properties: opts.properties } : {}),
  };
}
