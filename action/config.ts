/**
 * Resolves the policy for an evaluation. On a pull request (and a merge group) the policy is
 * read from the BASE commit, never from the change being judged: from git when the checkout has
 * the base commit, else through the given reader (the GitHub contents API). On a branch it is
 * read from the checked-out working tree.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { normalizeRepoPath } from '../checks/snapshot.js';
import { validateCheckConfigs } from '../checks/validate-config.js';
import { resolveConfig, type RepoFileReader } from '../policies/load.js';
import { CONFIG_PATH, type ResolvedConfig } from '../policies/types.js';
import { git, GitError } from '../snapshots/git.js';

/** Where the policy comes from. */
export type PolicySource =
  | { kind: 'worktree'; root: string }
  | { kind: 'git'; root: string; sha: string }
  | { kind: 'reader'; describe: string; read: RepoFileReader };

/**
 * Resolves and validates the config. `configInput` is the `config` input: a repository path
 * (read from `source`) or an absolute path outside the repository (read from disk, as given).
 * Rejects with ConfigError for an invalid config.
 */
export async function loadPolicy(
  source: PolicySource,
  workspace: string,
  configInput?: string,
): Promise<ResolvedConfig> {
  const read = readerFor(source);
  let configPath = CONFIG_PATH;
  let configText: string | undefined;
  if (configInput) {
    const abs = path.resolve(workspace, configInput);
    const rel = path.relative(workspace, abs);
    const inside = rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
    if (inside) {
      configPath = rel.split(path.sep).join('/');
      configText = await read(configPath);
      if (configText === undefined) {
        throw new Error(
          `the config file ${configPath} (input "config") does not exist${describe(source)}`,
        );
      }
    } else {
      configPath = configInput;
      configText = await readFile(abs, 'utf8');
    }
  }
  const config = await resolveConfig({ readFile: read, configPath, configText });
  await validateCheckConfigs(config);
  return config;
}

function describe(source: PolicySource): string {
  if (source.kind === 'git') return ` at the base commit ${source.sha.slice(0, 12)}`;
  if (source.kind === 'reader') return ` ${source.describe}`;
  return '';
}

/** A reader of repository files for the policy source; undefined for a missing file. */
export function readerFor(source: PolicySource): RepoFileReader {
  if (source.kind === 'reader') return source.read;
  if (source.kind === 'git') return (p) => readAtCommit(source.root, source.sha, p);
  return async (p) => {
    const rel = normalizeRepoPath(p);
    if (rel === undefined) return undefined;
    try {
      return await readFile(path.join(source.root, rel), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  };
}

/** Reads `p` as it is in commit `sha`; undefined when the commit has no such file. */
export async function readAtCommit(
  root: string,
  sha: string,
  p: string,
): Promise<string | undefined> {
  const rel = normalizeRepoPath(p);
  if (rel === undefined || rel === '') return undefined;
  // `ls-tree` answers empty for a missing path without failing; a real git error still throws.
  const entry = (await git(root, ['ls-tree', '-z', sha, '--', rel])).toString('utf8');
  if (!entry || !entry.startsWith('100')) return undefined; // absent, a tree, a submodule or a symlink
  return (await git(root, ['cat-file', 'blob', `${sha}:${rel}`])).toString('utf8');
}

/** True when the checkout at `root` has commit `sha` (a shallow checkout usually does not). */
export async function hasCommit(root: string, sha: string): Promise<boolean> {
  try {
    await git(root, ['cat-file', '-e', `${sha}^{commit}`]);
    return true;
  } catch (e) {
    if (e instanceof GitError) return false;
    throw e;
  }
}
