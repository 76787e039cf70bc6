/**
 * Where the `governance.protected-paths` renderer gets the governance policy from: the
 * governance engine's own resolution (checks/governance/policy.ts), so the rendered table lists
 * exactly the rules that the `governance` check enforces, its built-in rules included.
 */
import { policyFromConfig } from '../governance/policy.js';
import type { PolicyResolver } from './render/governance.js';

/** The governance engine's policy resolver. */
export const resolveEnforcedPolicy: PolicyResolver = policyFromConfig;
