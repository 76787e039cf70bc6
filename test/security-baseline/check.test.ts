/**
 * The security-baseline check on real git repositories and real SARIF: a line shift, a renamed
 * file, a duplicated finding, a rule renamed by a tool upgrade, a malformed file, the base-commit
 * rule, drift outside the change, thresholds, burndown, and the SARIF reporter's baselineState.
 */
import type { Log } from 'sarif';
import { afterEach, describe, expect, it } from 'vitest';
import { formatSarif } from '../../checks/report/sarif.js';
import { securityBaselineCheck } from '../../checks/security-baseline/index.js';
import { loadLocalSnapshot } from '../../snapshots/local.js';
import { gitFixture, type Fixture } from '../helpers/git-fixture.js';
import { baselineFor, byRule, fixture, runBaselineCheck, sarifInput } from './helpers.js';

const BASELINE = '.github/autopack-baseline.json';
let repos: Fixture[] = [];
afterEach(async () => {
  await Promise.all(repos.map((r) => r.cleanup()));
  repos = [];
});

/** A repository on `main` with src/app.js (v1) and its ESLint baseline, then a `feature` branch. */
async function eslintRepo(): Promise<Fixture> {
  const repo = await gitFixture({
    'README.md': '# app\n',
    'src/app.js': fixture('eslint/app.v1.js.txt'),
  });
  repos.push(repo);
  await repo.write(BASELINE, await baselineFor(repo.dir, [sarifInput('eslint/v1.sarif')]));
  repo.commit('baseline');
  repo.git('checkout', '-q', '-b', 'feature');
  return repo;
}

describe('security-baseline on a pull request (--base main)', () => {
  it('a line shift above the findings keeps them the same findings', async () => {
    const repo = await eslintRepo();
    await repo.write('src/app.js', fixture('eslint/app.v2.js.txt'));
    repo.commit('doc comment on top');
    const snap = await loadLocalSnapshot(repo.dir, { baseRef: 'main' });
    const r = await runBaselineCheck(snap, [sarifInput('eslint/v2-shifted.sarif')]);
    expect(r.conclusion).toBe('success');
    expect(r.stats).toMatchObject({ unchanged: 4, new: 0, fixed: 0, updated: 0 });
    expect(r.summary).toContain('| Baselined, unchanged | 4 |');
  });

  it('without the baseline the same findings fail: the gate is what turns them green', async () => {
    const repo = await gitFixture({
      'src/app.js': fixture('eslint/app.v1.js.txt'),
      [BASELINE]: '{"version":1,"entries":[]}\n',
    });
    repos.push(repo);
    repo.git('checkout', '-q', '-b', 'feature');
    await repo.write('src/app.js', fixture('eslint/app.v2.js.txt'));
    repo.commit('shift');
    const r = await runBaselineCheck(await loadLocalSnapshot(repo.dir, { baseRef: 'main' }), [
      sarifInput('eslint/v2-shifted.sarif'),
    ]);
    expect(r.conclusion).toBe('failure');
    // no-eval is level error (fails), no-unused-vars is a warning (reported, below the threshold).
    expect(byRule(r, 'new-finding').map((f) => [f.severity, f.line])).toEqual([
      ['warning', 6],
      ['error', 7],
      ['warning', 15],
      ['error', 16],
    ]);
    expect(byRule(r, 'new-finding')[1]!.properties?.baselineState).toBe('new');
  });

  it('a renamed file: its findings match through the rename and are "updated"', async () => {
    const repo = await eslintRepo();
    repo.git('mv', 'src/app.js', 'src/main.js');
    await repo.write('src/main.js', fixture('eslint/app.v2.js.txt'));
    repo.commit('rename');
    const snap = await loadLocalSnapshot(repo.dir, { baseRef: 'main' });
    expect(snap.change?.files).toEqual([
      expect.objectContaining({
        path: 'src/main.js',
        previousPath: 'src/app.js',
        status: 'renamed',
      }),
    ]);
    const r = await runBaselineCheck(snap, [sarifInput('eslint/v3-renamed.sarif')]);
    expect(r.conclusion).toBe('success');
    expect(r.stats).toMatchObject({ updated: 4, new: 0, fixed: 0 });
    const updated = byRule(r, 'updated-finding');
    expect(
      updated.every(
        (f) => f.properties?.matchedBy === 'rename' && f.properties?.baselineState === 'updated',
      ),
    ).toBe(true);
    expect(updated[0]!.path).toBe('src/main.js');
  });

  it('a rename outside a change (no --base) is a fixed finding plus a new one', async () => {
    const repo = await eslintRepo();
    repo.git('mv', 'src/app.js', 'src/main.js');
    await repo.write('src/main.js', fixture('eslint/app.v2.js.txt'));
    repo.commit('rename');
    const r = await runBaselineCheck(await loadLocalSnapshot(repo.dir), [
      sarifInput('eslint/v3-renamed.sarif'),
    ]);
    expect(r.stats).toMatchObject({ fixed: 4, new: 4 });
    expect(r.conclusion).toBe('failure');
  });

  it('an edited flagged line next to matched findings is linked as a neighbour; a new eval fails', async () => {
    const repo = await eslintRepo();
    await repo.write('src/app.js', fixture('eslint/app.v4.js.txt'));
    repo.commit('edit');
    const r = await runBaselineCheck(await loadLocalSnapshot(repo.dir, { baseRef: 'main' }), [
      sarifInput('eslint/v4-edited.sarif'),
    ]);
    // The edit changes the line hashes of lines 6 and 7 (each hashes the next 100 non-blank
    // characters); lines 15 and 16 still match exactly and anchor the walk back to 6 and 7.
    expect(byRule(r, 'updated-finding').map((f) => [f.line, f.properties?.matchedBy])).toEqual([
      [6, 'neighbour'],
      [7, 'neighbour'],
    ]);
    expect(byRule(r, 'new-finding').map((f) => [f.line, f.severity, f.ruleId])).toEqual([
      [26, 'error', 'new-finding'],
    ]);
    expect(r.stats).toMatchObject({ unchanged: 2, updated: 2, new: 1, fixed: 0 });
    expect(r.conclusion).toBe('failure');
  });

  it('the baseline is read from the base commit: a PR cannot baseline its own finding', async () => {
    const repo = await eslintRepo();
    await repo.write('src/app.js', fixture('eslint/app.v4.js.txt'));
    // The PR also rewrites the baseline to include everything it introduces.
    await repo.write(BASELINE, await baselineFor(repo.dir, [sarifInput('eslint/v4-edited.sarif')]));
    repo.commit('sneak the finding into the baseline');
    const r = await runBaselineCheck(await loadLocalSnapshot(repo.dir, { baseRef: 'main' }), [
      sarifInput('eslint/v4-edited.sarif'),
    ]);
    expect(byRule(r, 'new-finding').map((f) => f.line)).toEqual([26]);
    expect(r.conclusion).toBe('failure');
    expect(r.summary).toContain('read from the base commit');
    // Without --base (the working tree is the truth) the head baseline is used.
    const local = await runBaselineCheck(await loadLocalSnapshot(repo.dir), [
      sarifInput('eslint/v4-edited.sarif'),
    ]);
    expect(local.conclusion).toBe('success');
  });

  it('a new finding outside the changed files is a drift warning, or a failure with outside-diff: fail', async () => {
    const repo = await eslintRepo();
    await repo.write('README.md', '# app, documented\n');
    repo.commit('docs only');
    // The scanner now reports a third eval in src/app.js, a file this change did not touch.
    const snap = await loadLocalSnapshot(repo.dir, { baseRef: 'main' });
    const r = await runBaselineCheck(snap, [sarifInput('eslint/v4-edited.sarif')]);
    const drift = byRule(r, 'fingerprint-drift');
    expect(drift.length).toBeGreaterThan(0);
    expect(
      drift.every((f) => f.severity === 'warning' && f.properties?.baselineState === 'new'),
    ).toBe(true);
    expect(r.conclusion).toBe('success');
    const strict = await runBaselineCheck(
      snap,
      [sarifInput('eslint/v4-edited.sarif')],
      'security-baseline:\n  outside-diff: fail\n',
    );
    expect(strict.conclusion).toBe('failure');
    expect(byRule(strict, 'fingerprint-drift')).toHaveLength(0);
  });

  it('fixed findings are counted as burndown with baselineState absent', async () => {
    const repo = await eslintRepo();
    await repo.write('src/app.js', 'export const safe = 1;\n');
    repo.commit('fix');
    const empty = JSON.parse(fixture('eslint/v1.sarif')) as Log;
    empty.runs[0]!.results = [];
    empty.runs[0]!.artifacts = [];
    const r = await runBaselineCheck(await loadLocalSnapshot(repo.dir, { baseRef: 'main' }), [
      { path: 'eslint.sarif', text: JSON.stringify(empty) },
    ]);
    expect(r.conclusion).toBe('success');
    expect(r.stats).toMatchObject({ fixed: 4 });
    expect(
      byRule(r, 'fixed-finding').every(
        (f) => f.properties?.baselineState === 'absent' && f.severity === 'notice',
      ),
    ).toBe(true);
    expect(r.summary).toContain('| ✅ Fixed since the baseline (burndown) | 4 |');
  });
});

describe('inputs', () => {
  it('a duplicated finding is reported once', async () => {
    const repo = await gitFixture({ 'src/app.js': fixture('eslint/app.v1.js.txt') });
    repos.push(repo);
    const r = await runBaselineCheck(await loadLocalSnapshot(repo.dir), [
      sarifInput('eslint/v1.sarif', 'a.sarif'),
      sarifInput('eslint/v1.sarif', 'b.sarif'),
    ]);
    expect(byRule(r, 'new-finding')).toHaveLength(4);
    expect(r.stats).toMatchObject({ duplicates: 4, findings: 4 });
    expect(r.summary).toContain('4 duplicate result(s) merged');
  });

  it('a malformed file is an error naming it, and does not hide the other files', async () => {
    const repo = await eslintRepo();
    const snap = await loadLocalSnapshot(repo.dir);
    const r = await runBaselineCheck(snap, [
      sarifInput('malformed/truncated-eslint.sarif', 'out/eslint.sarif'),
      sarifInput('eslint/v1.sarif'),
      sarifInput('malformed/codeql-invalid-sarif.sarif', 'out/codeql.sarif'),
    ]);
    const invalid = byRule(r, 'sarif-invalid');
    expect(invalid.map((f) => f.message.split(':')[0]).sort()).toEqual([
      'out/codeql.sarif',
      'out/eslint.sarif',
    ]);
    expect(invalid.every((f) => f.severity === 'error')).toBe(true);
    expect(r.conclusion).toBe('failure');
    expect(r.stats).toMatchObject({ unchanged: 4, invalidSarifFiles: 2 });
  });

  it('no SARIF input and no baseline: "no SARIF input", neutral, not a pass', async () => {
    const repo = await gitFixture({ 'README.md': '# x\n' });
    repos.push(repo);
    const r = await runBaselineCheck(await loadLocalSnapshot(repo.dir), undefined);
    expect(r.conclusion).toBe('neutral');
    expect(r.findings.map((f) => [f.ruleId, f.severity, f.message])).toEqual([
      [
        'no-sarif-input',
        'notice',
        'no SARIF input: nothing was compared (no baseline file either)',
      ],
    ]);
    const required = await runBaselineCheck(
      await loadLocalSnapshot(repo.dir),
      [],
      'security-baseline:\n  require-sarif: true\n',
    );
    expect(required.conclusion).toBe('failure');
  });

  it('no baseline yet: findings are warnings and the check is neutral until one is committed', async () => {
    const repo = await gitFixture({ 'src/app.js': fixture('eslint/app.v1.js.txt') });
    repos.push(repo);
    const r = await runBaselineCheck(await loadLocalSnapshot(repo.dir), [
      sarifInput('eslint/v1.sarif'),
    ]);
    expect(r.conclusion).toBe('neutral');
    expect(byRule(r, 'baseline-missing')[0]!.message).toContain('all 4 finding(s) are new');
    expect(byRule(r, 'new-finding').every((f) => f.severity === 'warning')).toBe(true);
    const strict = await runBaselineCheck(
      await loadLocalSnapshot(repo.dir),
      [sarifInput('eslint/v1.sarif')],
      'security-baseline:\n  require-baseline: true\n',
    );
    expect(strict.conclusion).toBe('failure');
  });

  it('an invalid baseline fails closed', async () => {
    const repo = await gitFixture({
      'src/app.js': fixture('eslint/app.v1.js.txt'),
      [BASELINE]: '{"version":1,"entries":[{"tool":"ESLint"}]}\n',
    });
    repos.push(repo);
    const r = await runBaselineCheck(await loadLocalSnapshot(repo.dir), [
      sarifInput('eslint/v1.sarif'),
    ]);
    expect(r.conclusion).toBe('failure');
    expect(byRule(r, 'baseline-invalid')[0]!.message).toContain(
      "must have required property 'rule'",
    );
  });

  it('a tool with baseline entries but no run is not counted as fixed', async () => {
    const repo = await eslintRepo();
    const r = await runBaselineCheck(await loadLocalSnapshot(repo.dir), [
      sarifInput('semgrep/dataflow-traces.sarif'),
    ]);
    expect(r.stats).toMatchObject({ fixed: 0 });
    expect(byRule(r, 'tool-not-scanned')[0]!.message).toBe(
      'the baseline has 4 finding(s) of ESLint, but no SARIF run of ESLint was given: they were not evaluated',
    );
  });
});

describe('tool upgrade that renames a rule (Semgrep)', () => {
  async function semgrepRepo(): Promise<Fixture> {
    const repo = await gitFixture({
      'targets/taint/taint.py': 'a = source1()\n\n\n\n\n\n\nb = a\n    sink1(b)\n',
    });
    repos.push(repo);
    await repo.write(
      BASELINE,
      await baselineFor(repo.dir, [sarifInput('semgrep/dataflow-traces.sarif')]),
    );
    repo.commit('baseline');
    return repo;
  }

  it('without deprecatedIds: the old finding is fixed and the renamed one is new (documented)', async () => {
    const repo = await semgrepRepo();
    const r = await runBaselineCheck(await loadLocalSnapshot(repo.dir), [
      sarifInput('semgrep/dataflow-traces.rule-renamed.sarif'),
    ]);
    expect(r.stats).toMatchObject({ fixed: 1, new: 1 });
    expect(byRule(r, 'new-finding')[0]!.properties?.sarifRuleId).toBe(
      'rules.taint.classic-source-to-sink',
    );
  });

  it('with deprecatedIds naming the old rule: the same finding, updated', async () => {
    const repo = await semgrepRepo();
    const r = await runBaselineCheck(await loadLocalSnapshot(repo.dir), [
      sarifInput('semgrep/dataflow-traces.rule-renamed-deprecatedIds.sarif'),
    ]);
    expect(r.stats).toMatchObject({ fixed: 0, new: 0, updated: 1 });
    expect(byRule(r, 'updated-finding')[0]!.properties?.matchedBy).toBe('deprecated-rule');
  });
});

describe('thresholds and reporting', () => {
  it('security-severity decides for Trivy: medium passes fail-on high, fails fail-on medium', async () => {
    const repo = await gitFixture({
      'README.md': '# x\n',
      [BASELINE]: '{"version":1,"entries":[]}\n',
    });
    repos.push(repo);
    const snap = await loadLocalSnapshot(repo.dir);
    const def = await runBaselineCheck(snap, [sarifInput('trivy/alpine-310.sarif')]);
    expect(def.conclusion).toBe('success');
    expect(byRule(def, 'new-finding').map((f) => f.severity)).toEqual([
      'warning',
      'warning',
      'warning',
      'warning',
    ]);
    const medium = await runBaselineCheck(
      snap,
      [sarifInput('trivy/alpine-310.sarif')],
      'security-baseline:\n  fail-on:\n    security-severity: medium\n',
    );
    expect(medium.conclusion).toBe('failure');
    // The image is not a repository file: no annotation path, the location is in the message.
    expect(byRule(medium, 'new-finding')[0]!.path).toBeUndefined();
    expect(byRule(medium, 'new-finding')[0]!.message).toContain(
      '(at testdata/fixtures/images/alpine-310.tar.gz)',
    );
  });

  it('the SARIF report carries SARIF baselineState for every result', async () => {
    const repo = await eslintRepo();
    await repo.write('src/app.js', fixture('eslint/app.v4.js.txt'));
    repo.commit('edit');
    const r = await runBaselineCheck(
      await loadLocalSnapshot(repo.dir, { baseRef: 'main' }),
      [sarifInput('eslint/v4-edited.sarif')],
      'security-baseline:\n  report-unchanged: true\n',
    );
    const log = JSON.parse(
      formatSarif(
        {
          tool: { name: 'autopack', version: '0' },
          source: 'test',
          results: [r],
          totals: { error: 1, warning: 0, notice: 0 },
        },
        [securityBaselineCheck],
      ),
    ) as Log;
    const states = log.runs[0]!.results!.map((x) => `${x.ruleId}:${x.baselineState}`).sort();
    expect(states).toEqual([
      'security-baseline/new-finding:new',
      'security-baseline/unchanged-finding:unchanged',
      'security-baseline/unchanged-finding:unchanged',
      'security-baseline/updated-finding:updated',
      'security-baseline/updated-finding:updated',
    ]);
  });

  it('validateConfig refuses an escaping baseline path and a negated glob', async () => {
    const issues = await securityBaselineCheck.validateConfig!({
      baseline: '../x.json',
      sarif: ['!a.sarif'],
    });
    expect(issues.map((i) => i.path.join('.'))).toEqual(['baseline', 'sarif.0']);
  });
});
