/**
 * Every check the engine knows, in report order; the ids are the stable contract in DESIGN.md.
 *
 * The registry holds each check's identity and rules (light modules), and loads a check's
 * implementation the first time it runs or validates its config section: in the bundled CLI
 * each check is its own chunk, so `autopack check --checks workspace-structure` never parses
 * the Markdown, SARIF and regular-expression engines the other checks carry (~40 ms a run).
 */
import type { Check, CheckId, RuleMeta } from './model.js';
import {
  CHECK_ID as PINNING_ID,
  RULES as PINNING_RULES,
  TITLE as PINNING_TITLE,
} from './actions-pinning/rules.js';
import {
  CHECK_ID as DRIFT_ID,
  RULES as DRIFT_RULES,
  TITLE as DRIFT_TITLE,
  driftReadsEveryFile,
} from './drift/rules.js';
import { GOVERNANCE_RULES, GOVERNANCE_TITLE } from './governance/rules.js';
import {
  ID as BASELINE_ID,
  RULES as BASELINE_RULES,
  TITLE as BASELINE_TITLE,
} from './security-baseline/rules.js';
import { SOT_RULES, SOT_TITLE } from './sot/rules.js';
import { workspaceStructureCheck } from './workspace-structure/index.js';

/**
 * A check whose implementation is imported on first use. `load` resolves the real Check; its
 * id must be `meta.id` (a mismatch throws, so a wrong import cannot run under another name).
 */
export function lazyCheck(
  meta: {
    id: CheckId;
    title: string;
    rules: readonly RuleMeta[];
    bulkReads?: (section: unknown) => boolean;
  },
  load: () => Promise<Check>,
): Check {
  let loaded: Promise<Check> | undefined;
  const get = () =>
    (loaded ??= load().then((c) => {
      if (c.id !== meta.id) throw new Error(`registry: ${meta.id} loaded the check ${c.id}`);
      return c;
    }));
  return {
    ...meta,
    run: async (ctx) => (await get()).run(ctx),
    validateConfig: async (section) => (await (await get()).validateConfig?.(section)) ?? [],
  };
}

export const CHECKS: readonly Check[] = [
  workspaceStructureCheck,
  lazyCheck(
    { id: DRIFT_ID, title: DRIFT_TITLE, rules: DRIFT_RULES, bulkReads: driftReadsEveryFile },
    async () => (await import('./drift/index.js')).driftCheck,
  ),
  lazyCheck({ id: 'sot', title: SOT_TITLE, rules: SOT_RULES }, async () => {
    return (await import('./sot/index.js')).sotCheck;
  }),
  lazyCheck({ id: 'governance', title: GOVERNANCE_TITLE, rules: GOVERNANCE_RULES }, async () => {
    return (await import('./governance/check.js')).governanceCheck;
  }),
  lazyCheck({ id: BASELINE_ID, title: BASELINE_TITLE, rules: BASELINE_RULES }, async () => {
    return (await import('./security-baseline/index.js')).securityBaselineCheck;
  }),
  lazyCheck({ id: PINNING_ID, title: PINNING_TITLE, rules: PINNING_RULES }, async () => {
    return (await import('./actions-pinning/index.js')).actionsPinningCheck;
  }),
];

/** The check with this id, or undefined when this build does not have it. */
export function getCheck(id: CheckId): Check | undefined {
  return CHECKS.find((c) => c.id === id);
}
