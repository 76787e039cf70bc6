/**
 * The `workspace-structure` check: required files, forbidden tracked paths (dependency
 * directories, build output, backup copies, caches, OS metadata, environment files), stray
 * databases, an optional root allowlist, placement rules, a size cap, and the snapshot's own
 * problems (symlinks leaving the tree, unreadable entries).
 *
 * It works on the file list alone (names, kinds and sizes), reads no file content, and runs
 * in time linear in the number of tracked files (tldr-pages/tldr, 38,491 files: well under a
 * second). Config: schemas/config/workspace-structure.schema.json; defaults: the
 * `workspace-structure` section of policies/recommended.yml.
 */
import { sectionOf } from '../config.js';
import type { Check, CheckContext, CheckOutcome } from '../model.js';
import { compileConfig, type WorkspaceStructureSection } from './config.js';
import { checkFileSizes } from './file-size.js';
import { checkForbiddenPaths } from './forbidden-paths.js';
import { checkPlacement } from './placement.js';
import { checkRequiredFiles } from './required-files.js';
import { checkRootAllowlist } from './root-allowlist.js';
import { CHECK_ID, RULES } from './rules.js';
import { checkSnapshotProblems } from './snapshot-problems.js';
import { validateWorkspaceConfig } from './validate.js';

async function run(ctx: CheckContext): Promise<CheckOutcome> {
  const cfg = compileConfig(sectionOf(ctx.config, CHECK_ID) as WorkspaceStructureSection);
  const { snapshot } = ctx;
  const files = snapshot.files;
  const forbidden = checkForbiddenPaths(
    files,
    cfg.pathRules,
    (p) => snapshot.hasFile(p),
    cfg.placeholders,
  );
  const findings = [
    ...checkSnapshotProblems(snapshot.problems, cfg),
    ...checkRequiredFiles(files, cfg.required),
    ...forbidden.findings,
    ...(cfg.rootAllowlist ? checkRootAllowlist(files, forbidden.claimed, cfg.rootAllowlist) : []),
    ...checkPlacement(files, forbidden.claimed, cfg.placement),
    ...(cfg.maxFileSize ? checkFileSizes(files, forbidden.claimed, cfg.maxFileSize) : []),
  ];
  return {
    findings,
    stats: {
      files: files.length,
      'forbidden-files': forbidden.claimed.size,
      problems: snapshot.problems.length,
    },
  };
}

/** The check, as registered in checks/registry.ts. */
export const workspaceStructureCheck: Check = {
  id: CHECK_ID,
  title: 'Workspace structure',
  rules: RULES,
  run,
  needsFileStats: true,
  validateConfig: validateWorkspaceConfig,
};
