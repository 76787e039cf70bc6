/**
 * The CLI's launcher (cli/launch.ts) runs the bundled CLI with a V8 code cache. Each case runs
 * the launcher in a child process (it runs its script as the main program and writes the cache
 * when the process exits) on a small script, then the real CLI bundle, and looks at what it
 * prints and what it leaves in the cache directory: written when missing, used unchanged,
 * renewed for a check it had not seen, rewritten when V8 refuses it, never read from a place
 * others can write, and never changing what the CLI prints.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_INTERRUPT_BUDGET, jitFlags } from '../../cli/launch.js';
import { gitFixture, type Fixture } from '../helpers/git-fixture.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Below the package root, so that the CLI bundle finds policies/ and schemas/ by walking up. */
const OUT = path.join(ROOT, 'node_modules', '.cache', 'autopack-launch-test');
const tmpDirs: string[] = [];
const fixtures: Fixture[] = [];

/** A script in the shape of the CLI bundle: prints, and reports the checks it "ran". */
const SCRIPT = `
function sum(n) { let s = 0; for (let i = 0; i < n; i++) s += i; return s; }
process.stdout.write('sum ' + sum(100) + ' from ' + __filename.split(/[\\\\/]/).pop() + '\\n');
const ran = (process.env.RAN || '').split(',').filter(Boolean);
module.exports = { checksRunInProcess: () => ran };
`;

function tmp(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'autopack-cc-'));
  tmpDirs.push(d);
  return d;
}

beforeAll(async () => {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  await build({
    entryPoints: [path.join(ROOT, 'cli', 'launch.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: path.join(OUT, 'launch.mjs'),
    logLevel: 'error',
  });
  // What bin/autopack.js does, with the bundle and environment given by the test.
  writeFileSync(
    path.join(OUT, 'main.mjs'),
    [
      "import { launch } from './launch.mjs';",
      'const state = launch(process.env.BUNDLE);',
      "process.stderr.write('code-cache ' + state + '\\n');",
    ].join('\n'),
  );
  writeFileSync(path.join(OUT, 'script.cjs'), SCRIPT);
  // The real CLI bundle, as npm run build writes it.
  const built = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build-cli.mjs'), OUT], {
    encoding: 'utf8',
  });
  expect(built.status, built.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
  await Promise.all(fixtures.map((f) => f.cleanup()));
});

/** Runs the launcher on `bundle`; the cache state it reported, its stdout, its exit code. */
function launch(bundle: string, env: Record<string, string>, args: string[] = []) {
  const r = spawnSync(process.execPath, [path.join(OUT, 'main.mjs'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, BUNDLE: bundle, ...env },
  });
  const state = /code-cache (\w+)/.exec(r.stderr)?.[1];
  return { state, stdout: r.stdout, status: r.status, stderr: r.stderr };
}

const cacheFiles = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.bin'));
const header = (file: string) => {
  const buf = readFileSync(file);
  return JSON.parse(buf.subarray(0, buf.indexOf(0x0a)).toString('utf8')) as { checks: string[] };
};

describe('the CLI launcher with a V8 code cache', () => {
  const script = () => path.join(OUT, 'script.cjs');

  it('writes a cache on the first run, uses it unchanged on the next, renews it for a new check', () => {
    const dir = path.join(tmp(), 'nested', 'cache');
    const env = { AUTOPACK_CODE_CACHE: dir, RAN: 'drift' };
    const first = launch(script(), env);
    expect(first).toMatchObject({ state: 'cold', stdout: 'sum 4950 from script.cjs\n', status: 0 });
    const [name] = cacheFiles(dir);
    expect(name).toMatch(/^cli-[0-9a-f]{32}\.bin$/);
    const file = path.join(dir, name!);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(header(file).checks).toEqual(['drift']);
    const written = readFileSync(file);

    const second = launch(script(), env);
    expect(second).toMatchObject({ state: 'used', stdout: first.stdout, status: 0 });
    expect(readFileSync(file).equals(written)).toBe(true);

    const third = launch(script(), { ...env, RAN: 'sot,drift' });
    expect(third.state).toBe('used');
    expect(header(file).checks).toEqual(['drift', 'sot']);
    expect(cacheFiles(dir)).toEqual([name]);
  });

  it('rewrites a cache V8 refuses, and a changed script gets its own cache', () => {
    const dir = tmp();
    const env = { AUTOPACK_CODE_CACHE: dir };
    launch(script(), env);
    const file = path.join(dir, cacheFiles(dir)[0]!);
    const good = readFileSync(file);
    // Same header, V8's data cut short: refused, the run is unchanged, the cache rewritten.
    writeFileSync(file, good.subarray(0, good.indexOf(0x0a) + 64), { mode: 0o600 });
    const refused = launch(script(), env);
    expect(refused).toMatchObject({ state: 'rejected', stdout: 'sum 4950 from script.cjs\n' });
    expect(readFileSync(file).length).toBe(good.length);
    expect(launch(script(), env).state).toBe('used');

    const other = path.join(tmp(), 'script.cjs');
    writeFileSync(other, SCRIPT.replace('sum(100)', 'sum(10)'));
    expect(launch(other, env)).toMatchObject({ state: 'cold', stdout: 'sum 45 from script.cjs\n' });
    expect(cacheFiles(dir)).toHaveLength(2);
  });

  it('never reads a cache from a directory or file others can write, or through a symlink', () => {
    const open = tmp();
    chmodSync(open, 0o777);
    const r = launch(script(), { AUTOPACK_CODE_CACHE: open });
    expect(r).toMatchObject({ state: 'unavailable', stdout: 'sum 4950 from script.cjs\n' });
    expect(cacheFiles(open)).toEqual([]);

    const dir = tmp();
    launch(script(), { AUTOPACK_CODE_CACHE: dir });
    const name = cacheFiles(dir)[0]!;
    const file = path.join(dir, name);
    chmodSync(file, 0o666);
    expect(launch(script(), { AUTOPACK_CODE_CACHE: dir }).state).toBe('cold');
    expect(statSync(file).mode & 0o777).toBe(0o600); // replaced by a private one

    // A symlink in the cache's place is not followed, and its target is left alone.
    const elsewhere = path.join(tmp(), 'target.bin');
    cpSync(file, elsewhere);
    rmSync(file);
    symlinkSync(elsewhere, file);
    const before = readFileSync(elsewhere);
    expect(launch(script(), { AUTOPACK_CODE_CACHE: dir }).state).toBe('cold');
    expect(readFileSync(elsewhere).equals(before)).toBe(true);
  });

  it.skipIf(process.getuid?.() !== 0)('never reads a cache file owned by another user', () => {
    const dir = tmp();
    launch(script(), { AUTOPACK_CODE_CACHE: dir });
    const file = path.join(dir, cacheFiles(dir)[0]!);
    chownSync(file, 4321, 4321);
    expect(launch(script(), { AUTOPACK_CODE_CACHE: dir }).state).toBe('cold');
    expect(statSync(file).uid).toBe(0);
  });

  it('is off with AUTOPACK_CODE_CACHE=off, and keeps the newest caches only', () => {
    const home = tmp();
    const off = launch(script(), { AUTOPACK_CODE_CACHE: 'off', HOME: home, XDG_CACHE_HOME: '' });
    expect(off).toMatchObject({ state: 'off', stdout: 'sum 4950 from script.cjs\n' });
    expect(readdirSync(home)).toEqual([]);

    const dir = tmp();
    for (let i = 0; i < 10; i++) {
      const s = path.join(tmp(), 'script.cjs');
      writeFileSync(s, `${SCRIPT}\n// build ${i}\n`);
      launch(s, { AUTOPACK_CODE_CACHE: dir });
    }
    expect(cacheFiles(dir)).toHaveLength(8);
  });

  it('runs the real CLI bundle to the same report with and without its cache', async () => {
    const fx = await gitFixture({
      'README.md': '# Readme\n\nSee [the guide](docs/guide.md#setup) and [gone](docs/gone.md).\n',
      'docs/guide.md': '# Guide\n\n## Install\n',
    });
    fixtures.push(fx);
    const dir = tmp();
    const args = ['check', fx.dir, '--checks', 'drift,workspace-structure', '--format', 'json'];
    const bundle = path.join(OUT, 'autopack.cjs');
    const plain = launch(bundle, { AUTOPACK_CODE_CACHE: 'off' }, args);
    expect(plain.status, plain.stderr).toBe(1);
    const report = (s: string) => {
      const r = JSON.parse(s) as { results: Array<{ durationMs?: number }> };
      for (const x of r.results) delete x.durationMs;
      return r;
    };
    const rules = (s: string) =>
      (JSON.parse(s) as { results: Array<{ findings: Array<{ ruleId: string }> }> }).results
        .flatMap((r) => r.findings.map((f) => f.ruleId))
        .sort();
    expect(rules(plain.stdout)).toEqual([
      'broken-anchor',
      'broken-link',
      'required-file',
      'required-file',
      'required-file',
    ]);
    const cold = launch(bundle, { AUTOPACK_CODE_CACHE: dir }, args);
    const warm = launch(bundle, { AUTOPACK_CODE_CACHE: dir }, args);
    expect([cold.state, warm.state]).toEqual(['cold', 'used']);
    for (const r of [cold, warm]) {
      expect(r.status).toBe(1);
      expect(report(r.stdout)).toEqual(report(plain.stdout));
    }
    expect(header(path.join(dir, cacheFiles(dir)[0]!)).checks).toEqual([
      'drift',
      'workspace-structure',
    ]);
  });
});

describe('the CLI launcher’s V8 flags', () => {
  it('raises the tier-up budget unless the user gave Node one', () => {
    expect(jitFlags([])).toEqual([`--interrupt-budget=${CLI_INTERRUPT_BUDGET}`]);
    expect(jitFlags(['--max-old-space-size=4096', '--enable-source-maps'])).toHaveLength(1);
    expect(jitFlags(['--interrupt-budget=1000'])).toEqual([]);
    expect(jitFlags(['--inspect', '--interrupt_budget=5000'])).toEqual([]);
    expect(jitFlags(['--interrupt-budget-for-feedback-allocation=1'])).toHaveLength(1);
  });
});
