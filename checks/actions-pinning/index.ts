/**
 * The `actions-pinning` check: every `uses:` in workflows (`.github/workflows/*.yml|yaml`) and
 * action manifests (`action.yml|yaml` anywhere) pinned to a full commit SHA (reusable workflows
 * too) or, for `docker://` images, an `@sha256:` digest; explicit `permissions:`; no
 * `pull_request_target` workflow that checks out the pull request head.
 *
 * Findings carry the line and column of the offending value in the YAML source. A file that
 * cannot be read or parsed is a finding (fail closed), never a crash. Config:
 * schemas/config/actions-pinning.schema.json; defaults: policies/recommended.yml.
 */
import { sectionOf } from '../config.js';
import type { Check, CheckContext, CheckOutcome, ConfigIssue, Finding } from '../model.js';
import type { FileContent } from '../snapshot.js';
import { checkActionManifest } from './action-manifest.js';
import {
  compilePinningConfig,
  type ActionsPinningSection,
  type CompiledPinningConfig,
} from './config.js';
import { scanTargets, type ScanTarget } from './files.js';
import { CHECK_ID, makeFinding, RULES, TITLE } from './rules.js';
import { parseYaml } from './source.js';
import { validatePinningConfig } from './validate.js';
import { checkWorkflow } from './workflow.js';

async function run(ctx: CheckContext): Promise<CheckOutcome> {
  const cfg = compilePinningConfig(sectionOf(ctx.config, CHECK_ID) as ActionsPinningSection);
  const targets = scanTargets(ctx.snapshot.files, cfg.excluded);
  const results = await Promise.all(
    targets.map(async (t) => checkFile(t, await ctx.snapshot.read(t.path), cfg)),
  );
  const findings = results.flat();
  return {
    findings,
    stats: {
      workflows: targets.filter((t) => t.kind === 'workflow').length,
      'action-manifests': targets.filter((t) => t.kind === 'action').length,
    },
  };
}

/** The findings for one file, given what reading it gave. */
export function checkFile(
  target: ScanTarget,
  content: FileContent,
  cfg: CompiledPinningConfig,
): Finding[] {
  const { path } = target;
  if (content.kind !== 'text') {
    const why =
      content.kind === 'too-large'
        ? `is ${content.size} bytes, over the ${content.limit}-byte read limit`
        : content.kind === 'binary'
          ? 'is binary'
          : content.kind === 'symlink'
            ? `is a symlink (to ${content.target}); it is not followed`
            : content.kind === 'missing'
              ? 'is tracked but missing from the working tree'
              : `cannot be read: ${content.error}`;
    return [
      makeFinding(
        'unreadable-file',
        cfg.level('unreadable-file') ?? 'error',
        path,
        `${path} ${why}`,
        {
          key: content.kind,
          help: 'Make it a readable regular text file (raise limits.max-read-bytes for a large one); until then it cannot be checked.',
        },
      ),
    ];
  }
  const parsed = parseYaml(content.text);
  if (!parsed.ok) {
    return [
      makeFinding(
        'malformed-file',
        cfg.level('malformed-file') ?? 'error',
        path,
        `${path} is not valid YAML: ${parsed.message}`,
        {
          key: 'yaml',
          line: parsed.line,
          column: parsed.column,
          help: 'Fix the YAML at this line; GitHub rejects the file as well.',
        },
      ),
    ];
  }
  return target.kind === 'workflow'
    ? checkWorkflow(path, parsed, cfg)
    : checkActionManifest(path, parsed, cfg);
}

/** The check, as registered in checks/registry.ts. */
export const actionsPinningCheck: Check = {
  id: CHECK_ID,
  title: TITLE,
  rules: RULES,
  run,
  validateConfig: (section: unknown): ConfigIssue[] => validatePinningConfig(section),
};
