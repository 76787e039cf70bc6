/**
 * checks/redact.ts: every secret shape it claims is masked, wherever it sits in a line, and the
 * look-alikes that findings legitimately echo (commit SHAs, SHA-pinned `uses:`, image digests,
 * ordinary URLs, e-mail addresses) survive unchanged.
 */
import { describe, expect, it } from 'vitest';
import { redact, redactDeep } from '../../checks/redact.js';

// Shapes as GitHub and AWS document them (synthetic values, correct lengths and alphabets).
const GHP = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8'; // 4 + 36
const GHS = 'ghs_' + 'Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2';
const GHO = 'gho_' + '0123456789abcdefABCDEF0123456789abcd';
const GHU = 'ghu_' + 'abcdefghijklmnopqrstuvwxyz0123456789';
const GHR = 'ghr_' + 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const PAT = 'github_pat_' + '11ABCDEFG0123456789abc' + '_' + 'x'.repeat(59);
const AKIA = 'AKIAIOSFODNN7EXAMPLE';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SLACK = 'xoxb-1234567890-abcdefghijkl';
const PEM_BODY = 'MIIEowIBAAKCAQEA7bq3cXo1Jc5JmZ3aQ9\nq8Yc2Zp1m0Q4e5r6t7y8u9i0o1p2\n';

function expectMasked(input: string, secret: string) {
  const out = redact(input);
  expect(out).not.toContain(secret);
  expect(out).toContain('[REDACTED]');
  return out;
}

describe('GitHub tokens', () => {
  it.each([
    ['ghp_ (classic personal access token)', GHP],
    ['ghs_ (installation / Actions token)', GHS],
    ['gho_ (OAuth token)', GHO],
    ['ghu_ (user-to-server token)', GHU],
    ['ghr_ (refresh token)', GHR],
    ['github_pat_ (fine-grained token)', PAT],
  ])('%s is masked wherever it sits', (_name, token) => {
    expect(redact(token)).toBe('[REDACTED]');
    expect(redact(`export GITHUB_TOKEN=${token}`)).toBe('export GITHUB_TOKEN=[REDACTED]');
    expect(redact(`"token": "${token}",`)).not.toContain(token);
    expect(redact(`prefix ${token} suffix`)).toBe('prefix [REDACTED] suffix');
  });

  it('a legacy installation token (v1. + 40 hex) is masked', () => {
    expectMasked(`token v1.${'0123456789abcdef0123456789abcdef01234567'} here`, 'v1.0123456789');
  });

  it('too short to be a token: left alone', () => {
    expect(redact('ghp_short and ghs_ prefix talk')).toBe('ghp_short and ghs_ prefix talk');
  });
});

describe('private keys (PEM)', () => {
  it.each([
    'RSA PRIVATE KEY',
    'PRIVATE KEY',
    'EC PRIVATE KEY',
    'OPENSSH PRIVATE KEY',
    'ENCRYPTED PRIVATE KEY',
  ])('a whole %s block is masked, text around it kept', (label) => {
    const text = `before\n-----BEGIN ${label}-----\n${PEM_BODY}-----END ${label}-----\nafter`;
    const out = redact(text);
    expect(out).toBe('before\n[REDACTED] private key\nafter');
  });

  it('a truncated block (no END line) is masked to the end of the text', () => {
    const out = redact(`key: |\n  -----BEGIN RSA PRIVATE KEY-----\n  ${PEM_BODY}`);
    expect(out).toBe('key: |\n  [REDACTED] private key');
    expect(out).not.toContain('MIIE');
  });

  it('two blocks are masked separately, with the text between them kept', () => {
    const block = `-----BEGIN PRIVATE KEY-----\n${PEM_BODY}-----END PRIVATE KEY-----`;
    expect(redact(`${block}\nmiddle\n${block}`)).toBe(
      '[REDACTED] private key\nmiddle\n[REDACTED] private key',
    );
  });

  it('a public key or certificate is not a secret', () => {
    const cert = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
    const pub = '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----';
    expect(redact(cert)).toBe(cert);
    expect(redact(pub)).toBe(pub);
  });
});

describe('credentials in URLs', () => {
  it('user:password@ keeps the user and hides the password', () => {
    expect(redact('git clone https://alice:s3cr3t-pa55@github.com/org/repo.git')).toBe(
      'git clone https://alice:[REDACTED]@github.com/org/repo.git',
    );
    expect(redact('DATABASE_URL=postgres://app:hunter2@db.internal:5432/app')).toBe(
      'DATABASE_URL=postgres://app:[REDACTED]@db.internal:5432/app',
    );
  });

  it('a token as the user part (https://TOKEN@host) is hidden', () => {
    const out = expectMasked(
      'remote: https://x-oauth-basic-abc123def456@github.com/org/repo',
      'abc123def456',
    );
    expect(out).toBe('remote: https://[REDACTED]@github.com/org/repo');
  });

  it('x-access-token:<ghs_...>@ (what actions/checkout writes) is hidden', () => {
    expectMasked(`https://x-access-token:${GHS}@github.com/org/repo`, GHS);
  });
});

describe('Authorization headers', () => {
  it.each([
    ['Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig', 'Authorization: Bearer [REDACTED]'],
    ['authorization: token abcdef0123456789', 'authorization: token [REDACTED]'],
    ['Authorization: Basic dXNlcjpwYXNz', 'Authorization: Basic [REDACTED]'],
    ['Proxy-Authorization: Basic dXNlcjpwYXNz', 'Proxy-Authorization: Basic [REDACTED]'],
    ["-H 'Authorization: Bearer abc.def.ghi'", "-H 'Authorization: Bearer [REDACTED]'"],
    ['"Authorization": "Bearer abc.def.ghi"', '"Authorization": "Bearer [REDACTED]"'],
    ['Authorization: rawcredential', 'Authorization: [REDACTED]'],
  ])('%s', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it('prose about authorization is left alone', () => {
    const s = 'The authorization flow is described in docs/auth.md.';
    expect(redact(s)).toBe(s);
  });
});

describe('AWS keys', () => {
  it('an access key id is masked', () => {
    expect(redact(`aws_access_key_id = ${AKIA}`)).toBe('aws_access_key_id = [REDACTED]');
    expect(redact(`ASIA${'Y'.repeat(16)}`)).toBe('[REDACTED]');
  });

  it('a secret access key in an assignment is masked', () => {
    expect(redact(`aws_secret_access_key = ${AWS_SECRET}`)).toBe(
      'aws_secret_access_key = [REDACTED]',
    );
    expect(redact(`AWS_SECRET_ACCESS_KEY: "${AWS_SECRET}"`)).not.toContain(AWS_SECRET);
  });
});

describe('other shapes it claims', () => {
  it('Slack tokens', () => {
    expect(redact(`SLACK=${SLACK}`)).toBe('SLACK=[REDACTED]');
  });

  it.each([
    'password',
    'passwd',
    'secret',
    'api_key',
    'api-key',
    'access_token',
    'auth_token',
    'client_secret',
  ])('a %s= assignment', (key) => {
    expect(redact(`${key}=correcthorse`)).toBe(`${key}=[REDACTED]`);
    expect(redact(`${key}: "correcthorse"`)).toBe(`${key}: "[REDACTED]"`);
  });
});

describe('look-alikes survive unchanged', () => {
  it.each([
    ['a commit SHA', 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3'],
    [
      'a SHA-pinned uses:',
      'uses: actions/checkout@8f4b7f84864484a7bf31766abe9204da3cbe65b3 # v4.2.2',
    ],
    ['a tag-pinned uses:', 'uses: actions/setup-node@v4'],
    ['an image digest', 'image: docker://alpine@sha256:' + 'ab'.repeat(32)],
    ['an image tag with a digest', 'uses: docker://alpine:3.19@sha256:' + 'cd'.repeat(32)],
    [
      'a registry image with a digest',
      'uses: docker://ghcr.io/org/img:1.2@sha256:' + 'ef'.repeat(32),
    ],
    ['an ordinary URL', 'see https://github.com/tldr-pages/tldr/blob/main/README.md#usage?x=1'],
    ['a URL with a port', 'http://localhost:8080/healthz'],
    ['an scp-style git remote', 'git@github.com:org/repo.git'],
    ['an ssh URL with the git user', 'ssh://git@github.com/org/repo.git'],
    ['an e-mail address', 'Contact security@example.com or mailto:security@example.com'],
    ['an npm scoped package', 'npm i @octokit/rest@22.0.1'],
    ['a path', '/home/runner/work/repo/repo/src/index.ts:12:5'],
    ['a fingerprint', 'partialFingerprints: autopack/v1 3f2a9c0d1e4b5a6978877665544332211'],
    ['an AWS-like prefix in prose', 'Keys starting with AKIA are access key ids.'],
  ])('%s', (_name, text) => {
    expect(redact(text)).toBe(text);
  });

  it('is idempotent', () => {
    const once = redact(`token ${GHP} and https://u:p4ss@h.example/x`);
    expect(redact(once)).toBe(once);
  });
});

describe('redactDeep', () => {
  it('redacts every string in nested objects and arrays and keeps the rest', () => {
    const input = {
      message: `found ${GHP}`,
      list: ['plain', `Authorization: Bearer abc.def`],
      nested: { n: 3, ok: true, none: null, url: 'https://a:b123@x.example' },
    };
    const out = redactDeep(input);
    expect(out).toEqual({
      message: 'found [REDACTED]',
      list: ['plain', 'Authorization: Bearer [REDACTED]'],
      nested: { n: 3, ok: true, none: null, url: 'https://a:[REDACTED]@x.example' },
    });
    expect(input.message).toContain(GHP); // a copy: the input is not mutated
  });
});
