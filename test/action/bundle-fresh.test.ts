/**
 * The staleness gate: the committed dist/index.js must be exactly what scripts/build-action.mjs
 * builds from the sources. Users run the committed bundle (`uses: owner/autopack@<sha>` has no
 * install step), so a source change without `npm run build:action` would ship old behaviour.
 */
import { cp, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { gitFixture } from '../helpers/git-fixture.js';
import { BUNDLE, REPO_ROOT, examplePayload, runAction, spawnNode } from './harness.js';

async function build(out: string): Promise<void> {
  const r = await spawnNode([path.join(REPO_ROOT, 'scripts', 'build-action.mjs'), out], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: os.tmpdir() },
  });
  if (r.code !== 0) throw new Error(`build failed: ${r.stderr}`);
}

describe('dist/index.js', () => {
  it('is what the sources build (run `npm run build:action` and commit dist/ when this fails)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'autopack-bundle-'));
    try {
      const fresh = path.join(dir, 'index.js');
      await build(fresh);
      const [committed, rebuilt] = await Promise.all([
        readFile(BUNDLE, 'utf8'),
        readFile(fresh, 'utf8'),
      ]);
      // Compare sizes first for a short message; then the content itself.
      expect(
        { bytes: Buffer.byteLength(committed) },
        'dist/index.js is stale: run `npm run build:action`',
      ).toEqual({
        bytes: Buffer.byteLength(rebuilt),
      });
      expect(committed === rebuilt, 'dist/index.js is stale: run `npm run build:action`').toBe(
        true,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('is deterministic: two builds are byte-identical', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'autopack-bundle-'));
    try {
      await build(path.join(dir, 'a.js'));
      await build(path.join(dir, 'b', 'b.js'));
      const [a, b] = await Promise.all([
        readFile(path.join(dir, 'a.js')),
        readFile(path.join(dir, 'b', 'b.js')),
      ]);
      expect(a.equals(b)).toBe(true);
      // No machine-specific path leaks into the bundle.
      expect(a.toString('utf8')).not.toContain(REPO_ROOT);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('is what action.yml runs, on node24, and ships with the data files it reads', async () => {
    const action = parseYaml(await readFile(path.join(REPO_ROOT, 'action.yml'), 'utf8')) as {
      runs: { using: string; main: string };
    };
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
    // policies/assets.ts walks up from dist/ to the directory holding policies/recommended.yml.
    for (const asset of [
      'policies/recommended.yml',
      'schemas/config.schema.json',
      'package.json',
    ]) {
      expect((await stat(path.join(path.dirname(BUNDLE), '..', asset))).isFile()).toBe(true);
    }
    const gitattributes = await readFile(path.join(REPO_ROOT, '.gitattributes'), 'utf8');
    expect(gitattributes).toMatch(/^dist\/\*\* linguist-generated=true/m);
  });

  it('runs from a copy of the action repository without node_modules, as `uses: owner/autopack@sha` does', async () => {
    // The runner downloads the repository at the pinned commit and runs dist/index.js with no
    // install step: the bundle must need nothing but itself and the data files beside it.
    const copy = await mkdtemp(path.join(os.tmpdir(), 'autopack-action-copy-'));
    const fx = await gitFixture({
      'README.md': '# x\n',
      LICENSE: 'MIT\n',
      'SECURITY.md': '# s\n',
      '.env': 'A=1\n',
    });
    try {
      for (const entry of ['action.yml', 'package.json', 'dist', 'policies', 'schemas']) {
        await cp(path.join(REPO_ROOT, entry), path.join(copy, entry), { recursive: true });
      }
      const run = await runAction({
        bundle: path.join(copy, 'dist', 'index.js'),
        eventName: 'workflow_dispatch',
        payload: await examplePayload('workflow_dispatch'),
        workspace: fx.dir,
        sha: fx.git('rev-parse', 'HEAD').trim(),
        ref: 'refs/heads/main',
        inputs: { 'drift-issue': 'false' },
      });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(1);
      expect(run.annotations.find((a) => a.file === '.env')).toMatchObject({ level: 'error' });
      // The built-in preset and the schemas were found beside the copied bundle.
      expect(run.report!.results.map((r) => r.checkId)).toContain('workspace-structure');
    } finally {
      await rm(copy, { recursive: true, force: true });
      await fx.cleanup();
    }
  });
});
