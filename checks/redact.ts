/**
 * The one redactor: everything Autopack writes (check output, comments, logs, reports) passes
 * through `redact` first, so a secret that sits in a scanned file is never echoed back.
 *
 * Covers GitHub tokens (classic `ghp_`/`gho_`/`ghu_`/`ghs_`/`ghr_` and fine-grained
 * `github_pat_`), PEM private key blocks, credentials in URLs (`scheme://user:pass@host`),
 * `Authorization:` header values, AWS access key ids and secret keys, Slack tokens, and
 * generic `token=`/`password=`/`secret=` assignments.
 */

const MASK = '[REDACTED]';

const PATTERNS: ReadonlyArray<[RegExp, string | ((m: string, ...g: string[]) => string)]> = [
  // PEM private keys, whole block (a truncated block to the end of the text too).
  [
    /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|$)/g,
    `${MASK} private key`,
  ],
  [/\bgithub_pat_[A-Za-z0-9_]{22,255}/g, MASK],
  [/\bgh[pousr]_[A-Za-z0-9]{36,255}/g, MASK],
  [/\bv1\.[0-9a-f]{40}\b/g, MASK], // GitHub App installation tokens (legacy form)
  [/\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b/g, MASK],
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}/g, MASK],
  // Authorization / Proxy-Authorization headers: keep the scheme name, hide the credential.
  // (The key may be quoted, as in JSON: `"Authorization": "Bearer ..."`.)
  [
    /\b((?:proxy-)?authorization["']?\s*[:=]\s*["']?)(?:(bearer|basic|token|digest)\s+)?[^\s"',;]+/gi,
    (_m, head: string, scheme?: string) => `${head}${scheme ? `${scheme} ` : ''}${MASK}`,
  ],
  // Credentials in URLs: scheme://user:password@host or scheme://token@host. Not an image
  // digest (`docker://alpine:3.19@sha256:...`) and not the conventional SSH user (`ssh://git@`).
  [
    /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@:"'<>]+)(?::([^\s/@"'<>]*))?@(?!sha(?:256|384|512):)/gi,
    (m, scheme: string, user: string, pass?: string) =>
      pass !== undefined ? `${scheme}${user}:${MASK}@` : user === 'git' ? m : `${scheme}${MASK}@`,
  ],
  [
    /\b(aws_secret_access_key\s*[:=]\s*["']?)[A-Za-z0-9/+=]{40}/gi,
    (_m, head: string) => `${head}${MASK}`,
  ],
  [
    /\b((?:api[_-]?key|access[_-]?token|auth[_-]?token|client[_-]?secret|password|passwd|secret)\s*[:=]\s*["']?)[^\s"',;]{6,}/gi,
    (_m, head: string) => `${head}${MASK}`,
  ],
];

/** Returns `text` with every known secret shape replaced by `[REDACTED]`. Pure; never throws. */
export function redact(text: string): string {
  let out = text;
  for (const [re, rep] of PATTERNS) {
    re.lastIndex = 0;
    out = out.replace(re, rep as (m: string, ...g: string[]) => string);
  }
  return out;
}

/** Redacts every string inside a JSON-like value (objects and arrays walked, copies returned). */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v);
    return out as T;
  }
  return value;
}
