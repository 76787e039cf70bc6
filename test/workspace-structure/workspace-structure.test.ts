/**
 * workspace-structure, end to end on real git repositories built in temp dirs: each rule fires
 * on a known defect, and the legitimate look-alikes next to it do not.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatSarif } from '../../checks/report/sarif.js';
import { dirFixture, gitFixture, type Fixture, type FixtureFiles } from '../helpers/git-fixture.js';
import { runCheck, summary } from './harness.js';

const BASE: FixtureFiles = {
  'README.md': '# demo\n',
  LICENSE: 'MIT License\n',
  'SECURITY.md': 'Report vulnerabilities privately.\n',
  '.github/CODEOWNERS': '* @octo/maintainers\n',
  'src/index.ts': 'export const x = 1;\n',
};

const fixtures: Fixture[] = [];
async function repo(files: FixtureFiles, config?: string): Promise<Fixture> {
  const all = { ...BASE, ...files };
  if (config !== undefined) all['.github/autopack.yml'] = config;
  const fx = await gitFixture(all);
  fixtures.push(fx);
  return fx;
}
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.cleanup()));
});

const run = (fx: Fixture) => runCheck(fx.dir, 'workspace-structure');

describe('workspace-structure: a clean repository', () => {
  it('has no findings under autopack:recommended', async () => {
    const fx = await repo({ 'docs/guide.md': '# guide\n', 'package.json': '{}\n' });
    const { findings, report } = await run(fx);
    expect(findings).toEqual([]);
    expect(report.results[0]?.conclusion).toBe('success');
    expect(report.results[0]?.stats?.files).toBe(7);
  });
});

describe('required-file', () => {
  it('reports a missing security policy (error) and a missing CODEOWNERS (warning)', async () => {
    const fx = await gitFixture({ 'README.md': '# x\n', LICENSE: 'MIT\n' });
    fixtures.push(fx);
    const { findings } = await run(fx);
    const req = findings.filter((f) => f.ruleId === 'required-file');
    expect(req.map((f) => [f.properties?.entry, f.severity]).sort()).toEqual([
      ['codeowners', 'warning'],
      ['security-policy', 'error'],
    ]);
    const sec = req.find((f) => f.properties?.entry === 'security-policy')!;
    expect(sec.message).toContain('SECURITY.md, .github/SECURITY.md, docs/SECURITY.md');
    expect(sec.help).toContain('workspace-structure.required-files.security-policy');
  });

  it('accepts the alternative locations GitHub accepts, case-insensitively', async () => {
    const fx = await gitFixture({
      'readme.rst': 'demo\n',
      'License.txt': 'MIT\n',
      'docs/SECURITY.md': 'x\n',
      'docs/CODEOWNERS': '* @a\n',
    });
    fixtures.push(fx);
    expect((await run(fx)).findings).toEqual([]);
  });

  it('accepts .github/SECURITY.md and COPYING', async () => {
    const fx = await gitFixture({
      'README.md': 'x\n',
      COPYING: 'GPL\n',
      '.github/SECURITY.md': 'x\n',
      '.github/CODEOWNERS': '* @a\n',
    });
    fixtures.push(fx);
    expect((await run(fx)).findings).toEqual([]);
  });

  it('keeps CODEOWNERS case-sensitive, as GitHub does', async () => {
    const fx = await gitFixture({
      'README.md': 'x\n',
      LICENSE: 'MIT\n',
      'SECURITY.md': 'x\n',
      '.github/codeowners': '* @a\n',
    });
    fixtures.push(fx);
    const { findings } = await run(fx);
    expect(findings.map((f) => [f.ruleId, f.properties?.entry, f.severity])).toEqual([
      ['required-file', 'codeowners', 'warning'],
    ]);
  });

  it('finds required files at any depth a pattern allows (fixed depths, `**`, braces)', async () => {
    const config =
      'extends: autopack:recommended\nworkspace-structure:\n  required-files:\n' +
      '    nested: { patterns: [docs/*/README.md], severity: notice }\n' +
      '    anywhere: { patterns: ["**/CHANGELOG.md"], severity: notice }\n' +
      '    braces: { patterns: ["{tools/a,tools/b/c}/run.sh"], severity: notice }\n';
    const fx = await repo(
      {
        'docs/api/README.md': 'x\n',
        'packages/x/y/CHANGELOG.md': 'x\n',
        'tools/b/c/run.sh': 'x\n',
      },
      config,
    );
    expect((await run(fx)).findings).toEqual([]);
    await fx.remove('docs/api/README.md');
    await fx.write('docs/README.md', 'x\n'); // one level too shallow for docs/*/README.md
    fx.commit('move');
    expect((await run(fx)).findings.map((f) => f.properties?.entry)).toEqual(['nested']);
  });

  it('honours a repository entry that requires a directory', async () => {
    const fx = await repo(
      {},
      'extends: autopack:recommended\nworkspace-structure:\n  required-files:\n    templates:\n      patterns: [.github/ISSUE_TEMPLATE/]\n      severity: notice\n',
    );
    const { findings } = await run(fx);
    expect(findings.map((f) => [f.ruleId, f.severity, f.properties?.entry])).toEqual([
      ['required-file', 'notice', 'templates'],
    ]);
    await fx.write('.github/ISSUE_TEMPLATE/bug.md', '---\nname: Bug\n---\n');
    fx.commit('template');
    expect((await run(fx)).findings).toEqual([]);
  });
});

describe('forbidden-path', () => {
  it('collapses a tracked node_modules/ of 5,000 files into ONE finding with a count', async () => {
    const fx = await repo({ 'packages/web/node_modules/react/index.js': 'x' });
    // 5,000 files written synchronously (the async helper writes one at a time), then committed.
    for (let d = 0; d < 50; d++) {
      const dir = fx.abs(`node_modules/pkg${d}/lib`);
      mkdirSync(dir, { recursive: true });
      for (let i = 0; i < 100; i++) writeFileSync(path.join(dir, `f${i}.js`), 'x');
    }
    fx.commit('vendored dependencies');
    const { findings } = await run(fx);
    expect(summary(findings)).toEqual([
      'forbidden-path node_modules',
      'forbidden-path packages/web/node_modules',
    ]);
    const top = findings.find((f) => f.path === 'node_modules')!;
    expect(top.properties).toMatchObject({
      entry: 'dependency-dirs',
      kind: 'directory',
      files: 5000,
    });
    expect(top.message).toBe(
      'node_modules/ is tracked (5,000 tracked files): a dependency directory [dependency-dirs]',
    );
    expect(top.help).toContain('git rm -r --cached node_modules/');
  });

  it('does not report an ignored, untracked node_modules/', async () => {
    const fx = await repo({ '.gitignore': 'node_modules/\n', 'node_modules/a/index.js': 'x' });
    expect(fx.git('ls-files')).not.toContain('node_modules');
    expect((await run(fx)).findings).toEqual([]);
  });

  it('reports build output (dist/, build/) next to the manifest that builds it, at any depth', async () => {
    const fx = await repo({
      'package.json': '{}\n',
      'dist/index.js': 'x',
      'build/out.o': 'x',
      'packages/ui/package.json': '{}\n',
      'packages/ui/dist/ui.js': 'x',
      'src/autopack/dashboard/frontend/package.json': '{}\n',
      'src/autopack/dashboard/frontend/dist/assets/app.js': 'x',
      'py/pyproject.toml': '[project]\n',
      'py/build/lib/mod.py': 'x',
    });
    expect(summary((await run(fx)).findings)).toEqual([
      'forbidden-path build',
      'forbidden-path dist',
      'forbidden-path packages/ui/dist',
      'forbidden-path py/build',
      'forbidden-path src/autopack/dashboard/frontend/dist',
    ]);
  });

  it('leaves source directories named build/ and test fixtures alone', async () => {
    const fx = await repo({
      'package.json': '{}\n',
      // prettier/prettier: build scripts, no manifest beside them
      'scripts/build/build.js': 'x',
      'tools/dist/release.sh': 'x',
      // prettier/prettier: node_modules tracked on purpose as test fixtures
      'tests/integration/cli/with-node-modules/node_modules/x.js': 'x',
      'tests/integration/plugins/automatic/node_modules/prettier-plugin-a/index.js': 'x',
      'test/fixtures/app/package.json': '{}\n',
      'test/fixtures/app/dist/bundle.js': 'x',
      // pallets/flask: a .env fixture for the dotenv loader tests
      'tests/test_apps/.env': 'FOO=env\n',
    });
    expect((await run(fx)).findings).toEqual([]);
  });

  it('does not count placeholder files that keep an empty directory (argoproj/argo-cd ui/dist)', async () => {
    const fx = await repo({
      'ui/package.json': '{}\n',
      'ui/embed.go': 'package ui\n',
      'ui/dist/app/gitkeep': '',
      'ui/dist/app/assets/images/resources/.gitkeep': '',
      'web/package.json': '{}\n',
      'web/dist/.gitignore': '*\n',
    });
    expect((await run(fx)).findings).toEqual([]);
    await fx.write('ui/dist/app/main.js', 'x');
    fx.commit('built output');
    const { findings } = await run(fx);
    expect(findings.map((f) => [f.path, f.properties?.files])).toEqual([['ui/dist', 1]]);
  });

  it('judges each tree on its own when one compiled policy and its pattern memos serve many trees', async () => {
    // Same policy text, so one compiled config (shared by content) and one set of memos: what a
    // pattern says of `packages/ui/dist` is remembered, whether a manifest sits next to it is not.
    const withManifest = await repo({
      'packages/ui/package.json': '{}\n',
      'packages/ui/dist/ui.js': 'x',
    });
    const withoutManifest = await repo({ 'packages/ui/dist/ui.js': 'x' });
    expect(summary((await run(withManifest)).findings)).toEqual([
      'forbidden-path packages/ui/dist',
    ]);
    expect(summary((await run(withoutManifest)).findings)).toEqual([]);
    expect(summary((await run(withManifest)).findings)).toEqual([
      'forbidden-path packages/ui/dist',
    ]);
  });

  it('lets a repository drop the next-to condition (lists replace)', async () => {
    const fx = await repo(
      { 'scripts/build/build.js': 'x' },
      'extends: autopack:recommended\nworkspace-structure:\n  forbidden-paths:\n    build-output:\n      next-to: []\n',
    );
    expect(summary((await run(fx)).findings)).toEqual(['forbidden-path scripts/build']);
  });

  it('allows the bundled Action dist/ through config, without weakening the default elsewhere', async () => {
    const config =
      'extends: autopack:recommended\nworkspace-structure:\n  forbidden-paths:\n    build-output:\n      allow: [dist/]\n';
    const fx = await repo(
      {
        'package.json': '{}\n',
        'web/package.json': '{}\n',
        'action.yml': 'name: x\nruns:\n  using: node20\n  main: dist/index.js\n',
        'dist/index.js': 'x',
        'dist/licenses.txt': 'x',
        'web/dist/app.js': 'x',
      },
      config,
    );
    const { findings } = await run(fx);
    expect(summary(findings)).toEqual(['forbidden-path web/dist']);
  });

  it('hints at the Action bundle when dist/ sits beside action.yml', async () => {
    const fx = await repo({
      'package.json': '{}\n',
      'action.yml': 'name: x\n',
      'dist/index.js': 'x',
    });
    const [f] = (await run(fx)).findings;
    expect(f?.help).toContain('bundled code of the JavaScript Action');
    expect(f?.help).toContain('forbidden-paths.build-output.allow');
  });

  it('reports backup copies in every variant, but not look-alikes', async () => {
    const fx = await repo({
      'src/governed_apply.py.bak2': 'x',
      'src/a.bak': 'x',
      'src/b.backup.ts': 'x',
      'src/c.broken': 'x',
      'src/D.BAK': 'x',
      'src/e.backup-2024': 'x',
      'src/bakery.ts': 'x',
      'src/x.bakery': 'x',
      'src/backups.md': 'x',
    });
    expect(summary((await run(fx)).findings)).toEqual([
      'forbidden-path src/D.BAK',
      'forbidden-path src/a.bak',
      'forbidden-path src/b.backup.ts',
      'forbidden-path src/c.broken',
      'forbidden-path src/e.backup-2024',
      'forbidden-path src/governed_apply.py.bak2',
    ]);
  });

  it('reports Python caches, compiled files and OS metadata', async () => {
    const fx = await repo({
      'pkg/__pycache__/mod.cpython-312.pyc': 'x',
      'pkg/__pycache__/other.cpython-312.pyc': 'x',
      'legacy/old.pyc': 'x',
      'assets/.DS_Store': 'x',
      'pkg/module.py': 'x',
      'pkg/native.pyd': 'x',
    });
    const { findings } = await run(fx);
    expect(summary(findings)).toEqual([
      'forbidden-path assets/.DS_Store',
      'forbidden-path legacy/old.pyc',
      'forbidden-path pkg/__pycache__',
    ]);
    expect(findings.find((f) => f.path === 'pkg/__pycache__')?.properties?.files).toBe(2);
  });

  it('reports .env files but not .env.example, .env.sample, .env.template or .envrc', async () => {
    const fx = await repo({
      '.env': 'TOKEN=abc\n',
      'services/api/.env.production': 'X=1\n',
      '.env.example': 'TOKEN=\n',
      '.env.sample': 'TOKEN=\n',
      '.env.template': 'TOKEN=\n',
      'services/api/.env.local.example': 'X=\n',
      '.envrc': 'use nix\n',
    });
    expect(summary((await run(fx)).findings)).toEqual([
      'forbidden-path .env',
      'forbidden-path services/api/.env.production',
    ]);
  });

  it('reports file names with spaces and unicode exactly', async () => {
    const fx = await repo({ 'docs/naïve file (copy).md.bak': 'x', 'docs/ünïcode ok.md': 'x' });
    const { findings } = await run(fx);
    expect(summary(findings)).toEqual(['forbidden-path docs/naïve file (copy).md.bak']);
    expect(findings[0]?.help).toContain("git rm --cached 'docs/naïve file (copy).md.bak'");
  });

  it('lets a repository add its own entry and switch a preset entry off', async () => {
    const config = [
      'extends: autopack:recommended',
      'workspace-structure:',
      '  forbidden-paths:',
      '    env-files:',
      '      enabled: false',
      '    logs:',
      '      description: a log file',
      "      patterns: ['**/*.log']",
      '      severity: warning',
      '',
    ].join('\n');
    const fx = await repo({ '.env': 'X=1\n', 'logs/app.log': 'x' }, config);
    const { findings } = await run(fx);
    expect(findings.map((f) => [f.ruleId, f.path, f.severity])).toEqual([
      ['forbidden-path', 'logs/app.log', 'warning'],
    ]);
  });
});

describe('stray-database', () => {
  it('reports databases outside allowed places; allows test fixtures and a configured autopack.db', async () => {
    const config =
      "extends: autopack:recommended\nworkspace-structure:\n  stray-databases:\n    allow: ['autopack.db', '**/fixtures/']\n";
    const fx = await repo(
      {
        'autopack.db': 'SQLite format 3\0',
        'telemetry_seed_1.db': 'x',
        'data/cache.sqlite3': 'x',
        'src/app/state.db-journal': 'x',
        'tests/fixtures/sample.db': 'x',
        'docs/Thumbs.db': 'x',
      },
      config,
    );
    const { findings } = await run(fx);
    expect(summary(findings)).toEqual([
      'forbidden-path docs/Thumbs.db',
      'stray-database data/cache.sqlite3',
      'stray-database src/app/state.db-journal',
      'stray-database telemetry_seed_1.db',
    ]);
  });

  it('reports autopack.db at the root when no allow entry names it', async () => {
    const fx = await repo({ 'autopack.db': 'x', 'test/data.db': 'x' });
    expect(summary((await run(fx)).findings)).toEqual(['stray-database autopack.db']);
  });
});

describe('root-allowlist', () => {
  it('is off by default', async () => {
    const fx = await repo({ 'random.txt': 'x', 'scratch/a.md': 'x' });
    expect((await run(fx)).findings).toEqual([]);
  });

  it('reports root files and directories that no entry allows (directories once)', async () => {
    const config = [
      'extends: autopack:recommended',
      'workspace-structure:',
      '  root-allowlist:',
      '    enabled: true',
      "    entries: ['README*', 'LICENSE', 'SECURITY.md', '.github/', 'src/', 'docs', '.gitignore']",
      '',
    ].join('\n');
    const fx = await repo(
      {
        'notes.txt': 'x',
        'scratch/a.md': 'x',
        'scratch/b.md': 'x',
        'docs/x.md': 'x',
        '.gitignore': 'x\n',
      },
      config,
    );
    const { findings } = await run(fx);
    expect(summary(findings)).toEqual(['root-allowlist notes.txt', 'root-allowlist scratch']);
    expect(findings.find((f) => f.path === 'scratch')?.properties?.files).toBe(2);
  });
});

describe('placement', () => {
  it('reports files that live outside their only-under directories', async () => {
    const config = [
      'extends: autopack:recommended',
      'workspace-structure:',
      '  placement:',
      '    migrations:',
      '      description: SQL migrations live in db/migrations',
      "      files: ['**/*.sql']",
      "      only-under: ['db/migrations/']",
      '',
    ].join('\n');
    const fx = await repo(
      { 'db/migrations/001_init.sql': 'x', 'db/migrations/sub/002.sql': 'x', 'src/hack.sql': 'x' },
      config,
    );
    const { findings } = await run(fx);
    expect(summary(findings)).toEqual(['placement src/hack.sql']);
    expect(findings[0]?.message).toBe(
      'src/hack.sql must live under db/migrations/: SQL migrations live in db/migrations [migrations]',
    );
  });
});

describe('max-file-size', () => {
  it('warns about a 6 MiB file under the default 5 MiB limit', async () => {
    const fx = await repo({
      'assets/big.bin': new Uint8Array(6 * 1024 * 1024).fill(7),
      'assets/small.bin': new Uint8Array(1000),
    });
    const { findings } = await run(fx);
    expect(findings.map((f) => [f.ruleId, f.path, f.severity])).toEqual([
      ['max-file-size', 'assets/big.bin', 'warning'],
    ]);
    expect(findings[0]?.message).toBe(
      'assets/big.bin is 6 MiB (6,291,456 bytes), over the 5 MiB limit',
    );
  });

  it('reports a 50 MB file, honours allow and a custom limit', async () => {
    const config = [
      'extends: autopack:recommended',
      'workspace-structure:',
      '  max-file-size:',
      '    limit: 1 KiB',
      "    allow: ['fixtures/']",
      '    severity: error',
      '',
    ].join('\n');
    const fx = await repo(
      {
        'media/video.bin': new Uint8Array(50 * 1000 * 1000),
        'fixtures/blob.bin': new Uint8Array(4096),
        'src/two-k.txt': 'x'.repeat(2048),
      },
      config,
    );
    const { findings } = await run(fx);
    expect(findings.map((f) => [f.ruleId, f.path, f.severity, f.properties?.size])).toEqual([
      ['max-file-size', 'media/video.bin', 'error', 50_000_000],
      ['max-file-size', 'src/two-k.txt', 'error', 2048],
    ]);
  });
});

describe('snapshot problems', () => {
  it('reports a symlink that leaves the tree (symlink-escape), not one that stays inside', async () => {
    const fx = await repo({});
    await fx.symlink('etc-passwd', '/etc/passwd');
    await fx.symlink('docs/up-and-out', '../../outside.txt');
    await fx.symlink('docs/readme-link', '../README.md');
    fx.commit('links');
    const { findings } = await run(fx);
    expect(summary(findings)).toEqual([
      'symlink-escape docs/up-and-out',
      'symlink-escape etc-passwd',
    ]);
    expect(findings.every((f) => f.severity === 'error')).toBe(true);
  });

  it('lets a symlink escape be allowed by path', async () => {
    const fx = await repo(
      {},
      "extends: autopack:recommended\nworkspace-structure:\n  symlink-escape:\n    allow: ['vendor/sdk']\n",
    );
    await fx.symlink('vendor/sdk', '/opt/sdk');
    fx.commit('sdk link');
    expect((await run(fx)).findings).toEqual([]);
  });

  it('reports a tracked file missing from the working tree (unreadable-file), never skips it', async () => {
    const fx = await repo({ 'src/gone.ts': 'x' });
    await fx.remove('src/gone.ts');
    const { findings } = await run(fx);
    expect(findings.map((f) => [f.ruleId, f.path, f.severity])).toEqual([
      ['unreadable-file', 'src/gone.ts', 'error'],
    ]);
    expect(findings[0]?.message).toContain('missing from the working tree');
  });

  // As root, permissions never deny a read, so this case cannot be built there.
  it.skipIf(process.getuid?.() === 0)(
    'reports an unlistable directory outside git (unreadable-file)',
    async () => {
      const fx = await dirFixture({ ...BASE, 'locked/a.txt': 'x' });
      fixtures.push(fx);
      await chmod(fx.abs('locked'), 0o000);
      try {
        const { findings } = await run(fx);
        expect(summary(findings)).toEqual(['unreadable-file locked']);
      } finally {
        await chmod(fx.abs('locked'), 0o755);
      }
    },
  );
});

describe('outside git and in reports', () => {
  it('walks a plain directory honouring .gitignore', async () => {
    const fx = await dirFixture({
      ...BASE,
      '.gitignore': 'node_modules/\n',
      'node_modules/a.js': 'x',
      'out.db': 'x',
    });
    fixtures.push(fx);
    expect(summary((await run(fx)).findings)).toEqual(['stray-database out.db']);
  });

  it('keeps fingerprints stable when unrelated files change, and writes SARIF rule ids', async () => {
    const fx = await repo({ 'package.json': '{}\n', 'dist/a.js': 'x', 'old.bak': 'x' });
    const first = await run(fx);
    await fx.write({ 'dist/b.js': 'y', 'src/more.ts': 'z' });
    fx.commit('more');
    const second = await run(fx);
    const fp = (r: typeof first) => r.findings.map((f) => `${f.path} ${f.fingerprint}`).sort();
    expect(fp(second)).toEqual(fp(first));
    expect(new Set(first.findings.map((f) => f.fingerprint)).size).toBe(2);
    const sarif = JSON.parse(formatSarif(second.report)) as {
      runs: Array<{
        tool: { driver: { rules: Array<{ id: string }> } };
        results: Array<{ ruleId: string }>;
      }>;
    };
    const ids = sarif.runs[0]!.tool.driver.rules.map((r) => r.id);
    for (const id of [
      'required-file',
      'forbidden-path',
      'stray-database',
      'root-allowlist',
      'placement',
      'max-file-size',
      'symlink-escape',
      'unreadable-file',
    ]) {
      expect(ids).toContain(`workspace-structure/${id}`);
    }
    expect(sarif.runs[0]!.results.map((r) => r.ruleId)).toEqual([
      'workspace-structure/forbidden-path',
      'workspace-structure/forbidden-path',
    ]);
  });
});
