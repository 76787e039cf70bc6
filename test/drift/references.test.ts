/**
 * drift rule family 3: paths named by CODEOWNERS (GitHub's pattern semantics), by registries
 * (JSON/YAML key paths) and, opt-in, by code spans in documents must exist in the tree.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../policies/errors.js';
import { gitFixture } from '../helpers/git-fixture.js';
import { cleanupFixtures, driftRepo, repoConfig, where } from './harness.js';

afterAll(cleanupFixtures);

const QUIET = `drift:
  portability: { enabled: false }
  links: { enabled: false }
`;

describe('CODEOWNERS', () => {
  it('reports patterns that match no tracked file, with GitHub semantics for the rest', async () => {
    const run = await driftRepo(
      {
        '.github/CODEOWNERS': [
          '# Owners', // 1
          '*                      @org/all', // 2
          '*.js                   @org/js', // 3
          '/docs/                 @org/docs', // 4
          'docs/*.md              @org/docs', // 5
          'apps/                  @org/apps', // 6
          '/build/logs/           @org/ops', // 7
          '/docs/removed.md       @org/docs', // 8
          '**/fixtures/**         @org/qa', // 9
          '\\#notes.txt           @org/odd', // 10
          '/contributing/*.fr.md  @org/fr', // 11
          '!docs/private.md       @org/none', // 12
          '  *.py                 @org/py', // 13
          '',
        ].join('\n'),
        'src/app.js': '',
        'docs/guide.md': '# Guide\n',
        'packages/web/apps/main.ts': '',
        'test/fixtures/a.json': '{}',
        '#notes.txt': 'odd name\n',
        'contributing/style.de.md': '# Stil\n',
      },
      QUIET,
    );
    const f = run.of('missing-codeowners-path');
    expect(where(f)).toEqual([
      '.github/CODEOWNERS:7:1',
      '.github/CODEOWNERS:8:1',
      '.github/CODEOWNERS:11:1',
      '.github/CODEOWNERS:12:1',
      '.github/CODEOWNERS:13:3',
    ]);
    expect(f[3]!.message).toContain('negation');
    expect(f.map((x) => x.properties?.pattern)).toEqual([
      '/build/logs/',
      '/docs/removed.md',
      '/contributing/*.fr.md',
      '!docs/private.md',
      '*.py',
    ]);
  });
});

describe('registries', () => {
  it('checks the paths at a JSON key path, at the exact line of each missing entry', async () => {
    const run = await driftRepo(
      {
        'config/sot_registry.json': JSON.stringify(
          {
            version: 1,
            docs_sot_files: [
              'docs/INDEX.md',
              'docs/BUILD_HISTORY.md',
              'docs/ARCHITECTURE.md',
              'docs/adr/',
            ],
          },
          null,
          2,
        ),
        'docs/INDEX.md': '# Index\n',
        'docs/ARCHITECTURE.md': '# Architecture\n',
        'docs/adr/0001.md': '# ADR 1\n',
      },
      `${QUIET}  references:
    registries:
      sot:
        file: config/sot_registry.json
        key: docs_sot_files
`,
    );
    const f = run.of('missing-registry-path');
    expect(where(f)).toEqual(['config/sot_registry.json:5:5']);
    expect(f[0]!.properties?.value).toBe('docs/BUILD_HISTORY.md');
  });

  it('supports YAML, wildcards, globs and paths relative to the registry file', async () => {
    const run = await driftRepo(
      {
        'catalog/services.yaml': [
          'services:',
          '  api:',
          '    docs: api/README.md',
          '  web:',
          '    docs: web/README.md',
          '  jobs:',
          '    docs: jobs/*.md',
          '  legacy:',
          '    docs: 42',
          '',
        ].join('\n'),
        'catalog/api/README.md': '# API\n',
        'catalog/jobs/nightly.md': '# Nightly\n',
      },
      `${QUIET}  references:
    registries:
      services:
        file: catalog/services.yaml
        key: services.*.docs
        base: file
`,
    );
    expect(where(run.of('missing-registry-path'))).toEqual(['catalog/services.yaml:5:11']);
    expect(where(run.of('invalid-source'))).toEqual(['catalog/services.yaml:9:11']);
  });

  it('reports a missing registry file, an absent key and a malformed file as invalid sources', async () => {
    const run = await driftRepo(
      { 'config/a.json': '{"other": []}\n', 'config/b.json': '{"docs": [\n' },
      `${QUIET}  references:
    registries:
      gone: { file: config/none.json, key: docs }
      nokey: { file: config/a.json, key: docs }
      broken: { file: config/b.json, key: docs }
`,
    );
    const msgs = run.of('invalid-source').map((f) => f.message);
    expect(msgs).toHaveLength(3);
    expect(msgs.join('\n')).toMatch(/config\/none\.json is not tracked/);
    expect(msgs.join('\n')).toMatch(/key docs not found in config\/a\.json/);
    expect(msgs.join('\n')).toMatch(/not valid JSON/);
  });

  it('an unparsable key path is a config error at its line', async () => {
    const fx = await gitFixture({
      '.github/autopack.yml': `extends: autopack:recommended
drift:
  references:
    registries:
      sot: { file: config/x.json, key: 'docs..files' }
`,
    });
    try {
      const err = (await repoConfig(fx.dir).catch((e: unknown) => e)) as ConfigError;
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.problems[0]!.key).toBe('drift.references.registries.sot.key');
      expect(err.problems[0]!.position?.line).toBe(5);
    } finally {
      await fx.cleanup();
    }
  });
});

describe('code spans (opt-in)', () => {
  const files = {
    'docs/guide.md': [
      '# Guide',
      '',
      'Edit `src/app.ts`, then `src/old_app.ts` and `config/Settings.yaml`.',
      'Run `npm install`, `git status`, `--force`, `http://x.invalid/a.md`, `$HOME/x.md`, `@scope/pkg`.',
      'Version `1.2.3`, domain `example.com`, not ours `lodash/fp`, glob `docs/*.md`.',
      'Bare names: `package.json` exists, `missing.toml` does not; `./sibling.md` and `src/app.ts:12`.',
      '',
    ].join('\n'),
    'docs/sibling.md': '# Sibling\n',
    'src/app.ts': 'export {};\n',
    'config/settings.yaml': 'a: 1\n',
    'package.json': '{}\n',
  };

  it('is off by default', async () => {
    const run = await driftRepo(files, QUIET);
    expect(run.of('missing-doc-path')).toEqual([]);
  });

  it('when enabled, reports path-shaped spans that do not exist, and nothing else', async () => {
    const run = await driftRepo(
      files,
      `${QUIET}  references:
    code-spans:
      enabled: true
`,
    );
    const f = run.of('missing-doc-path');
    expect(f.map((x) => x.properties?.value)).toEqual(['src/old_app.ts', 'config/Settings.yaml']);
    expect(where(f)).toEqual(['docs/guide.md:3:25', 'docs/guide.md:3:46']);
    expect(f[1]!.help).toContain('config/settings.yaml');
    expect(f[0]!.severity).toBe('warning');
  });

  it('checks bare names and ./ paths only when asked (docs often name the reader’s own files)', async () => {
    const run = await driftRepo(
      {
        ...files,
        'docs/more.md': 'Also `./missing-sibling.md` and `../src/app.ts`.\n',
      },
      `${QUIET}  references:
    code-spans:
      enabled: true
      bare-names: true
      relative: true
      ignore: ['^src/old_']
`,
    );
    expect(run.of('missing-doc-path').map((x) => x.properties?.value)).toEqual([
      'config/Settings.yaml',
      'missing.toml',
      './missing-sibling.md',
    ]);
  });
});
