/**
 * The resolved configuration: `.github/autopack.yml` layered over its `extends` chain and
 * validated against schemas/config.schema.json. Each check reads its own section by id and
 * owns its section's TypeScript type (the JSON Schema is the single truth for its shape).
 */

/** Where a config value came from: a file and a 1-based line and column. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

/** A section of the config for one check: `enabled` plus the check's own keys. */
export interface CheckSection {
  enabled?: boolean;
  [key: string]: unknown;
}

/** The merged configuration, `extends` resolved away. */
export interface ResolvedConfig {
  /** The merged values, keyed by top-level config key (check ids, `limits`, `check-runs`). */
  values: Record<string, unknown>;
  /** The files layered, base first (`autopack:recommended`, then repo files). */
  layers: string[];
  /**
   * Finds where a key path (e.g. `['drift', 'patterns', 0, 'regex']`) was set, searching the
   * last layer first. Undefined when no layer sets it (a built-in default).
   */
  locate(keyPath: ReadonlyArray<string | number>): SourcePosition | undefined;
}

/** The config file's path in a repository. */
export const CONFIG_PATH = '.github/autopack.yml';

/** The built-in preset a repository without a config gets. */
export const DEFAULT_PRESET = 'autopack:recommended';
