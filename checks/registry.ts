/**
 * Every check the engine knows, in report order. A check module registers here with one import
 * line; the ids are the stable contract in DESIGN.md.
 */
import type { Check, CheckId } from './model.js';
import { actionsPinningCheck } from './actions-pinning/index.js';
import { sotCheck } from './sot/index.js';
import { securityBaselineCheck } from './security-baseline/index.js';
import { governanceCheck } from './governance/check.js';
import { workspaceStructureCheck } from './workspace-structure/index.js';
import { driftCheck } from './drift/index.js';

export const CHECKS: readonly Check[] = [
  workspaceStructureCheck,
  driftCheck,
  sotCheck,
  governanceCheck,
  securityBaselineCheck,
  actionsPinningCheck,
];

/** The check with this id, or undefined when this build does not have it. */
export function getCheck(id: CheckId): Check | undefined {
  return CHECKS.find((c) => c.id === id);
}
