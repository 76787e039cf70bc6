/**
 * `mode: check` on branch events (push, workflow_dispatch), run as the runner runs the bundle:
 * exit code, outputs, job summary, annotations, report files, inputs, and configuration errors.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitFixture, type Fixture } from '../helpers/git-fixture.js';
import { examplePayload, runAction, startFakeGitHub, type FakeGitHub } from './harness.js';

/** A repository the recommended preset is happy with. */
const CLEAN = {
  'README.md': '# Fixture\n',
  LICENSE: 'MIT License\n',
  'SECURITY.md': '# Security\n',
  '.github/CODEOWNERS': '* @octo-org/maintainers\n',
};

let clean: Fixture;
let dirty: Fixture;
let api: FakeGitHub;

beforeAll(async () => {
  clean = await gitFixture(CLEAN);
  // Defects: a tracked .env (error, forbidden-paths) and no CODEOWNERS (warning, required-files).
  const { '.github/CODEOWNERS': _drop, ...noOwners } = CLEAN;
  dirty = await gitFixture({ ...noOwners, '.env': 'SECRET=1\n', 'src/app.ts': 'export {};\n' });
  api = await startFakeGitHub([]);
});

afterAll(async () => {
  await api.close();
  await clean.cleanup();
  await dirty.cleanup();
});

async function dispatch(fx: Fixture, inputs: Record<string, string> = {}) {
  const payload = await examplePayload('workflow_dispatch');
  const sha = fx.git('rev-parse', 'HEAD').trim();
  return runAction({
    eventName: 'workflow_dispatch',
    payload,
    workspace: fx.dir,
    sha,
    ref: 'refs/heads/main',
    inputs,
    api,
  });
}

describe('mode: check on a branch', () => {
  it('fails the step on error findings, annotates them and writes outputs, summary and reports', async () => {
    const run = await dispatch(dirty, { 'drift-issue': 'false' });
    expect(run.code).toBe(1);
    expect(run.outputs.conclusion).toBe('failure');
    expect(Number(run.outputs.findings)).toBeGreaterThanOrEqual(2);
    // The forbidden .env is an error annotation on its file; the missing CODEOWNERS a warning.
    const env = run.annotations.find((a) => a.file === '.env');
    expect(env).toMatchObject({
      level: 'error',
      title: 'autopack/workspace-structure forbidden-path',
    });
    expect(run.annotations.some((a) => a.level === 'warning' && /CODEOWNERS/.test(a.message))).toBe(
      true,
    );
    // The job summary is the Markdown reporter's, preceded by what was evaluated.
    expect(run.summary).toContain('## Autopack');
    expect(run.summary).toContain('| `autopack/workspace-structure` | failure |');
    expect(run.summary).toMatch(
      /Evaluated `main` \(workflow_dispatch\) at `[0-9a-f]{7}`; policy read from the work tree\./,
    );
    // The report and the SARIF log exist and agree with the outputs.
    const findings = run.report!.results.flatMap((r) => r.findings);
    expect(findings).toHaveLength(Number(run.outputs.findings));
    expect(run.sarif!.version).toBe('2.1.0');
    expect(run.sarif!.runs[0]!.results.map((r) => r.ruleId)).toContain(
      'workspace-structure/forbidden-path',
    );
    // The last line says why the step failed; no API call was needed for a branch run.
    expect(run.stdout).toMatch(/::error::autopack: failure: \d+ error\(s\), \d+ warning\(s\)/);
    expect(api.requests).toHaveLength(0);
  });

  it('passes a clean repository', async () => {
    const run = await dispatch(clean, { checks: 'workspace-structure', 'drift-issue': 'false' });
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({ conclusion: 'success', findings: '0' });
    expect(run.annotations).toEqual([]);
    expect(run.summary).toContain('| `autopack/workspace-structure` | success | 0 | 0 | 0 |');
    // With every enabled check: still green (no errors), and the output is the worst conclusion.
    const all = await dispatch(clean, { 'drift-issue': 'false' });
    expect(all.code).toBe(0);
    expect(all.annotations.filter((a) => a.level === 'error')).toEqual([]);
    const rank = [
      'failure',
      'timed_out',
      'cancelled',
      'action_required',
      'neutral',
      'success',
      'skipped',
    ];
    const worst = all
      .report!.results.map((r) => r.conclusion)
      .sort((a, b) => rank.indexOf(a) - rank.indexOf(b))[0];
    expect(all.outputs.conclusion).toBe(worst);
  });

  it('fail-on: never keeps the step green but reports the conclusion', async () => {
    const run = await dispatch(dirty, { 'fail-on': 'never', 'drift-issue': 'false' });
    expect(run.code).toBe(0);
    expect(run.outputs.conclusion).toBe('failure');
    expect(run.annotations.some((a) => a.level === 'error')).toBe(true);
  });

  it('fail-on: warning fails on warnings alone', async () => {
    const fx = await gitFixture({ 'README.md': '# x\n', LICENSE: 'MIT\n', 'SECURITY.md': '# s\n' });
    try {
      const onError = await dispatch(fx, { checks: 'workspace-structure', 'drift-issue': 'false' });
      expect(onError.code).toBe(0);
      expect(onError.outputs.conclusion).toBe('success');
      expect(onError.annotations.map((a) => a.level)).toEqual(['warning']);
      const onWarning = await dispatch(fx, {
        checks: 'workspace-structure',
        'fail-on': 'warning',
        'drift-issue': 'false',
      });
      expect(onWarning.code).toBe(1);
      expect(onWarning.stdout).toContain('(fail-on: warning)');
    } finally {
      await fx.cleanup();
    }
  });

  it('caps annotations and says how many were left out; annotations: false writes none', async () => {
    const capped = await dispatch(dirty, { annotations: '1', 'drift-issue': 'false' });
    const findings = Number(capped.outputs.findings);
    const perFinding = capped.annotations.filter((a) => a.title?.startsWith('autopack/'));
    expect(perFinding).toHaveLength(1);
    expect(perFinding[0]!.level).toBe('error'); // errors first
    expect(capped.annotations.find((a) => a.level === 'notice')?.message).toContain(
      `${findings - 1} more finding(s) were not annotated`,
    );
    const none = await dispatch(dirty, { annotations: 'false', 'drift-issue': 'false' });
    expect(none.annotations.filter((a) => a.title?.startsWith('autopack/'))).toEqual([]);
    expect(none.code).toBe(1);
  });

  it('writes the SARIF log where sarif-output says', async () => {
    const target = path.join(os.tmpdir(), `autopack-sarif-${process.pid}`, 'out', 'autopack.sarif');
    try {
      const run = await dispatch(dirty, { 'sarif-output': target, 'drift-issue': 'false' });
      expect(run.outputs.sarif).toBe(target);
      const log = JSON.parse(await readFile(target, 'utf8')) as {
        runs: Array<{ tool: { driver: { name: string } } }>;
      };
      expect(log.runs[0]!.tool.driver.name).toBe('autopack');
    } finally {
      await rm(path.dirname(path.dirname(target)), { recursive: true, force: true });
    }
  });

  it('runs only the checks the checks input names', async () => {
    const run = await dispatch(dirty, { checks: 'sot', 'drift-issue': 'false' });
    expect(run.report!.results.map((r) => r.checkId)).toEqual(['sot']);
    expect(run.annotations.some((a) => a.file === '.env')).toBe(false);
  });

  it('evaluates the pushed head on push', async () => {
    const payload = await examplePayload('push', undefined, 4); // refs/heads/master created
    const sha = dirty.git('rev-parse', 'HEAD').trim();
    payload.after = sha;
    const run = await runAction({
      eventName: 'push',
      payload,
      workspace: dirty.dir,
      sha,
      ref: String(payload.ref),
      api,
    });
    expect(run.stdout).toContain(
      `push event, refs/heads/master at ${sha.slice(0, 7)} (default branch)`,
    );
    expect(run.code).toBe(1);
    expect(api.requests).toHaveLength(0);
  });

  it('does nothing for a push that deletes a branch', async () => {
    const payload = await examplePayload('push', undefined, 1); // refs/tags/simple-tag deleted
    const run = await runAction({
      eventName: 'push',
      payload,
      workspace: dirty.dir,
      sha: String(payload.before),
      ref: String(payload.ref),
      api,
    });
    expect(run.code).toBe(0);
    expect(run.outputs.conclusion).toBe('skipped');
    expect(run.stdout).toContain('nothing to do: the push deleted refs/tags/simple-tag');
  });

  it('ignores a comment on an issue (not a pull request)', async () => {
    const payload = await examplePayload('issue_comment', 'created');
    const run = await runAction({
      eventName: 'issue_comment',
      payload,
      workspace: dirty.dir,
      sha: dirty.git('rev-parse', 'HEAD').trim(),
      ref: 'refs/heads/main',
      api,
    });
    expect(run.code).toBe(0);
    expect(run.outputs.conclusion).toBe('skipped');
  });
});

describe('bad input and bad configuration', () => {
  it('rejects an unknown fail-on value, naming the input and the choices', async () => {
    const run = await dispatch(clean, { 'fail-on': 'sometimes' });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      '::error::input "fail-on" is "sometimes"; expected one of: error, warning, never',
    );
    expect(run.stdout).not.toContain('internal error');
  });

  it('rejects an unknown check id', async () => {
    const run = await dispatch(clean, { checks: 'workspace-structure, lint' });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('input "checks" names an unknown check "lint"');
  });

  it('fails with an annotation at the file, line and key of an invalid config', async () => {
    const fx = await gitFixture({
      ...CLEAN,
      '.github/autopack.yml':
        'extends: autopack:recommended\nworkspace-structure:\n  enabled: true\n  colour: blue\n',
    });
    try {
      const run = await dispatch(fx, { 'drift-issue': 'false' });
      expect(run.code).toBe(1);
      expect(run.outputs.conclusion).toBe('failure');
      const a = run.annotations.find((x) => x.title === 'autopack: invalid configuration');
      expect(a).toMatchObject({ level: 'error', file: '.github/autopack.yml', line: 4 });
      expect(a!.message).toContain('unknown key "colour"');
      expect(run.summary).toContain('The configuration is invalid; no check ran.');
      expect(run.stdout).not.toContain('internal error');
    } finally {
      await fx.cleanup();
    }
  });

  it('refuses to judge an empty workspace (no checkout step)', async () => {
    const empty = await mkdtemp(path.join(os.tmpdir(), 'autopack-empty-'));
    try {
      const payload = await examplePayload('workflow_dispatch');
      const run = await runAction({
        eventName: 'workflow_dispatch',
        payload,
        workspace: empty,
        sha: 'b'.repeat(40),
        ref: 'refs/heads/main',
        api,
      });
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('is empty: add actions/checkout before this step');
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('fails when the config input names a file that does not exist', async () => {
    const run = await dispatch(clean, { config: 'ci/autopack.yml', 'drift-issue': 'false' });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('the config file ci/autopack.yml (input "config") does not exist');
  });
});
