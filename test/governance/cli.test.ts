/**
 * The CLI side of governance on real git repositories built in temp directories:
 * `autopack explain PATH` and `autopack check --base REF` (protected changes need approval, and
 * with no approvals to read locally they stay `action_required`: fail closed; the policy is read
 * at the merge base, so a branch cannot loosen it).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.js';

const POLICY = `extends: autopack:recommended
workspace-structure: { enabled: false }
drift: { enabled: false }
sot: { enabled: false }
actions-pinning: { enabled: false }
security-baseline: { enabled: false }
governance:
  rules:
    - id: core
      description: The core library
      paths: ['src/core/**', '!src/core/**/*.md']
      approvals: 2
      approvers: { teams: ['octo-org/core'], users: [alice] }
    - id: owned
      paths: ['lib/**']
      approvers: { codeowners: true }
`;

let repo: string;

function sh(args: string[]): string {
  return execFileSync('git', args, {
    cwd: repo,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_DATE: '2024-05-01T10:00:00Z',
      GIT_COMMITTER_DATE: '2024-05-01T10:00:00Z',
    },
  });
}

function write(rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
  writeFileSync(path.join(repo, rel), text);
}

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: {},
  });
  return { code, out, err };
}

beforeAll(() => {
  repo = mkdtempSync(path.join(tmpdir(), 'autopack-gov-'));
  sh(['init', '-q', '-b', 'main']);
  sh(['config', 'user.email', 't@example.com']);
  sh(['config', 'user.name', 'T']);
  write('.github/autopack.yml', POLICY);
  write('.github/CODEOWNERS', '* @octo-org/everyone\nlib/ @bob\nlib/vendor/\n');
  write('src/core/a.ts', 'export const a = 1;\n');
  write('src/core/NOTES.md', 'notes\n');
  write('lib/x.ts', 'x\n');
  write('README.md', '# r\n');
  sh(['add', '-A']);
  sh(['commit', '-q', '-m', 'base']);
});

afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe('autopack explain', () => {
  it('names the rules, conditions, approvers and the CODEOWNERS line for a path', async () => {
    const r = await run([
      'explain',
      'src/core/a.ts',
      'lib/x.ts',
      'README.md',
      '.github/workflows/ci.yml',
      '--dir',
      repo,
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('src/core/a.ts: protected by 1 rule(s)');
    expect(r.out).toContain('rule core — The core library');
    expect(r.out).toContain('matched by:   src/core/**');
    expect(r.out).toContain('approvals:    2');
    expect(r.out).toContain('approvers:    @alice, @octo-org/core');
    expect(r.out).toContain('CODEOWNERS (.github/CODEOWNERS:1, pattern *): @octo-org/everyone');
    expect(r.out).toContain('lib/x.ts: protected by 1 rule(s)');
    expect(r.out).toContain('approvers:    the code owners in .github/CODEOWNERS');
    expect(r.out).toContain('CODEOWNERS (.github/CODEOWNERS:2, pattern lib/): @bob');
    expect(r.out).toContain('README.md: not protected');
    expect(r.out).toContain('rule workflows (built-in) — GitHub Actions workflows');
    expect(r.out).toContain('approvers:    anyone with maintain permission');
  });

  it('a negated glob unprotects; a clearing CODEOWNERS line leaves no owner; JSON output', async () => {
    const r = await run([
      'explain',
      'src/core/NOTES.md',
      'lib/vendor/y.ts',
      '--dir',
      repo,
      '--format',
      'json',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as Array<{
      path: string;
      protected: boolean;
      rules: Array<{ id: string }>;
      codeowners: { line: number; owners: string[] };
    }>;
    expect(out[0]).toMatchObject({ path: 'src/core/NOTES.md', protected: false, rules: [] });
    expect(out[1]).toMatchObject({
      path: 'lib/vendor/y.ts',
      protected: true,
      rules: [{ id: 'owned' }],
      codeowners: { line: 3, owners: [] },
    });
  });

  it('refuses a path outside the repository', async () => {
    const r = await run(['explain', '../etc/passwd', '--dir', repo]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/not a path inside the repository/);
  });
});

describe('autopack check --base: governance without approvals fails closed', () => {
  it('a protected change is action_required (exit 1); an unprotected one passes; no change is skipped', async () => {
    sh(['checkout', '-q', '-b', 'touch-core']);
    write('src/core/a.ts', 'export const a = 2;\n');
    sh(['commit', '-q', '-am', 'core']);
    const r = await run([
      'check',
      repo,
      '--base',
      'main',
      '--checks',
      'governance',
      '--format',
      'json',
    ]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as {
      results: Array<{ conclusion: string; findings: Array<{ ruleId: string; message: string }> }>;
    };
    expect(report.results[0]!.conclusion).toBe('action_required');
    expect(report.results[0]!.findings.map((f) => f.ruleId)).toEqual(['approval-required']);
    expect(report.results[0]!.findings[0]!.message).toMatch(
      /rule core: 0 of 2 approval\(s\) for 1 protected file/,
    );

    sh(['checkout', '-q', 'main']);
    sh(['checkout', '-q', '-b', 'touch-readme']);
    write('README.md', '# readme\n');
    write('src/core/NOTES.md', 'more notes\n');
    sh(['commit', '-q', '-am', 'docs']);
    const ok = await run([
      'check',
      repo,
      '--base',
      'main',
      '--checks',
      'governance',
      '--format',
      'json',
    ]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out).results[0].conclusion).toBe('success');

    const none = await run(['check', repo, '--checks', 'governance', '--format', 'json']);
    expect(none.code).toBe(0);
    expect(JSON.parse(none.out).results[0].conclusion).toBe('skipped');
    sh(['checkout', '-q', 'main']);
  });

  it('a branch that loosens the policy is judged by the base policy, and its policy change is itself protected', async () => {
    sh(['checkout', '-q', '-b', 'loosen']);
    write('.github/autopack.yml', 'governance:\n  builtin: { config: false }\n  rules: []\n');
    write('src/core/a.ts', 'export const a = 3;\n');
    sh(['commit', '-q', '-am', 'loosen']);
    const r = await run([
      'check',
      repo,
      '--base',
      'main',
      '--checks',
      'governance',
      '--format',
      'json',
    ]);
    expect(r.code).toBe(1);
    const msgs = JSON.parse(r.out).results[0].findings.map(
      (f: { message: string }) => f.message.split(':')[0],
    );
    expect(msgs).toEqual(['rule autopack-config', 'rule core']);
    sh(['checkout', '-q', 'main']);
  });

  it('a rename out of a protected directory is still protected (old path)', async () => {
    sh(['checkout', '-q', '-b', 'move']);
    sh(['mv', 'src/core/a.ts', 'src/a.ts']);
    sh(['commit', '-q', '-m', 'move']);
    const r = await run([
      'check',
      repo,
      '--base',
      'main',
      '--checks',
      'governance',
      '--format',
      'json',
    ]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).results[0].findings[0].properties.files).toEqual(['src/a.ts']);
    sh(['checkout', '-q', 'main']);
  });
});
