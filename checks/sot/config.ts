/**
 * The `sot` config section: its TypeScript shape (schemas/config/sot.schema.json is the single
 * truth; ajv has validated the section before the check sees it) and its defaults.
 */
import type { CheckSection } from '../../policies/types.js';
import type { Severity } from '../model.js';

/** A registry entry as written: a path, or an object. */
export type RawEntry =
  string | { path: string; title?: string; owner?: string; kind?: 'document' | 'ledger' };

/** `sot.registry`: inline entries, a file path, or `{ file, key }`. */
export type RegistrySetting = RawEntry[] | string | { file: string; key?: string };

/** `sot.index`. */
export interface IndexSetting {
  path: string;
  sections?: string[];
  include?: string[];
  exclude?: string[];
}

/** A severity override, or `off`. */
export type Level = Severity | 'off';

/** The `sot` section, as validated by schemas/config/sot.schema.json. */
export interface SotSection extends CheckSection {
  registry?: RegistrySetting;
  ledgers?: string[];
  index?: IndexSetting;
  render?: { files?: string[]; exclude?: string[] };
  severity?: Partial<Record<string, Level>>;
}

/** Files scanned for render markers when `sot.render.files` is not set. */
export const DEFAULT_RENDER_FILES: readonly string[] = ['**/*.md', '**/*.markdown'];

/** minimatch options used for every glob of this check: dot files match, paths are `/`-separated. */
export const GLOB_OPTIONS = { dot: true, nocomment: true, nonegate: true } as const;
