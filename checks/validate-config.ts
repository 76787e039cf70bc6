import { ConfigError, keyPathString, type ConfigProblem } from '../policies/errors.js';
import type { ResolvedConfig } from '../policies/types.js';
import type { Check } from './model.js';
import { CHECKS } from './registry.js';

/**
 * Runs every check's semantic config validation (regexes that must compile, ...) and throws
 * ConfigError naming file, line and key for each problem. Call after resolveConfig. Rejects
 * with ConfigError (never resolves with problems).
 */
export async function validateCheckConfigs(
  config: ResolvedConfig,
  checks: readonly Check[] = CHECKS,
): Promise<void> {
  const problems: ConfigProblem[] = [];
  for (const check of checks) {
    const section = config.values[check.id];
    if (section === undefined || !check.validateConfig) continue;
    for (const issue of await check.validateConfig(section)) {
      const keyPath = [check.id, ...issue.path];
      problems.push({
        position: config.locate(keyPath),
        key: keyPathString(keyPath),
        message: issue.message,
      });
    }
  }
  if (problems.length) throw new ConfigError(problems);
}
