/**
 * Builds what a local run needs: the resolved config (from the working tree, or from the base
 * commit when `--base` is given, as the App reads the base branch) and the local snapshot.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { validateCheckConfigs } from '../checks/validate-config.js';
import type { RepoSnapshot } from '../checks/snapshot.js';
import { normalizeRepoPath } from '../checks/snapshot.js';
import { resolveConfig } from '../policies/load.js';
import { CONFIG_PATH, type ResolvedConfig } from '../policies/types.js';
import { git } from '../snapshots/git.js';
import { loadLocalSnapshot } from '../snapshots/local.js';

/** Options shared by the commands that evaluate a directory. */
export interface LocalContextOptions {
  dir: string;
  /** `--config FILE`: a config file on disk (absolute, or relative to the current directory). */
  configFile?: string;
  /** `--base REF`: evaluate `REF...HEAD`, reading the policy from the merge base. */
  baseRef?: string;
  /** Stat every tracked file (default true); see LocalSnapshotOptions.fileStats. */
  fileStats?: boolean;
}

/** The resolved config and snapshot for a local run. */
export interface LocalContext {
  config: ResolvedConfig;
  snapshot: RepoSnapshot;
}

/**
 * Resolves the config and builds the snapshot, concurrently (the tree is listed while the config
 * resolves). Rejects with ConfigError for an invalid config (first, whatever else failed),
 * SnapshotError for an unreadable directory or an unknown `--base`.
 */
export async function loadLocalContext(opts: LocalContextOptions): Promise<LocalContext> {
  const root = path.resolve(opts.dir);
  const configP = loadLocalConfig(opts);
  const maxReadBytes = configP.then(
    (config) =>
      (config.values.limits as { 'max-read-bytes'?: number } | undefined)?.['max-read-bytes'],
  );
  const snapshotP = loadLocalSnapshot(root, {
    baseRef: opts.baseRef,
    maxReadBytes,
    fileStats: opts.fileStats,
  });
  // Both are observed below, after the config: never an unhandled rejection meanwhile.
  maxReadBytes.catch(() => {});
  snapshotP.catch(() => {});
  const config = await configP;
  const snapshot = await snapshotP;
  return { config, snapshot };
}

/** Resolves the config alone (for `config validate` / `config print`). */
export async function loadLocalConfig(opts: LocalContextOptions): Promise<ResolvedConfig> {
  const root = path.resolve(opts.dir);
  let readRepoFile = (p: string) => readInside(root, p);
  if (opts.baseRef) {
    const ref = opts.baseRef;
    readRepoFile = async (p: string) => {
      const rel = normalizeRepoPath(p);
      if (rel === undefined) return undefined;
      try {
        const base = (await git(root, ['merge-base', ref, 'HEAD'])).toString().trim();
        return (await git(root, ['cat-file', 'blob', `${base}:${rel}`])).toString('utf8');
      } catch {
        return undefined;
      }
    };
  }
  const configText = opts.configFile
    ? await readFile(path.resolve(opts.configFile), 'utf8')
    : undefined;
  const config = await resolveConfig({
    readFile: readRepoFile,
    configPath: opts.configFile ?? CONFIG_PATH,
    configText,
  });
  await validateCheckConfigs(config);
  return config;
}

/** Reads a repository file from disk, refusing paths that leave the repository. */
async function readInside(root: string, p: string): Promise<string | undefined> {
  const rel = normalizeRepoPath(p);
  if (rel === undefined) return undefined;
  try {
    return await readFile(path.join(root, rel), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
