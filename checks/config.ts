import type { CheckSection, ResolvedConfig } from '../policies/types.js';
import type { CheckId } from './model.js';

/** The config section of one check (`{}` when absent). The schema has already validated its shape. */
export function sectionOf<T extends CheckSection = CheckSection>(
  config: ResolvedConfig,
  id: CheckId,
): T {
  return (config.values[id] ?? {}) as T;
}

/** True when the check is enabled (a section without `enabled` counts as enabled). */
export function isEnabled(config: ResolvedConfig, id: CheckId): boolean {
  const s = config.values[id] as CheckSection | undefined;
  return s !== undefined && s.enabled !== false;
}
