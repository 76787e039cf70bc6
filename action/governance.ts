import type { Target } from './event.js';
import { ActionError, type MainDeps, type MainResult } from './deps.js';

export async function runGovernanceMode(
  _deps: MainDeps,
  _target: Exclude<Target, { kind: 'ignored' }>,
): Promise<MainResult> {
  throw new ActionError('mode: governance is not wired yet');
}
