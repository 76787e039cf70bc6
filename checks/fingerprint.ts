import { createHash } from 'node:crypto';

/**
 * A stable finding fingerprint: sha256 over the check id, rule id, path and a rule-chosen key
 * (never a line number, so it survives line shifts), hex, first 32 characters.
 * Written to SARIF as `partialFingerprints["autopack/v1"]`.
 */
export function fingerprint(...parts: ReadonlyArray<string | number | undefined>): string {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(String(p ?? ''));
    h.update('\u0000');
  }
  return h.digest('hex').slice(0, 32);
}
