/**
 * The `governance` check: protected paths changed by a pull request carry the approvals their
 * rule requires. Conclusions: `success` (every triggered rule satisfied, or no protected path
 * changed), `action_required` (approvals missing, or a hold), `failure` (a policy error).
 *
 * Inputs: `inputs.governance` (from the App or the Action: pull request facts, the ledger in
 * its comments, eligibility). Without it but with a change (`autopack check --base REF`), it
 * evaluates with NO approvals, so any protected change is `action_required` (fail closed).
 * Without a change there is nothing to judge: the result is `skipped`, with the reason.
 */
import { sectionOf } from '../config.js';
import { fingerprint } from '../fingerprint.js';
import type { Check, CheckContext, CheckOutcome, Finding } from '../model.js';
import type { ChangeSet } from '../snapshot.js';
import { readCodeowners } from './codeowners.js';
import { evaluateGovernance, type GovernanceEvaluation } from './evaluate.js';
import { policyFromConfig, validateGovernanceSection, type GovernancePolicy } from './policy.js';
import { renderGovernanceSummary, safe } from './summary.js';
import type { GovernanceInput } from './types.js';
import './types.js';
import { GOVERNANCE_RULES as RULES, GOVERNANCE_TITLE } from './rules.js';

/** Strips ref prefixes from a CLI `--base` so branch conditions see a branch name. */
export function branchName(ref: string): string {
  return ref
    .replace(/^refs\/heads\//, '')
    .replace(/^refs\/remotes\/[^/]+\//, '')
    .replace(/^(?:origin|upstream)\//, '');
}

/** The input of a local `--base` evaluation: the change, no approvals, nobody eligible. */
async function localInput(
  change: ChangeSet,
  headSha: string | undefined,
): Promise<GovernanceInput> {
  return {
    pullRequest: {
      baseRef: branchName(change.baseRef),
      baseSha: change.baseSha,
      headSha: headSha ?? change.headSha ?? 'HEAD',
      files: change.files,
    },
    comments: [],
    botLogin: 'autopack[bot]',
    eligibility: { permissions: {}, memberships: {} },
    codeowners: await readCodeowners((p) => change.readBase(p)),
  };
}

/** Findings for an evaluation: one per unsatisfied rule, per hold and per policy problem. */
export function findingsOf(ev: GovernanceEvaluation): Finding[] {
  const out: Finding[] = [];
  for (const p of ev.problems) {
    out.push({
      checkId: 'governance',
      ruleId: 'policy-error',
      severity: 'error',
      message: p,
      path: '.github/autopack.yml',
      help: RULES[2]!.help,
      fingerprint: fingerprint('governance', 'policy-error', p),
    });
  }
  for (const h of ev.holds) {
    out.push({
      checkId: 'governance',
      ruleId: 'hold',
      severity: 'error',
      message: `on hold by @${h.by} since ${h.at}`,
      help: RULES[1]!.help,
      fingerprint: fingerprint('governance', 'hold', h.by, h.at),
    });
  }
  for (const r of ev.rules) {
    if (r.satisfied) continue;
    const who = r.candidates.logins.length
      ? r.candidates.logins.map((l) => `@${l}`).join(', ')
      : r.candidates.groups.join('; ');
    out.push({
      checkId: 'governance',
      ruleId: 'approval-required',
      severity: 'error',
      message: `rule ${r.rule.id}: ${r.counted.length} of ${r.required} approval(s) for ${r.files.length} protected file(s); ${r.missing.join('; ')}`,
      path: r.files[0]?.file.path,
      help: `${who ? `Could approve: ${who}. ` : 'Nobody is currently eligible to approve; the base-branch policy must name approvers. '}They comment \`/autopack approve ${r.rule.id}\` on its own line.`,
      fingerprint: fingerprint('governance', 'approval-required', r.rule.id),
      properties: {
        rule: r.rule.id,
        files: r.files.map((f) => f.file.path),
        approveButton: ev.approveButton,
      },
    });
  }
  return out;
}

/**
 * Evaluates and shapes the result as a check outcome (findings, conclusion, Markdown summary):
 * what the check returns, and what the App and the Action publish after a command.
 */
export function governanceOutcome(
  policy: GovernancePolicy,
  input: GovernanceInput,
  problems: string[] = [],
): {
  evaluation: GovernanceEvaluation;
  outcome: CheckOutcome & { conclusion: GovernanceEvaluation['conclusion'] };
} {
  const ev = evaluateGovernance(policy, input, { problems });
  return {
    evaluation: ev,
    outcome: {
      findings: findingsOf(ev),
      conclusion: ev.conclusion,
      headline: ev.title,
      summary: `**${safe(ev.title)}**\n\n${renderGovernanceSummary(ev, input.pullRequest)}`,
      stats: {
        'rules triggered': ev.rules.length,
        'rules satisfied': ev.rules.filter((r) => r.satisfied).length,
        'approvals counted': ev.rules.reduce((n, r) => n + r.counted.length, 0),
        holds: ev.holds.length,
      },
    },
  };
}

/** The governance check. */
export const governanceCheck: Check = {
  id: 'governance',
  title: GOVERNANCE_TITLE,
  rules: RULES,
  validateConfig: (section) => validateGovernanceSection(section),
  async run(ctx: CheckContext): Promise<CheckOutcome> {
    const issues = validateGovernanceSection(sectionOf(ctx.config, 'governance'));
    const problems = issues.map((i) => `governance.${i.path.join('.')}: ${i.message}`);
    const policy = policyFromConfig(ctx.config);
    if (ctx.inputs.governanceSkip && !ctx.inputs.governance) {
      return { findings: [], conclusion: 'skipped', summary: ctx.inputs.governanceSkip };
    }
    let input = ctx.inputs.governance;
    if (!input) {
      const change = ctx.snapshot.change;
      if (!change) {
        return {
          findings: [],
          conclusion: 'skipped',
          summary:
            'Governance judges a change, and there is none here: run `autopack check --base REF` to evaluate `REF...HEAD` ' +
            '(protected changes then show as needing approval), or let the App or the Action evaluate the pull request.',
        };
      }
      input = await localInput(change, ctx.snapshot.headSha);
    } else if (
      !input.codeowners &&
      policy.rules.some((r) => r.approvers.codeowners) &&
      ctx.snapshot.change
    ) {
      const change = ctx.snapshot.change;
      input = { ...input, codeowners: await readCodeowners((p) => change.readBase(p)) };
    }
    return governanceOutcome(policy, input, problems).outcome;
  },
};
