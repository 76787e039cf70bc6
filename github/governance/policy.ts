/**
 * The governance policy of a pull request, read from its BASE commit through the contents API
 * (`GET /repos/{owner}/{repo}/contents/{path}?ref={base_sha}`), never from the head: a pull
 * request cannot loosen the policy that judges it. `extends:` files are read at the same commit.
 */
import { validateCheckConfigs } from '../../checks/validate-config.js';
import { decodeContent, type FileContent } from '../../checks/snapshot.js';
import { resolveConfig } from '../../policies/load.js';
import type { ResolvedConfig } from '../../policies/types.js';
import type { GitHubClient, RepoRef } from '../client.js';
import { getFileAtRef } from '../contents.js';
import { getBlob } from '../blobs.js';

/**
 * Reads `path` at `ref` as a FileContent: `missing` for 404, content inline up to 1 MB, the blob
 * by SHA beyond. Rejects with GitHubAPIError.
 */
export async function readFileAt(
  client: GitHubClient,
  repo: RepoRef,
  ref: string,
  path: string,
): Promise<FileContent> {
  const f = await getFileAtRef(client, repo, path, ref);
  if (!f) return { kind: 'missing' };
  if (f.type === 'symlink') return { kind: 'symlink', target: f.target ?? '' };
  if (f.type !== 'file') return { kind: 'unreadable', error: `a ${f.type}` };
  return decodeContent(f.content ?? (await getBlob(client, repo, f.sha)));
}

/**
 * Resolves `.github/autopack.yml` (with `extends`) at commit `sha` and validates it. Rejects with
 * ConfigError for an invalid config, GitHubAPIError when GitHub cannot be read.
 */
export async function loadConfigAt(
  client: GitHubClient,
  repo: RepoRef,
  sha: string,
): Promise<ResolvedConfig> {
  const config = await resolveConfig({
    readFile: async (p) => {
      const c = await readFileAt(client, repo, sha, p);
      if (c.kind === 'missing') return undefined;
      if (c.kind !== 'text')
        throw new Error(`${p} at ${sha.slice(0, 7)} is not a readable text file (${c.kind})`);
      return c.text;
    },
  });
  await validateCheckConfigs(config);
  return config;
}
