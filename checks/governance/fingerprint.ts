import { createHash } from 'node:crypto';
import type { ChangedFile } from '../snapshot.js';

/**
 * The content fingerprint an approval binds to: sha256 (hex, 64 characters) over the sorted
 * (path, blob SHA, status, previous path) of the changed files a rule matches. Deletions and
 * renames are included (a removal has no blob; its path and status still count). Two heads
 * with the same protected content have the same fingerprint, so a push that touches only
 * unprotected files keeps an approval under `invalidate-on: protected-change`.
 *
 * A removal's blob SHA is left out on purpose: GitHub's pull request files API and compare API
 * disagree on what they report for it, and the removal itself is what was approved.
 */
export function contentFingerprint(files: readonly ChangedFile[]): string {
  const rows = files
    .map((f) =>
      [
        f.path,
        f.status === 'removed' ? '' : (f.blobSha ?? ''),
        f.status,
        f.previousPath ?? '',
      ].join('\u0000'),
    )
    .sort();
  const h = createHash('sha256');
  h.update('autopack-governance-v1\n');
  for (const r of rows) h.update(r + '\n');
  return h.digest('hex');
}

/** sha256 (hex) of a comment body, recorded so that an edited approval comment stops counting. */
export function bodyDigest(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('hex');
}
