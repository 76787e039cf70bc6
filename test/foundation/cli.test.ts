/**
 * The CLI in-process (`main` from cli/main.ts with buffer IO) on real `git init` fixtures: exit
 * codes 0/1/2, `--checks`, `--format`, `--output`, `--config`, `--base`, colour only on a TTY,
 * `config validate` and `config print`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { main } from '../../cli/main.js';
import type { CliIO } from '../../cli/io.js';
import { dirFixture, gitFixture, type Fixture } from '../helpers/git-fixture.js';

/** Runs the CLI with buffers for stdout and stderr. */
async function run(argv: string[], opts: { tty?: boolean; env?: Record<string, string> } = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s), isTTY: opts.tty ?? false },
    stderr: { write: (s: string) => (stderr += s) },
    env: opts.env ?? {},
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

const CONFIG = [
  'workspace-structure:',
  '  enabled: true',
  '  required-files:',
  "    license: { patterns: ['LICENSE*'], severity: error }",
  '  forbidden-paths:',
  "    backups: { patterns: ['**/*.bak'], severity: warning }",
  '',
].join('\n');

const fixtures: Fixture[] = [];
afterAll(async () => {
  for (const f of fixtures) await f.cleanup();
});
let clean: Fixture;
let failing: Fixture;
beforeAll(async () => {
  clean = await gitFixture({
    '.github/autopack.yml': CONFIG,
    LICENSE: 'MIT\n',
    'README.md': '# ok\n',
  });
  failing = await gitFixture({
    '.github/autopack.yml': CONFIG,
    'README.md': '# no licence\n',
    'notes.bak': 'old\n',
  });
  fixtures.push(clean, failing);
});

describe('exit codes', () => {
  it('0 when nothing at error severity is found', async () => {
    const r = await run(['check', clean.dir, '--checks', 'workspace-structure']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✔ autopack\/workspace-structure success, 0 finding\(s\)/);
  });

  it('1 when an error finding is found', async () => {
    const r = await run(['check', failing.dir, '--checks', 'workspace-structure']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✖ autopack\/workspace-structure failure/);
    expect(r.stdout).toContain('required-file');
  });

  it('0 when only warnings are found', async () => {
    const warnOnly = await gitFixture({
      '.github/autopack.yml': CONFIG,
      LICENSE: 'MIT\n',
      'x.bak': 'old\n',
    });
    fixtures.push(warnOnly);
    const r = await run([
      'check',
      warnOnly.dir,
      '--checks',
      'workspace-structure',
      '--format',
      'json',
    ]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { totals: Record<string, number> };
    expect(report.totals).toMatchObject({ error: 0, warning: 1 });
  });

  it('2 for an unknown check id in --checks, naming it and the known ones', async () => {
    const r = await run(['check', clean.dir, '--checks', 'workspace-structure,nope']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^autopack: unknown check "nope" \(known: workspace-structure, drift, sot, actions-pinning, governance, security-baseline\)\n$/,
    );
  });

  it('2 for an unknown --format', async () => {
    const r = await run(['check', clean.dir, '--format', 'xml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown format "xml"');
  });

  it('2 for an unknown option, with commander’s message', async () => {
    const r = await run(['check', clean.dir, '--frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--frobnicate'");
  });

  it('2 for a directory that does not exist', async () => {
    const r = await run(['check', path.join(clean.dir, 'no-such-dir')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^autopack: cannot read directory .*no-such-dir/);
  });

  it('2 for an invalid config, with file, line, column and key; nothing on stdout', async () => {
    const bad = await gitFixture({
      '.github/autopack.yml': 'workspace-structure:\n  enabled: true\n  required-file: {}\n',
    });
    fixtures.push(bad);
    const r = await run(['check', bad.dir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^autopack: invalid configuration\n\.github\/autopack\.yml:3:3: workspace-structure\.required-file: unknown key "required-file"/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace for an expected error
  });

  it('2 for an unknown --base ref', async () => {
    const r = await run([
      'check',
      clean.dir,
      '--checks',
      'workspace-structure',
      '--base',
      'no-such-ref',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no-such-ref');
  });

  it('0 for --version and --help', async () => {
    const v = await run(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const h = await run(['check', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('--format <format>');
  });
});

describe('--checks without workspace-structure (no file stats)', () => {
  it('still reports a tracked file missing from the working tree, through the check that reads it', async () => {
    const fx = await gitFixture({
      'README.md': '# x\n\nSee [docs](docs/a.md).\n',
      'docs/a.md': '# A\n',
    });
    fixtures.push(fx);
    await fx.remove('docs/a.md');
    const r = await run(['check', fx.dir, '--checks', 'drift', '--format', 'json']);
    const report = JSON.parse(r.stdout) as {
      results: Array<{ findings: Array<{ ruleId: string; path?: string; message: string }> }>;
    };
    const findings = report.results[0]!.findings;
    expect(findings.map((f) => [f.ruleId, f.path])).toContainEqual([
      'unreadable-file',
      'docs/a.md',
    ]);
    expect(findings.find((f) => f.path === 'docs/a.md')!.message).toContain(
      'tracked but missing from the working tree',
    );
  });
});

describe('--format and --output', () => {
  it('json: the report, parseable, with the findings', async () => {
    const r = await run([
      'check',
      failing.dir,
      '--checks',
      'workspace-structure',
      '--format',
      'json',
    ]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as {
      schemaVersion: number;
      results: Array<{ checkId: string; findings: Array<{ ruleId: string; path?: string }> }>;
    };
    expect(report.schemaVersion).toBe(1);
    expect(report.results.map((x) => x.checkId)).toEqual(['workspace-structure']);
    const rules = report.results[0]!.findings.map((f) => `${f.ruleId}:${f.path ?? ''}`).sort();
    expect(rules).toEqual(['forbidden-path:notes.bak', 'required-file:']);
  });

  it('sarif: a SARIF 2.1.0 log whose results carry <check>/<rule> ids', async () => {
    const r = await run([
      'check',
      failing.dir,
      '--checks',
      'workspace-structure',
      '--format',
      'sarif',
    ]);
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout) as {
      version: string;
      runs: Array<{ results: Array<{ ruleId: string }> }>;
    };
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0]!.results.map((x) => x.ruleId).sort()).toEqual([
      'workspace-structure/forbidden-path',
      'workspace-structure/required-file',
    ]);
  });

  it('markdown: the job-summary form', async () => {
    const r = await run([
      'check',
      failing.dir,
      '--checks',
      'workspace-structure',
      '--format',
      'markdown',
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^## Autopack\n/);
    expect(r.stdout).toContain('| `autopack/workspace-structure` | failure | 1 | 1 | 0 |');
  });

  it('--output writes the report to the file and nothing to stdout; the exit code still counts', async () => {
    const out = path.join(failing.dir, '..', `${path.basename(failing.dir)}-report.sarif`);
    const r = await run([
      'check',
      failing.dir,
      '--checks',
      'workspace-structure',
      '--format',
      'sarif',
      '--output',
      out,
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const log = JSON.parse(await readFile(out, 'utf8')) as { version: string };
    expect(log.version).toBe('2.1.0');
  });

  it('colour only on a TTY, never with NO_COLOR or --output', async () => {
    const plain = await run(['check', failing.dir, '--checks', 'workspace-structure']);
    expect(plain.stdout).not.toContain('\u001b[');
    const tty = await run(['check', failing.dir, '--checks', 'workspace-structure'], { tty: true });
    expect(tty.stdout).toContain('\u001b[31m');
    const noColor = await run(['check', failing.dir, '--checks', 'workspace-structure'], {
      tty: true,
      env: { NO_COLOR: '1' },
    });
    expect(noColor.stdout).not.toContain('\u001b[');
    const jsonOnTty = await run(
      ['check', failing.dir, '--checks', 'workspace-structure', '--format', 'json'],
      { tty: true },
    );
    expect(jsonOnTty.stdout).not.toContain('\u001b[');
  });
});

describe('--config and --base', () => {
  it('--config FILE outside the repository replaces .github/autopack.yml', async () => {
    const cfgDir = await dirFixture({
      'strict.yml': CONFIG.replace(
        "['**/*.bak'], severity: warning",
        "['**/*.bak'], severity: error",
      ),
    });
    fixtures.push(cfgDir);
    const lenient = await gitFixture({ LICENSE: 'MIT\n', 'x.bak': 'old\n' });
    fixtures.push(lenient);
    const r = await run([
      'check',
      lenient.dir,
      '--checks',
      'workspace-structure',
      '--config',
      cfgDir.abs('strict.yml'),
      '--format',
      'json',
    ]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { totals: Record<string, number> };
    expect(report.totals.error).toBe(1);
  });

  it('--base REF reads the policy from the merge base, not from the branch under review', async () => {
    const repo = await gitFixture({ '.github/autopack.yml': CONFIG, 'README.md': 'x\n' });
    fixtures.push(repo);
    repo.git('checkout', '-q', '-b', 'loosen');
    // The branch tries to switch the failing rule off; the base's policy still judges it.
    await repo.write(
      '.github/autopack.yml',
      CONFIG.replace('severity: error }', 'severity: error, enabled: false }'),
    );
    repo.commit('loosen the policy');
    const head = await run([
      'check',
      repo.dir,
      '--checks',
      'workspace-structure',
      '--format',
      'json',
    ]);
    expect(head.code).toBe(0);
    const r = await run([
      'check',
      repo.dir,
      '--checks',
      'workspace-structure',
      '--format',
      'json',
      '--base',
      'main',
    ]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { baseRef: string };
    expect(report.baseRef).toBe('main');
  });
});

describe('config validate and config print', () => {
  it('validate: exit 0 and the layers', async () => {
    const r = await run(['config', 'validate', clean.dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('valid: .github/autopack.yml\n');
  });

  it('validate: the preset for a repository without a config', async () => {
    const bare = await gitFixture({ 'a.txt': 'a' });
    fixtures.push(bare);
    const r = await run(['config', 'validate', bare.dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('valid: autopack:recommended\n');
  });

  it('validate: exit 2 with every problem positioned', async () => {
    const bad = await gitFixture({
      '.github/autopack.yml':
        'extends: autopack:recommended\nlimits:\n  max-read-bytes: small\nunknown-top: 1\n',
    });
    fixtures.push(bad);
    const r = await run(['config', 'validate', bad.dir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('.github/autopack.yml:3:19: limits.max-read-bytes: must be integer');
    expect(r.stderr).toContain('.github/autopack.yml:4:1: unknown-top: unknown key "unknown-top"');
  });

  it('validate --config FILE', async () => {
    const cfgDir = await dirFixture({ 'x.yml': 'bogus: true\n' });
    fixtures.push(cfgDir);
    const r = await run(['config', 'validate', clean.dir, '--config', cfgDir.abs('x.yml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${cfgDir.abs('x.yml')}:1:1: bogus: unknown key "bogus"`);
  });

  it('print: the resolved config after extends, as YAML', async () => {
    const layered = await gitFixture({
      '.github/autopack.yml': 'extends: .github/base.yml\nlimits:\n  max-read-bytes: 8192\n',
      '.github/base.yml': CONFIG + 'limits:\n  max-read-bytes: 4096\n',
    });
    fixtures.push(layered);
    const r = await run(['config', 'print', layered.dir]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(
      '# resolved from: .github/base.yml <- .github/autopack.yml',
    );
    const printed = parse(r.stdout) as Record<string, unknown>;
    expect(printed).toEqual({ ...(parse(CONFIG) as object), limits: { 'max-read-bytes': 8192 } });
  });
});
