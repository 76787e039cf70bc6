/**
 * The policy of an evaluation, read from the BASE commit, never from the head: a pull request
 * cannot loosen the policy that judges it (DESIGN.md, "Configuration"). `extends:` paths are read
 * from the same base commit.
 */
import { isMap, isScalar, parseDocument } from 'yaml';
import type { Check } from '../checks/model.js';
import { validateCheckConfigs } from '../checks/validate-config.js';
import type { GitHubClient, RepoRef } from '../github/client.js';
import { resolveConfig } from '../policies/load.js';
import { CONFIG_PATH, type ResolvedConfig } from '../policies/types.js';
import type { AppCaches } from './caches.js';
import { readTextAtCommit } from './files.js';

/**
 * Resolves `.github/autopack.yml` (and its `extends`) at commit `baseSha`, then runs every
 * check's semantic config validation; a valid result is cached by repository and commit
 * (`caches.configs`), so the pull requests of one base share one resolution. Rejects with
 * ConfigError (file, line, key) for an invalid config, GitHubAPIError when GitHub cannot be
 * read (neither is cached).
 */
export async function loadBaseConfig(
  client: GitHubClient,
  repo: RepoRef,
  baseSha: string,
  caches: AppCaches,
  checks: readonly Check[],
): Promise<ResolvedConfig> {
  return caches.configs.getOrLoad(`${repo.owner}/${repo.repo}@${baseSha}`, async () => {
    const config = await resolveConfig({
      readFile: (p) => readTextAtCommit(client, repo, baseSha, p, caches),
      configPath: CONFIG_PATH,
    });
    await validateCheckConfigs(config, checks);
    return config;
  });
}

/**
 * Reads `check-runs.mode` and which checks are switched off from a config text that does NOT
 * validate, leniently, so that a broken config still fails the Check Runs the repository
 * requires (the combined pair, or one per check). Never throws.
 */
export function lenientRunSettings(text: string | undefined): {
  combined: boolean;
  disabled: Set<string>;
} {
  const disabled = new Set<string>();
  if (text === undefined) return { combined: false, disabled };
  try {
    const doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false });
    const root = doc.contents;
    if (!isMap(root)) return { combined: false, disabled };
    let combined = false;
    for (const pair of root.items) {
      if (!isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      if (!isMap(pair.value)) continue;
      for (const inner of pair.value.items) {
        if (!isScalar(inner.key) || !isScalar(inner.value)) continue;
        const k = String(inner.key.value);
        if (key === 'check-runs' && k === 'mode' && inner.value.value === 'combined')
          combined = true;
        if (k === 'enabled' && inner.value.value === false) disabled.add(key);
      }
    }
    return { combined, disabled };
  } catch {
    return { combined: false, disabled };
  }
}
