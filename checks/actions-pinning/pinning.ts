/**
 * Rules `unpinned-action`, `unpinned-reusable-workflow`, `unpinned-docker-image` and
 * `missing-version-comment`: one `uses:` value judged on its own, located at the value in the
 * YAML source.
 */
import type { Node } from 'yaml';
import type { Finding } from '../model.js';
import type { CompiledPinningConfig } from './config.js';
import { makeFinding } from './rules.js';
import { spanOf, trailingComment, type ParsedYaml } from './source.js';
import { describeRef, isFullSha, isShortSha, looksLikeVersion, parseUses } from './uses-ref.js';

/** Where a `uses:` sits: its file, its value node, and a stable key for its fingerprint. */
export interface UsesSite {
  path: string;
  parsed: Extract<ParsedYaml, { ok: true }>;
  node: Node;
  value: string;
  /** `job/<id>`, `runs` (composite action) ...: the owner of the step list. */
  owner: string;
  /** 0-based count of earlier identical `uses:` values under the same owner. */
  occurrence: number;
  /** `step` for a step, `job` for a job-level reusable workflow call. */
  level: 'step' | 'job';
}

/** Judges one `uses:` value; returns zero or one finding. */
export function checkUses(site: UsesSite, cfg: CompiledPinningConfig): Finding | undefined {
  const ref = parseUses(site.value);
  const span = spanOf(site.parsed.lines, site.node);
  const key = `${site.owner}|${site.value}|${site.occurrence}`;
  const at = { key, ...span, properties: { uses: site.value } };
  if (ref.kind === 'local') return undefined;
  if (ref.kind === 'invalid') {
    const level = cfg.level(
      site.level === 'job' ? 'unpinned-reusable-workflow' : 'unpinned-action',
    );
    if (!level) return undefined;
    return makeFinding(
      site.level === 'job' ? 'unpinned-reusable-workflow' : 'unpinned-action',
      level,
      site.path,
      `uses: ${site.value} ${ref.reason}; it cannot be verified as pinned`,
      {
        ...at,
        help: 'Write the reference literally as owner/repo[/path]@<40-hex commit SHA>, ./local/path or docker://image@sha256:<digest>.',
      },
    );
  }
  if (ref.kind === 'docker') {
    const level = cfg.level('unpinned-docker-image');
    if (ref.digest || !level || cfg.tagAllowed(`docker://${ref.name}`)) return undefined;
    return makeFinding(
      'unpinned-docker-image',
      level,
      site.path,
      `docker image ${ref.image} is not pinned by digest`,
      {
        ...at,
        help: `Pin it by digest: docker://${ref.image}@sha256:<digest> (find the digest with \`docker buildx imagetools inspect ${ref.image}\`), or allow docker://${ref.name} in actions-pinning.allow-tags.`,
      },
    );
  }
  const name = `${ref.owner}/${ref.repo}`;
  const full = ref.path ? `${name}/${ref.path}` : name;
  if (isFullSha(ref.ref)) {
    const level = cfg.level('missing-version-comment');
    if (!level || trailingComment(site.parsed.text, site.node)) return undefined;
    return makeFinding(
      'missing-version-comment',
      level,
      site.path,
      `${full} is pinned to ${ref.ref} with no version comment`,
      {
        ...at,
        help: `Add the version the SHA points to as a trailing comment: uses: ${full}@${ref.ref} # v1.2.3`,
      },
    );
  }
  if (cfg.tagAllowed(name) || (ref.path !== '' && cfg.tagAllowed(full))) return undefined;
  const rule = ref.workflow ? 'unpinned-reusable-workflow' : 'unpinned-action';
  const level = cfg.level(rule);
  if (!level) return undefined;
  const what = ref.workflow ? 'reusable workflow' : 'action';
  return makeFinding(
    rule,
    level,
    site.path,
    `${what} ${full} is pinned to ${describeRef(ref.ref)}, not a full commit SHA`,
    {
      ...at,
      help: pinHelp(name, full, ref.ref),
    },
  );
}

/** How to pin `full@ref`: the SHA to look up, and the version kept as a trailing comment. */
export function pinHelp(repo: string, full: string, ref: string | undefined): string {
  if (ref === undefined || ref === '') {
    return `Add a ref: uses: ${full}@<40-hex commit SHA> # <version>.`;
  }
  if (isShortSha(ref)) {
    return `Expand the short SHA to all 40 characters (\`git rev-parse ${ref}\` in a clone of ${repo}) and name the version in a comment: uses: ${full}@<40-hex SHA> # <version>.`;
  }
  const lookup = `git ls-remote https://github.com/${repo} ${shellWord(ref)}`;
  if (looksLikeVersion(ref)) {
    return `Pin to the commit SHA of ${ref} and keep "# ${ref}" as a comment: uses: ${full}@<40-hex SHA> # ${ref} (find the SHA with \`${lookup}\`; for an annotated tag take the ^{} line).`;
  }
  return `Pin to a full 40-character commit SHA and name the version in a comment: uses: ${full}@<40-hex SHA> # ${ref} (find it with \`${lookup}\`).`;
}

function shellWord(s: string): string {
  return /^[\w./@%+=:,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
