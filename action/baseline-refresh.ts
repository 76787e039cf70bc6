import type { Target } from './event.js';
import { ActionError, type MainDeps, type MainResult } from './deps.js';

export async function runBaselineRefresh(
  _deps: MainDeps,
  _target: Exclude<Target, { kind: 'ignored' }>,
): Promise<MainResult> {
  throw new ActionError('mode: baseline-refresh is not wired yet');
}
