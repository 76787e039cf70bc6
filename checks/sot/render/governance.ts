/**
 * Renderer `governance.protected-paths`: a Markdown table of the governance rules (rule id,
 * protected paths, approvals required, approvers), so a document such as docs/GOVERNANCE.md
 * cannot contradict the enforced policy.
 *
 * Source of the rules: the `governance:` section of the resolved config (shape in
 * schemas/config/governance.schema.json: `rules[]` of `{ id, description, paths, approvals,
 * approvers: { users, teams, permission, codeowners }, if }`, plus `approver-permission` and
 * `review-approvals`). When the governance engine's `policyFromConfig` is passed in, the rules
 * it enforces (its built-in rules included) are rendered instead, so the table says exactly what
 * is enforced. Any shape this renderer does not understand is a RenderError, never a guess.
 */
import { isEnabled } from '../../config.js';
import type { ResolvedConfig } from '../../../policies/types.js';
import { code, escapeInline, table } from './markdown-text.js';
import { RenderError, type RenderContext } from './types.js';

/** One rule as rendered. */
export interface GovernanceRuleView {
  id: string;
  description?: string;
  paths: string[];
  approvals: number;
  /** Display strings, already Markdown. */
  approvers: string[];
  /** Display strings, already Markdown ("label `x`"). */
  conditions: string[];
  builtin: boolean;
}

/** The policy as rendered. */
export interface GovernanceView {
  enabled: boolean;
  rules: GovernanceRuleView[];
  approverPermission?: string;
  reviewApprovals?: boolean;
}

/**
 * The structural shape of the governance engine's resolved policy (checks/governance/policy.ts,
 * `GovernancePolicy`), as far as rendering needs it.
 */
export interface EnforcedPolicyLike {
  rules: ReadonlyArray<{
    id: string;
    description?: string;
    paths: readonly string[];
    approvals: number;
    approvers: {
      users?: readonly string[];
      teams?: readonly string[];
      permission?: string;
      codeowners?: boolean;
    };
    if?: {
      baseBranches?: readonly string[];
      labels?: readonly string[];
      authors?: { users?: readonly string[]; teams?: readonly string[] };
      changedLines?: number;
    };
    builtin?: string;
  }>;
  approverPermission?: string;
  reviewApprovals?: boolean;
}

/** Resolves the enforced policy from the config (the governance engine's `policyFromConfig`). */
export type PolicyResolver = (config: ResolvedConfig) => EnforcedPolicyLike;

/** Builds the renderer; with `resolvePolicy`, it renders the enforced policy (built-ins included). */
export function governanceProtectedPaths(resolvePolicy?: PolicyResolver) {
  return (ctx: RenderContext): string => {
    const view = resolvePolicy
      ? viewFromPolicy(resolvePolicy(ctx.config), isEnabled(ctx.config, 'governance'))
      : viewFromSection(ctx.config.values.governance, isEnabled(ctx.config, 'governance'));
    return renderGovernance(view);
  };
}

/** The Markdown of a governance view. */
export function renderGovernance(view: GovernanceView): string {
  const out: string[] = [];
  if (!view.enabled) {
    out.push(
      '_The governance check is disabled (`governance.enabled: false`): these rules are not enforced._',
      '',
    );
  }
  if (view.rules.length === 0) {
    out.push('_No protected paths are configured._');
  } else {
    out.push(
      table(
        ['Rule', 'Protected paths', 'Approvals required', 'Approvers'],
        view.rules.map((r) => [
          [
            code(r.id),
            r.builtin ? ' (built-in)' : '',
            r.description ? `: ${escapeInline(r.description)}` : '',
            r.conditions.length ? `; only when ${r.conditions.join(', ')}` : '',
          ].join(''),
          r.paths.map(code).join(', ') || '_none_',
          String(r.approvals),
          r.approvers.join(', ') || '_nobody_',
        ]),
      ),
    );
  }
  const notes: string[] = [];
  if (view.approverPermission) {
    notes.push(
      `Every approver needs at least ${code(view.approverPermission)} permission on the repository.`,
    );
  }
  notes.push(
    view.reviewApprovals
      ? 'Approvals are `/autopack approve` comments or approving pull request reviews.'
      : 'Approvals are `/autopack approve` comments on the pull request.',
  );
  out.push('', notes.join(' '));
  return out.join('\n');
}

/** A view of the engine's enforced policy. */
export function viewFromPolicy(policy: EnforcedPolicyLike, enabled: boolean): GovernanceView {
  return {
    enabled,
    approverPermission: policy.approverPermission,
    reviewApprovals: policy.reviewApprovals,
    rules: policy.rules.map((r) => ({
      id: r.id,
      description: r.description,
      paths: [...r.paths],
      approvals: r.approvals,
      approvers: approverCells(r.approvers),
      conditions: conditionCells(r.if ?? {}),
      builtin: r.builtin !== undefined,
    })),
  };
}

/**
 * A view of the raw `governance:` section, read defensively: `rules` must be a list of objects
 * with an `id` and `paths`; `approvals` defaults to 1 (the schema's default). Anything else is
 * a RenderError naming the key.
 */
export function viewFromSection(section: unknown, enabled: boolean): GovernanceView {
  if (section === undefined || section === null) return { enabled, rules: [] };
  if (!isObject(section)) throw new RenderError('the governance section is not a mapping');
  const rawRules = section.rules;
  if (rawRules !== undefined && !Array.isArray(rawRules))
    throw new RenderError('governance.rules is not a list');
  const rules = (rawRules ?? []).map((raw: unknown, i: number): GovernanceRuleView => {
    const at = `governance.rules[${i}]`;
    if (!isObject(raw)) throw new RenderError(`${at} is not a mapping`);
    if (typeof raw.id !== 'string') throw new RenderError(`${at}.id is not a string`);
    const paths = stringList(raw.paths, `${at}.paths`);
    const approvals = raw.approvals ?? 1;
    if (typeof approvals !== 'number') throw new RenderError(`${at}.approvals is not a number`);
    const approvers = raw.approvers ?? {};
    if (!isObject(approvers)) throw new RenderError(`${at}.approvers is not a mapping`);
    const cond = raw.if ?? {};
    if (!isObject(cond)) throw new RenderError(`${at}.if is not a mapping`);
    const authors = cond.authors;
    return {
      id: raw.id,
      description: typeof raw.description === 'string' ? raw.description : undefined,
      paths,
      approvals,
      approvers: approverCells({
        users: stringList(approvers.users, `${at}.approvers.users`),
        teams: stringList(approvers.teams, `${at}.approvers.teams`),
        permission: typeof approvers.permission === 'string' ? approvers.permission : undefined,
        codeowners: approvers.codeowners === true,
      }),
      conditions: conditionCells({
        baseBranches: stringList(cond['base-branches'], `${at}.if.base-branches`),
        labels: stringList(cond.labels, `${at}.if.labels`),
        authors: isObject(authors)
          ? {
              users: stringList(authors.users, `${at}.if.authors.users`),
              teams: stringList(authors.teams, `${at}.if.authors.teams`),
            }
          : undefined,
        changedLines: typeof cond['changed-lines'] === 'number' ? cond['changed-lines'] : undefined,
      }),
      builtin: false,
    };
  });
  return {
    enabled,
    rules,
    approverPermission:
      typeof section['approver-permission'] === 'string'
        ? section['approver-permission']
        : undefined,
    reviewApprovals: section['review-approvals'] === true,
  };
}

function approverCells(a: EnforcedPolicyLike['rules'][number]['approvers']): string[] {
  const out: string[] = [];
  for (const u of a.users ?? []) out.push(escapeInline(`@${u.replace(/^@/, '')}`));
  for (const t of a.teams ?? []) out.push(escapeInline(`@${t.replace(/^@/, '')}`));
  if (a.permission) out.push(`anyone with ${code(a.permission)} permission or higher`);
  if (a.codeowners) out.push('the CODEOWNERS of the changed files');
  return out;
}

function conditionCells(c: NonNullable<EnforcedPolicyLike['rules'][number]['if']>): string[] {
  const out: string[] = [];
  if (c.baseBranches?.length)
    out.push(`the base branch is ${c.baseBranches.map(code).join(' or ')}`);
  if (c.labels?.length) out.push(`labelled ${c.labels.map(code).join(' or ')}`);
  const authors = [...(c.authors?.users ?? []), ...(c.authors?.teams ?? [])];
  if (authors.length)
    out.push(
      `authored by ${authors.map((a) => escapeInline(`@${a.replace(/^@/, '')}`)).join(' or ')}`,
    );
  if (c.changedLines !== undefined) out.push(`at least ${c.changedLines} lines change`);
  return out;
}

function stringList(v: unknown, at: string): string[] {
  if (v === undefined) return [];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  throw new RenderError(`${at} is not a list of strings`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
