/**
 * The governance policy: the `governance:` section of `.github/autopack.yml` (shape in
 * schemas/config/governance.schema.json) turned into rules with every default filled in, plus
 * the built-in rules that protect Autopack's own config, CODEOWNERS and workflows.
 *
 * The App and the Action resolve the config from the pull request's BASE branch, so the policy
 * that judges a pull request can never be loosened by that pull request.
 */
import { Minimatch } from 'minimatch';
import type { ConfigIssue } from '../model.js';
import type { ResolvedConfig } from '../../policies/types.js';
import { key, PERMISSION_LEVELS, type RepoPermission } from './types.js';

/** What makes an approval stop counting. */
export type Invalidation = 'protected-change' | 'any-push' | 'never';
export const INVALIDATIONS: readonly Invalidation[] = ['protected-change', 'any-push', 'never'];

/** Who may approve a rule: the union of these sources (each approver also needs `approver-permission`). */
export interface ApproverSpec {
  /** Lower-case logins. */
  users: string[];
  /** Lower-case `org/team-slug`. */
  teams: string[];
  /** Anyone with at least this repository permission. */
  permission?: RepoPermission;
  /** The CODEOWNERS (base branch) of the matched files; each owned file needs one of its owners. */
  codeowners: boolean;
}

/** When a rule applies, beyond its paths. Every listed condition must hold. */
export interface RuleConditions {
  /** Target branch globs (minimatch), e.g. `main`, `release/*`. */
  baseBranches?: string[];
  /** The pull request carries at least one of these labels. */
  labels?: string[];
  /** The author is one of these users or a member of one of these teams. */
  authors?: { users: string[]; teams: string[] };
  /** Added plus deleted lines in the matched files reach this number. */
  changedLines?: number;
}

/** One governance rule, defaults filled in. */
export interface GovernanceRule {
  id: string;
  description?: string;
  /** Ordered minimatch globs; a `!` pattern excludes; the last pattern that matches decides. */
  paths: string[];
  if: RuleConditions;
  /** Distinct approvers required (at least 1). */
  approvals: number;
  approvers: ApproverSpec;
  /** Whether the pull request's author may approve it (default false). */
  allowAuthor: boolean;
  invalidateOn: Invalidation;
  /** Approvals must come from at least this many distinct teams of the rule's approvers. */
  quorum?: { teams: number };
  /** Lower-case logins whose approvals never count for this rule. */
  ignore: string[];
  /** Set for the built-in rules (`autopack-config`, `codeowners`, `workflows`). */
  builtin?: BuiltinId;
}

/** Ids of the built-in rules. */
export type BuiltinId = 'autopack-config' | 'codeowners' | 'workflows';

/** The built-in protected paths; only the base-branch policy can switch one off (`builtin:`). */
export const BUILTIN_PATHS: Record<BuiltinId, readonly string[]> = {
  'autopack-config': ['.github/autopack.yml'],
  codeowners: ['CODEOWNERS', '.github/CODEOWNERS', 'docs/CODEOWNERS'],
  workflows: ['.github/workflows/**'],
};

/** The `builtin:` key for each built-in rule. */
const BUILTIN_KEYS: Record<BuiltinId, 'config' | 'codeowners' | 'workflows'> = {
  'autopack-config': 'config',
  codeowners: 'codeowners',
  workflows: 'workflows',
};

const BUILTIN_DESCRIPTIONS: Record<BuiltinId, string> = {
  'autopack-config':
    "Autopack's own policy (.github/autopack.yml and the repository files it extends)",
  codeowners: 'CODEOWNERS (all three locations GitHub reads)',
  workflows: 'GitHub Actions workflows',
};

/** The resolved governance policy. */
export interface GovernancePolicy {
  /** Built-in rules first (unless switched off), then the configured rules, in order. */
  rules: GovernanceRule[];
  /** The minimum repository permission every approver needs (default `write`). */
  approverPermission: RepoPermission;
  /** Whether approving pull request reviews count as approvals (default false). */
  reviewApprovals: boolean;
  /** Whether the Check Run offers the "Approve" button (default true). */
  approveButton: boolean;
  /** Lower-case logins whose approvals never count, for any rule. */
  ignore: string[];
  /** Which built-ins are on. */
  builtin: Record<'config' | 'codeowners' | 'workflows', boolean>;
}

/** The raw `governance:` section as the schema allows it. */
export interface GovernanceSection {
  enabled?: boolean;
  'approver-permission'?: RepoPermission;
  'review-approvals'?: boolean;
  'approve-button'?: boolean;
  ignore?: string[];
  builtin?: { config?: boolean; codeowners?: boolean; workflows?: boolean };
  rules?: RawRule[];
}

/** One raw rule as written in YAML. */
export interface RawRule {
  id: string;
  description?: string;
  paths?: string[];
  if?: {
    'base-branches'?: string[];
    labels?: string[];
    authors?: { users?: string[]; teams?: string[] };
    'changed-lines'?: number;
  };
  approvals?: number;
  approvers?: {
    users?: string[];
    teams?: string[];
    permission?: RepoPermission;
    codeowners?: boolean;
  };
  'allow-author'?: boolean;
  'invalidate-on'?: Invalidation;
  quorum?: { teams?: number };
  ignore?: string[];
}

/** The approvers of a built-in rule that the config does not override: `maintain` or higher. */
const BUILTIN_APPROVERS: ApproverSpec = {
  users: [],
  teams: [],
  permission: 'maintain',
  codeowners: false,
};

/**
 * Builds the policy from the resolved config. The built-in rules protect
 * `.github/autopack.yml` (plus every repository file in its `extends` chain), CODEOWNERS and
 * `.github/workflows/**` unless `governance.builtin.<name>: false`. A configured rule whose id
 * is a built-in id (`autopack-config`, `codeowners`, `workflows`) replaces the built-in's
 * approvers and options, but its paths always include the built-in paths.
 *
 * Assumes the section passed the JSON Schema; {@link validateGovernanceSection} reports the
 * semantic problems (duplicate ids, rules nobody can approve, quorum above approvals).
 */
export function loadGovernancePolicy(
  section: GovernanceSection,
  config?: Pick<ResolvedConfig, 'layers'>,
): GovernancePolicy {
  const builtin = {
    config: section.builtin?.config !== false,
    codeowners: section.builtin?.codeowners !== false,
    workflows: section.builtin?.workflows !== false,
  };
  const configured = (section.rules ?? []).map(normalizeRule);
  const rules: GovernanceRule[] = [];
  for (const id of Object.keys(BUILTIN_PATHS) as BuiltinId[]) {
    if (!builtin[BUILTIN_KEYS[id]]) continue;
    let paths = [...BUILTIN_PATHS[id]];
    if (id === 'autopack-config' && config) {
      // The repository files of the extends chain are policy too.
      for (const layer of config.layers)
        if (!layer.startsWith('autopack:') && !paths.includes(layer)) paths.push(layer);
    }
    const override = configured.find((r) => r.id === id);
    if (override) {
      // Built-in paths are always protected: they come last so no `!` pattern can exclude them.
      paths = [...override.paths, ...paths];
      rules.push({
        ...override,
        paths,
        builtin: id,
        description: override.description ?? BUILTIN_DESCRIPTIONS[id],
      });
    } else {
      rules.push({
        id,
        description: BUILTIN_DESCRIPTIONS[id],
        paths,
        if: {},
        approvals: 1,
        approvers: { ...BUILTIN_APPROVERS },
        allowAuthor: false,
        invalidateOn: 'protected-change',
        ignore: [],
        builtin: id,
      });
    }
  }
  for (const r of configured) if (!rules.some((b) => b.id === r.id && b.builtin)) rules.push(r);
  return {
    rules,
    approverPermission: section['approver-permission'] ?? 'write',
    reviewApprovals: section['review-approvals'] === true,
    approveButton: section['approve-button'] !== false,
    ignore: (section.ignore ?? []).map(key),
    builtin,
  };
}

/** The policy of a resolved config (`governance:` section, built-ins included). */
export function policyFromConfig(config: ResolvedConfig): GovernancePolicy {
  return loadGovernancePolicy((config.values.governance ?? {}) as GovernanceSection, config);
}

function normalizeRule(raw: RawRule): GovernanceRule {
  const cond = raw.if ?? {};
  return {
    id: raw.id,
    description: raw.description,
    paths: [...(raw.paths ?? [])],
    if: {
      baseBranches: cond['base-branches'],
      labels: cond.labels,
      authors: cond.authors
        ? { users: (cond.authors.users ?? []).map(key), teams: (cond.authors.teams ?? []).map(key) }
        : undefined,
      changedLines: cond['changed-lines'],
    },
    approvals: raw.approvals ?? 1,
    approvers: {
      users: (raw.approvers?.users ?? []).map(key),
      teams: (raw.approvers?.teams ?? []).map(key),
      permission: raw.approvers?.permission,
      codeowners: raw.approvers?.codeowners === true,
    },
    allowAuthor: raw['allow-author'] === true,
    invalidateOn: raw['invalidate-on'] ?? 'protected-change',
    quorum: raw.quorum?.teams ? { teams: raw.quorum.teams } : undefined,
    ignore: (raw.ignore ?? []).map(key),
  };
}

/**
 * Semantic checks the JSON Schema cannot express, with key paths relative to the `governance`
 * section: duplicate rule ids, a rule nobody could approve, a quorum larger than the teams
 * listed or the approvals required, a glob that does not compile, a rule with no paths.
 */
export function validateGovernanceSection(section: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const s = (section ?? {}) as GovernanceSection;
  const seen = new Map<string, number>();
  for (const [i, rule] of (s.rules ?? []).entries()) {
    const at = (...rest: Array<string | number>) => ['rules', i, ...rest];
    if (seen.has(rule.id)) {
      issues.push({
        path: at('id'),
        message: `duplicate rule id "${rule.id}" (also rules[${seen.get(rule.id)}])`,
      });
    } else seen.set(rule.id, i);
    const isBuiltin = rule.id in BUILTIN_PATHS;
    if (!isBuiltin && (rule.paths ?? []).length === 0) {
      issues.push({ path: at('paths'), message: 'a rule needs at least one path glob' });
    }
    if ((rule.paths ?? []).length > 0 && (rule.paths ?? []).every((p) => p.startsWith('!'))) {
      issues.push({
        path: at('paths'),
        message: 'every pattern is a negation, so the rule can never match; add a positive glob',
      });
    }
    for (const [j, p] of (rule.paths ?? []).entries()) {
      const problem = globProblem(p);
      if (problem) issues.push({ path: at('paths', j), message: problem });
    }
    for (const [j, b] of (rule.if?.['base-branches'] ?? []).entries()) {
      const problem = globProblem(b);
      if (problem) issues.push({ path: at('if', 'base-branches', j), message: problem });
    }
    const ap = rule.approvers ?? {};
    const hasApprovers =
      (ap.users?.length ?? 0) > 0 ||
      (ap.teams?.length ?? 0) > 0 ||
      ap.permission !== undefined ||
      ap.codeowners === true;
    if (!hasApprovers && !isBuiltin) {
      issues.push({
        path: at('approvers'),
        message:
          'nobody could approve this rule: list users, teams, a permission or codeowners: true',
      });
    }
    const approvals = rule.approvals ?? 1;
    if (rule.quorum?.teams !== undefined) {
      const teams = ap.teams?.length ?? 0;
      if (rule.quorum.teams > approvals) {
        issues.push({
          path: at('quorum', 'teams'),
          message: `quorum of ${rule.quorum.teams} teams needs at least ${rule.quorum.teams} approvals (approvals is ${approvals})`,
        });
      }
      if (!ap.codeowners && rule.quorum.teams > teams) {
        issues.push({
          path: at('quorum', 'teams'),
          message: `quorum of ${rule.quorum.teams} teams but only ${teams} team(s) listed in approvers.teams`,
        });
      }
    }
  }
  if (
    s['approver-permission'] !== undefined &&
    !PERMISSION_LEVELS.includes(s['approver-permission'])
  ) {
    issues.push({
      path: ['approver-permission'],
      message: `unknown permission ${String(s['approver-permission'])}`,
    });
  }
  return issues;
}

function globProblem(glob: string): string | undefined {
  const body = glob.startsWith('!') ? glob.slice(1) : glob;
  if (body.trim() === '') return 'empty glob';
  if (body.startsWith('/')) return `glob "${glob}" must be repository-relative (no leading /)`;
  try {
    const mm = new Minimatch(body, { dot: true, nocomment: true, nonegate: true });
    mm.match('probe');
    if (mm.set.length === 0) return `glob "${glob}" matches nothing`;
  } catch (e) {
    return `glob "${glob}" does not compile: ${(e as Error).message}`;
  }
  return undefined;
}
