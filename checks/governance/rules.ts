/**
 * The governance check's identity and rules: what the registry, the SARIF reporter and the
 * docs need without loading the check itself (checks/registry.ts loads checks lazily).
 */
import type { RuleMeta } from '../model.js';

/** The check's title, as reports and Check Runs show it. */
export const GOVERNANCE_TITLE = 'Governance: protected paths need approval';

/** The rules of the governance check, in SARIF rule order. */
export const GOVERNANCE_RULES: readonly RuleMeta[] = [
  {
    id: 'approval-required',
    description: 'A protected path changed and its rule does not have the approvals it requires.',
    help: 'An eligible approver comments `/autopack approve` on its own line; `/autopack status` lists who can.',
    defaultSeverity: 'error',
  },
  {
    id: 'hold',
    description: 'An eligible approver put the pull request on hold.',
    help: 'The hold stays until an eligible approver comments `/autopack unhold`.',
    defaultSeverity: 'error',
  },
  {
    id: 'policy-error',
    description: 'The governance policy on the base branch is invalid.',
    help: 'Fix the `governance:` section of .github/autopack.yml on the base branch (`autopack config validate`).',
    defaultSeverity: 'error',
  },
];
