/**
 * The rules of the `workspace-structure` check: their metadata (SARIF `tool.driver.rules`,
 * docs/checks/workspace-structure.md) and the one helper that builds a finding with its
 * stable fingerprint.
 */
import { fingerprint } from '../fingerprint.js';
import type { Finding, RuleMeta, Severity } from '../model.js';

export const CHECK_ID = 'workspace-structure' as const;

/** Rule ids, as they appear after `workspace-structure/` in SARIF. */
export type WorkspaceRuleId =
  | 'required-file'
  | 'forbidden-path'
  | 'stray-database'
  | 'root-allowlist'
  | 'placement'
  | 'max-file-size'
  | 'symlink-escape'
  | 'unreadable-file';

export const RULES: readonly RuleMeta[] = [
  {
    id: 'required-file',
    description:
      'A file the policy requires (licence, README, security policy, CODEOWNERS...) is missing.',
    help: 'Add a file at one of the locations the rule lists, or change the entry under workspace-structure.required-files.',
    defaultSeverity: 'error',
  },
  {
    id: 'forbidden-path',
    description:
      'A tracked path the policy forbids: dependency directories, build output, backup copies, caches, OS metadata, environment files.',
    help: "Remove it from git (`git rm -r --cached <path>`) and add it to .gitignore; if it belongs in the repository, add it to the entry's `allow` list.",
    defaultSeverity: 'error',
  },
  {
    id: 'stray-database',
    description:
      'A database file (`*.db`, `*.sqlite*`) is tracked outside the places the policy allows.',
    help: 'Remove it from git or move it to an allowed place (workspace-structure.stray-databases.allow).',
    defaultSeverity: 'error',
  },
  {
    id: 'root-allowlist',
    description: 'An entry at the repository root is not on the root allowlist.',
    help: 'Move it into a subdirectory, or add it to workspace-structure.root-allowlist.entries.',
    defaultSeverity: 'error',
  },
  {
    id: 'placement',
    description: 'A file lives outside the directories its placement rule allows.',
    help: "Move it under one of the rule's `only-under` directories, or widen the rule.",
    defaultSeverity: 'error',
  },
  {
    id: 'max-file-size',
    description: 'A tracked file is larger than the size limit.',
    help: 'Remove it, store it with Git LFS or as a release asset, or add it to workspace-structure.max-file-size.allow.',
    defaultSeverity: 'warning',
  },
  {
    id: 'symlink-escape',
    description:
      'A tracked symbolic link points outside the repository; Autopack does not follow it.',
    help: 'Replace the link with the file it points to, or make it point inside the repository.',
    defaultSeverity: 'error',
  },
  {
    id: 'unreadable-file',
    description:
      'A tracked entry could not be read (missing from the working tree, permission denied, not a regular file).',
    help: 'Check out the file again or fix its permissions; checks that need it cannot pass until it is readable.',
    defaultSeverity: 'error',
  },
];

/** Builds a finding; the fingerprint is check, rule, path and a rule-chosen key (never a line). */
export function makeFinding(
  ruleId: WorkspaceRuleId,
  severity: Severity,
  message: string,
  opts: { path?: string; key: string; help: string; properties?: Record<string, unknown> },
): Finding {
  return {
    checkId: CHECK_ID,
    ruleId,
    severity,
    message,
    ...(opts.path !== undefined ? { path: opts.path } : {}),
    fingerprint: fingerprint(CHECK_ID, ruleId, opts.path ?? '', opts.key),
    help: opts.help,
    ...(opts.properties ? { properties: opts.properties } : {}),
  };
}

/** Quotes a path for a POSIX shell command in a help text. */
export function shellQuote(p: string): string {
  return /^[\w./@%+=:,-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`;
}

/** `1,234` */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}
