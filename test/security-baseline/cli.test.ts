/**
 * `autopack check --sarif … [--baseline …]` and `autopack baseline update` run in-process through
 * the real CLI (cli/main.ts) on real git repositories; refresh determinism and its summary.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Log } from 'sarif';
import { afterEach, describe, expect, it } from 'vitest';
import { parseBaseline } from '../../checks/security-baseline/baseline.js';
import { refreshBaseline } from '../../checks/security-baseline/refresh.js';
import type { SarifFinding } from '../../checks/security-baseline/types.js';
import { main } from '../../cli/main.js';
import { gitFixture, type Fixture } from '../helpers/git-fixture.js';
import { fixture } from './helpers.js';

const BASELINE = '.github/autopack-baseline.json';
let repos: Fixture[] = [];
afterEach(async () => {
  await Promise.all(repos.map((r) => r.cleanup()));
  repos = [];
});

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: {},
  });
  return { code, out, err };
}

async function repoWithSarif(): Promise<Fixture> {
  const repo = await gitFixture({ 'src/app.js': fixture('eslint/app.v1.js.txt') });
  repos.push(repo);
  await repo.write({
    'out/eslint.sarif': fixture('eslint/v1.sarif'),
    'out/semgrep.sarif': fixture('semgrep/dataflow-traces.sarif'),
    'out/broken.sarif': fixture('malformed/truncated-eslint.sarif'),
  });
  return repo;
}

describe('autopack baseline update', () => {
  it('writes a deterministic baseline from globs and keeps first-seen dates and justifications', async () => {
    const repo = await repoWithSarif();
    const first = await cli([
      'baseline',
      'update',
      repo.dir,
      '--sarif',
      repo.abs('out/eslint.sarif'),
      repo.abs('out/semgrep.sarif'),
      '--date',
      '2024-03-01',
    ]);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toContain('wrote 5 entries (+5 entered, -0 left, 0 updated)');
    const text = await readFile(repo.abs(BASELINE), 'utf8');
    const parsed = parseBaseline(text, BASELINE);
    expect(parsed.ok).toBe(true);
    const entries = parsed.ok ? parsed.baseline.entries : [];
    expect(entries.map((e) => `${e.tool}|${e.path}|${e.rule}`)).toEqual([
      'ESLint|src/app.js|no-eval',
      'ESLint|src/app.js|no-eval',
      'ESLint|src/app.js|no-unused-vars',
      'ESLint|src/app.js|no-unused-vars',
      'Semgrep OSS|targets/taint/taint.py|rules.classic',
    ]);
    expect(text.endsWith('}\n')).toBe(true);
    expect(Object.keys(entries[0]!)).toEqual([
      'tool',
      'rule',
      'path',
      'fingerprint',
      'severity',
      'firstSeen',
    ]);

    // A maintainer justifies one entry; the scanner later stops reporting the Semgrep finding.
    const edited = JSON.parse(text) as { entries: Array<Record<string, string>> };
    edited.entries[0]!.justification = 'sandboxed: input is a constant';
    await writeFile(repo.abs(BASELINE), JSON.stringify(edited, null, 2) + '\n');
    const again = await cli([
      'baseline',
      'update',
      repo.dir,
      '--sarif',
      repo.abs('out/eslint.sarif'),
      '--date',
      '2024-04-01',
    ]);
    expect(again.code).toBe(0);
    // Semgrep had no run this time: its entry is kept, not dropped.
    expect(again.out).toContain('Kept: tool not scanned in this run | 1 |');
    const after = JSON.parse(await readFile(repo.abs(BASELINE), 'utf8')) as {
      entries: Array<Record<string, string>>;
    };
    expect(after.entries[0]!.justification).toBe('sandboxed: input is a constant');
    expect(after.entries.every((e) => e.firstSeen === '2024-03-01')).toBe(true);

    // Running again with the same input changes nothing, byte for byte.
    const before = await readFile(repo.abs(BASELINE), 'utf8');
    const same = await cli([
      'baseline',
      'update',
      repo.dir,
      '--sarif',
      repo.abs('out/eslint.sarif'),
      '--date',
      '2024-05-01',
    ]);
    expect(same.out).toContain('up to date (5 entries)');
    expect(await readFile(repo.abs(BASELINE), 'utf8')).toBe(before);
  });

  it('refuses to write anything when a SARIF file is malformed (exit 2, the file named)', async () => {
    const repo = await repoWithSarif();
    const r = await cli([
      'baseline',
      'update',
      repo.dir,
      '--sarif',
      path.join(repo.dir, 'out', '*.sarif'),
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('the baseline was not refreshed');
    expect(r.err).toContain('out/broken.sarif: not valid JSON');
    await expect(readFile(repo.abs(BASELINE), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a --sarif path that matches nothing is a usage error', async () => {
    const repo = await repoWithSarif();
    const r = await cli(['baseline', 'update', repo.dir, '--sarif', repo.abs('nope/*.sarif')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('matches no file');
  });
});

describe('autopack check --sarif', () => {
  it('gates on new findings and writes SARIF baselineState', async () => {
    const repo = await repoWithSarif();
    expect(
      (
        await cli([
          'baseline',
          'update',
          repo.dir,
          '--sarif',
          repo.abs('out/eslint.sarif'),
          '--date',
          '2024-03-01',
        ])
      ).code,
    ).toBe(0);
    repo.commit('baseline');
    // Same scan: passes.
    const ok = await cli([
      'check',
      repo.dir,
      '--checks',
      'security-baseline',
      '--sarif',
      repo.abs('out/eslint.sarif'),
    ]);
    expect(ok.code).toBe(0);
    // A new scan with one more eval: fails, and the SARIF output marks it new.
    repo.git('checkout', '-q', '-b', 'feature');
    await repo.write('src/app.js', fixture('eslint/app.v4.js.txt'));
    await repo.write('out/eslint.sarif', fixture('eslint/v4-edited.sarif'));
    repo.commit('edit');
    const bad = await cli([
      'check',
      repo.dir,
      '--checks',
      'security-baseline',
      '--base',
      'main',
      '--sarif',
      repo.abs('out/eslint.sarif'),
      '--format',
      'sarif',
    ]);
    expect(bad.code).toBe(1);
    const log = JSON.parse(bad.out) as Log;
    const newOnes = log.runs[0]!.results!.filter((r) => r.baselineState === 'new');
    expect(
      newOnes.map((r) => [r.ruleId, r.locations?.[0]?.physicalLocation?.region?.startLine]),
    ).toEqual([['security-baseline/new-finding', 26]]);
  });

  it("reads --baseline FILE and the config's sarif globs", async () => {
    const repo = await repoWithSarif();
    await repo.write(
      '.github/autopack.yml',
      'extends: autopack:recommended\nsecurity-baseline:\n  sarif: ["out/eslint.sarif"]\n  baseline: security/baseline.json\n',
    );
    expect((await cli(['baseline', 'update', repo.dir])).code).toBe(0);
    expect(parseBaseline(await readFile(repo.abs('security/baseline.json'), 'utf8'), 'b').ok).toBe(
      true,
    );
    const r = await cli(['check', repo.dir, '--checks', 'security-baseline', '--format', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as { results: Array<{ stats?: Record<string, number> }> };
    expect(report.results[0]!.stats).toMatchObject({ unchanged: 4, new: 0 });
    const other = await cli([
      'check',
      repo.dir,
      '--checks',
      'security-baseline',
      '--baseline',
      repo.abs('nope.json'),
    ]);
    expect(other.code).toBe(2);
    expect(other.err).toContain('--baseline');
  });

  it('with no SARIF at all the check says so and exits 0 (neutral, not a gate)', async () => {
    const repo = await gitFixture({ 'README.md': '# x\n' });
    repos.push(repo);
    const r = await cli(['check', repo.dir, '--checks', 'security-baseline']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('no SARIF input');
  });
});

describe('refreshBaseline', () => {
  const f = (over: Partial<SarifFinding>): SarifFinding => ({
    tool: 'T',
    rule: 'r',
    deprecatedRules: [],
    path: 'a.js',
    severity: 'error',
    message: 'm',
    fingerprint: 'primaryLocationLineHash=1:1',
    fingerprintSource: 'tool',
    touchedPaths: ['a.js'],
    file: 'x.sarif',
    runIndex: 0,
    resultIndex: 0,
    ...over,
  });

  it('is independent of input order and says what entered and left', async () => {
    const a = f({ path: 'b.js', fingerprint: 'primaryLocationLineHash=2:1', message: 'B | <b>' });
    const b = f({});
    const r1 = await refreshBaseline({
      findings: [a, b],
      scannedTools: new Set(['T']),
      today: '2024-01-01',
    });
    const r2 = await refreshBaseline({
      findings: [b, a],
      scannedTools: new Set(['T']),
      today: '2024-01-01',
    });
    expect(r1.text).toBe(r2.text);
    const prev = {
      version: 1 as const,
      entries: [
        ...r1.entries,
        {
          tool: 'T',
          rule: 'gone',
          path: 'c.js',
          fingerprint: 'x=1',
          severity: 'warning' as const,
          firstSeen: '2023-01-01',
        },
      ],
    };
    const r3 = await refreshBaseline({
      previous: prev,
      findings: [b],
      scannedTools: new Set(['T']),
      today: '2024-02-02',
    });
    expect(r3.left.map((e) => e.path)).toEqual(['b.js', 'c.js']);
    expect(r3.entered).toEqual([]);
    expect(r3.summary).toContain('| ✅ Left the baseline (fixed) | 2 |');
    expect(r1.summary).toContain('B \\| &lt;b&gt;');
  });
});
