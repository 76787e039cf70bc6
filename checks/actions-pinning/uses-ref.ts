/**
 * Parses the value of a `uses:` key, as GitHub Actions reads it
 * (docs.github.com, "Workflow syntax: jobs.<job_id>.steps[*].uses" and "jobs.<job_id>.uses"):
 * `./path` (a local action or workflow), `$/path` (an action of the workflow's own repository at
 * the workflow's commit, no checkout needed: as used by vitejs/vite), `docker://image[:tag][@sha256:digest]`,
 * `owner/repo[/path]@ref`, and for reusable workflows `owner/repo/.github/workflows/f.yml@ref`.
 */

/** What a `uses:` value refers to. */
export type UsesRef =
  | { kind: 'local'; path: string }
  | { kind: 'docker'; image: string; name: string; digest?: string }
  | {
      kind: 'remote';
      owner: string;
      repo: string;
      /** Path inside the repository, without the leading `/` ('' for the root action). */
      path: string;
      ref?: string;
      /** True for a reusable workflow (`.github/workflows/*.yml`). */
      workflow: boolean;
    }
  | { kind: 'invalid'; reason: string };

const FULL_SHA = /^[0-9a-f]{40}$/i;
const SHORT_SHA = /^[0-9a-f]{7,39}$/i;
const DIGEST = /@sha256:[0-9a-f]{64}$/i;
const REMOTE = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)((?:\/[^@]*)?)(?:@(.*))?$/;

/** Parses one `uses:` value. */
export function parseUses(value: string): UsesRef {
  const v = value.trim();
  if (v.includes('${{'))
    return {
      kind: 'invalid',
      reason: 'contains an expression, which GitHub does not evaluate in uses:',
    };
  if (v.startsWith('./') || v === '.' || v.startsWith('$/')) return { kind: 'local', path: v };
  if (v.startsWith('docker://')) {
    const image = v.slice('docker://'.length);
    const digest = DIGEST.exec(image)?.[0].slice(1);
    const name = image.replace(DIGEST, '').replace(/:[^:/]+$/, '');
    return { kind: 'docker', image, name, ...(digest ? { digest } : {}) };
  }
  const m = REMOTE.exec(v);
  if (!m)
    return { kind: 'invalid', reason: 'is not ./path, docker://image or owner/repo[/path]@ref' };
  const path = (m[3] ?? '').replace(/^\/+/, '');
  return {
    kind: 'remote',
    owner: m[1]!,
    repo: m[2]!,
    path,
    ...(m[4] !== undefined ? { ref: m[4] } : {}),
    workflow: /^\.github\/workflows\/[^/]+\.ya?ml$/.test(path),
  };
}

/** True for a full 40-hex commit SHA. */
export function isFullSha(ref: string | undefined): boolean {
  return ref !== undefined && FULL_SHA.test(ref);
}

/** True for an abbreviated commit SHA (7 to 39 hex digits). */
export function isShortSha(ref: string | undefined): boolean {
  return ref !== undefined && SHORT_SHA.test(ref);
}

/** How a non-SHA ref reads in a message: `no ref`, `a short SHA (abc1234)`, `v4`. */
export function describeRef(ref: string | undefined): string {
  if (ref === undefined || ref === '') return 'no ref';
  if (SHORT_SHA.test(ref)) return `a short SHA (${ref})`;
  return `"${ref}"`;
}

/** True when the ref looks like a version tag (`v4`, `v4.1.2`, `1.0`, `release-2`). */
export function looksLikeVersion(ref: string | undefined): boolean {
  return ref !== undefined && /^v?\d+(\.\d+)*([-+.][\w.]+)?$/i.test(ref);
}
