/**
 * `autopack explain PATH`: which governance rules protect a path and who may approve a change
 * to it, CODEOWNERS included. Pure over the policy and the CODEOWNERS text.
 */
import { parseCodeowners, ownersOf, type Owner } from './codeowners.js';
import { describeApprovers } from './evaluate.js';
import { PathMatcher } from './paths.js';
import type { GovernancePolicy, GovernanceRule } from './policy.js';
import type { CodeownersSource } from './types.js';

/** One rule that protects the path. */
export interface ExplainedRule {
  rule: GovernanceRule;
  /** The glob of the rule that decided the match (the last matching one). */
  glob: string;
  /** Conditions that must also hold for the rule to apply to a pull request. */
  conditions: string[];
  approvers: string;
}

/** The explanation of one path. */
export interface PathExplanation {
  path: string;
  rules: ExplainedRule[];
  /** The CODEOWNERS owners of the path (last matching line), and that line. */
  codeowners: { source: CodeownersSource; owners: Owner[]; line?: number; pattern?: string };
  approverPermission: string;
}

/** Explains `path` under `policy`. */
export function explainPath(
  policy: GovernancePolicy,
  path: string,
  codeowners: CodeownersSource,
): PathExplanation {
  const rules: ExplainedRule[] = [];
  for (const rule of policy.rules) {
    if (!new PathMatcher(rule.paths).matches(path)) continue;
    let glob = '';
    for (const g of rule.paths)
      if (!g.startsWith('!') && new PathMatcher([g]).matches(path)) glob = g;
    const c = rule.if;
    const conditions: string[] = [];
    if (c.baseBranches) conditions.push(`target branch matches ${c.baseBranches.join(', ')}`);
    if (c.labels) conditions.push(`pull request has a label among ${c.labels.join(', ')}`);
    if (c.authors)
      conditions.push(
        `author is ${[...c.authors.users.map((u) => `@${u}`), ...c.authors.teams.map((t) => `a member of @${t}`)].join(' or ')}`,
      );
    if (c.changedLines !== undefined)
      conditions.push(`at least ${c.changedLines} changed lines in the matched files`);
    rules.push({ rule, glob, conditions, approvers: describeApprovers(rule, codeowners) });
  }
  let co: PathExplanation['codeowners'] = { source: codeowners, owners: [] };
  if (codeowners.status === 'found') {
    const m = ownersOf(parseCodeowners(codeowners.text, codeowners.path), path);
    co = { source: codeowners, owners: m.owners, line: m.entry?.line, pattern: m.entry?.pattern };
  }
  return { path, rules, codeowners: co, approverPermission: policy.approverPermission };
}

/** Plain-text rendering for the terminal. */
export function formatExplanation(e: PathExplanation): string {
  const lines: string[] = [];
  if (e.rules.length === 0) {
    lines.push(
      `${e.path}: not protected — no governance rule matches it; a change to it needs no approval.`,
    );
  } else {
    lines.push(`${e.path}: protected by ${e.rules.length} rule(s)`);
    for (const r of e.rules) {
      const tag = r.rule.builtin ? ' (built-in)' : '';
      lines.push(
        '',
        `  rule ${r.rule.id}${tag}${r.rule.description ? ` — ${r.rule.description}` : ''}`,
      );
      lines.push(`    matched by:   ${r.glob}`);
      lines.push(`    applies when: ${r.conditions.length ? r.conditions.join('; ') : 'always'}`);
      lines.push(
        `    approvals:    ${r.rule.approvals}${r.rule.quorum ? ` from at least ${r.rule.quorum.teams} distinct teams` : ''}`,
      );
      lines.push(`    approvers:    ${r.approvers.replace(/`/g, '')}`);
      lines.push(
        `    author may approve: ${r.rule.allowAuthor ? 'yes' : 'no'}; invalidated by: ${r.rule.invalidateOn}`,
      );
      if (r.rule.ignore.length)
        lines.push(`    never counted: ${r.rule.ignore.map((u) => `@${u}`).join(', ')}`);
    }
    lines.push(
      '',
      `  every approver needs at least ${e.approverPermission} permission on the repository.`,
    );
  }
  const co = e.codeowners;
  if (co.source.status === 'found') {
    lines.push(
      '',
      co.owners.length
        ? `CODEOWNERS (${co.source.path}:${co.line}, pattern ${co.pattern}): ${co.owners.map((o) => o.raw).join(' ')}`
        : co.line
          ? `CODEOWNERS (${co.source.path}:${co.line}, pattern ${co.pattern}): no owners (the line clears ownership)`
          : `CODEOWNERS (${co.source.path}): no line matches this path`,
    );
  } else if (co.source.status === 'absent') {
    lines.push(
      '',
      'CODEOWNERS: none (.github/CODEOWNERS, CODEOWNERS and docs/CODEOWNERS are all absent)',
    );
  } else {
    lines.push('', `CODEOWNERS: ${co.source.error}`);
  }
  return lines.join('\n') + '\n';
}
