/**
 * `autopack explain PATH... [--dir DIR] [--config FILE] [--base REF] [--format text|json]`:
 * which governance rules protect each path (built-ins included), when they apply, how many
 * approvals they need, who may approve (users, teams, a permission, CODEOWNERS), and the
 * CODEOWNERS line that owns the path. With `--base REF` the policy and CODEOWNERS are read at
 * the merge base of REF and HEAD, as the App reads them for a pull request. Exit 0, or 2 for a
 * usage or configuration error (a path outside the repository, an invalid config).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { readCodeowners } from '../../checks/governance/codeowners.js';
import { explainPath, formatExplanation } from '../../checks/governance/explain.js';
import { policyFromConfig } from '../../checks/governance/policy.js';
import { redact } from '../../checks/redact.js';
import { decodeContent, normalizeRepoPath, type FileContent } from '../../checks/snapshot.js';
import { git } from '../../snapshots/git.js';
import { loadLocalConfig } from '../context.js';
import { EXIT, UsageError, type CliIO } from '../io.js';

import type { ExplainOptions } from './explain.js';

/** Reads a repository file from the working tree, or at `rev` when given. Never throws. */
function reader(root: string, rev: string | undefined): (p: string) => Promise<FileContent> {
  return async (p) => {
    try {
      if (rev) return decodeContent(await git(root, ['cat-file', 'blob', `${rev}:${p}`]));
      return decodeContent(await readFile(path.join(root, p)));
    } catch (e) {
      const msg = (e as Error).message;
      if (
        (e as NodeJS.ErrnoException).code === 'ENOENT' ||
        /does not exist|not a valid object|exists on disk, but not in/i.test(msg)
      ) {
        return { kind: 'missing' };
      }
      return { kind: 'unreadable', error: msg };
    }
  };
}

/** A path as given on the command line, made repository-relative; UsageError when it leaves the repository. */
export function repoRelative(root: string, given: string): string {
  const abs = path.isAbsolute(given) ? given : path.resolve(root, given);
  const rel = normalizeRepoPath(path.relative(root, abs).split(path.sep).join('/'));
  if (rel === undefined || rel === '')
    throw new UsageError(`${given} is not a path inside the repository ${root}`);
  return rel;
}

/** Runs the verb; resolves with the exit code. */
export async function runExplain(
  paths: string[],
  opts: ExplainOptions,
  io: CliIO,
): Promise<number> {
  const format = opts.format ?? 'text';
  if (format !== 'text' && format !== 'json')
    throw new UsageError(`unknown format "${format}" (known: text, json)`);
  const root = path.resolve(opts.dir ?? '.');
  const rels = paths.map((p) => repoRelative(root, p));
  const config = await loadLocalConfig({ dir: root, configFile: opts.config, baseRef: opts.base });
  const policy = policyFromConfig(config);
  let rev: string | undefined;
  if (opts.base) {
    try {
      rev = (await git(root, ['merge-base', opts.base, 'HEAD'])).toString().trim();
    } catch (e) {
      throw new UsageError(`cannot resolve --base ${opts.base}: ${(e as Error).message}`);
    }
  }
  const codeowners = await readCodeowners(reader(root, rev));
  const explained = rels.map((p) => explainPath(policy, p, codeowners));
  if (format === 'json') {
    const out = explained.map((e) => ({
      path: e.path,
      protected: e.rules.length > 0,
      approverPermission: e.approverPermission,
      rules: e.rules.map((r) => ({
        id: r.rule.id,
        builtin: r.rule.builtin !== undefined,
        description: r.rule.description,
        matchedBy: r.glob,
        conditions: r.conditions,
        approvals: r.rule.approvals,
        quorumTeams: r.rule.quorum?.teams,
        approvers: { ...r.rule.approvers },
        allowAuthor: r.rule.allowAuthor,
        invalidateOn: r.rule.invalidateOn,
        ignore: r.rule.ignore,
      })),
      codeowners:
        e.codeowners.source.status === 'found'
          ? {
              file: e.codeowners.source.path,
              line: e.codeowners.line ?? null,
              pattern: e.codeowners.pattern ?? null,
              owners: e.codeowners.owners.map((o) => o.raw),
            }
          : {
              file: null,
              status: e.codeowners.source.status,
              ...(e.codeowners.source.status === 'error'
                ? { error: e.codeowners.source.error }
                : {}),
            },
    }));
    io.stdout.write(redact(JSON.stringify(out, null, 2)) + '\n');
  } else {
    io.stdout.write(redact(explained.map(formatExplanation).join('\n')));
  }
  return EXIT.ok;
}
