/**
 * drift rule family 4: a named value (version, port, service name) extracted from JSON/YAML
 * key paths and regex captures must agree everywhere; findings name every place and the
 * source of truth.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../policies/errors.js';
import { gitFixture } from '../helpers/git-fixture.js';
import { cleanupFixtures, driftRepo, repoConfig, where } from './harness.js';

afterAll(cleanupFixtures);

const QUIET = `drift:
  portability: { enabled: false }
  links: { enabled: false }
  references: { enabled: false }
`;

const VERSION_RULE = `${QUIET}  consistency:
    rules:
      version:
        description: the release version
        sources:
          - file: package.json
            key: version
            source-of-truth: true
          - file: README.md
            regex: 'autopack@(\\d+\\.\\d+\\.\\d+)'
          - file: 'docs/**/*.md'
            regex: 'Version: (?P<value>[0-9.]+)'
`;

describe('consistency rules', () => {
  it('reports each place that disagrees with the source of truth, listing every place', async () => {
    const run = await driftRepo(
      {
        'package.json': '{\n  "name": "autopack",\n  "version": "0.5.1"\n}\n',
        'README.md': '# Autopack\n\nInstall `npm i autopack@0.1.0`.\n',
        'docs/install.md': '# Install\n\nVersion: 0.5.1\n',
        'docs/api/index.md': '# API\n\nVersion: 0.4.0\n',
      },
      VERSION_RULE,
    );
    const f = run.of('inconsistent-value');
    expect(where(f)).toEqual(['README.md:3:25', 'docs/api/index.md:3:10']);
    expect(f[0]!.message).toContain('"0.1.0" here but "0.5.1" in package.json:3 (source of truth)');
    expect(f[0]!.message).toContain('README.md:3 = "0.1.0"');
    expect(f[0]!.message).toContain('docs/install.md:3 = "0.5.1"');
    expect(f[0]!.help).toContain('0.5.1');
    const places = f[0]!.properties?.places as Array<{
      path: string;
      value: string;
      sourceOfTruth: boolean;
    }>;
    expect(places.map((p) => `${p.path}=${p.value}${p.sourceOfTruth ? '*' : ''}`)).toEqual([
      'package.json=0.5.1*',
      'README.md=0.1.0',
      'docs/api/index.md=0.4.0',
      'docs/install.md=0.5.1',
    ]);
  });

  it('is silent when every place agrees', async () => {
    const run = await driftRepo(
      {
        'package.json': '{ "version": "0.5.1" }\n',
        'README.md': 'autopack@0.5.1\n',
        'docs/install.md': 'Version: 0.5.1\n',
      },
      VERSION_RULE,
    );
    expect(run.of('inconsistent-value')).toEqual([]);
    expect(run.of('missing-value')).toEqual([]);
    expect(run.outcome.stats?.['consistency-places']).toBe(3);
  });

  it('compares ports from a YAML key path with a regex in docs; the majority wins without a source of truth', async () => {
    const run = await driftRepo(
      {
        'config/app.yaml': 'server:\n  host: 0.0.0.0\n  port: 8000\n',
        'README.md': 'Open http://localhost:8100/docs\n',
        'docs/run.md': 'The API listens on http://localhost:8000.\n',
      },
      `${QUIET}  consistency:
    rules:
      api-port:
        sources:
          - file: config/app.yaml
            key: server.port
          - file: README.md
            regex: 'localhost:(\\d+)'
          - file: docs/run.md
            regex: 'localhost:(\\d+)'
`,
    );
    const f = run.of('inconsistent-value');
    expect(f.map((x) => `${where([x])[0]}=${x.properties?.value}`)).toEqual([
      'README.md:1:23=8100',
    ]);
    expect(f[0]!.message).toContain('"8000" (the most common value; no source of truth declared)');
    expect(f[0]!.message).toContain('config/app.yaml:3 = "8000"');
  });

  it('reports a required source that yields nothing, and skips matches in legacy sections', async () => {
    const run = await driftRepo(
      {
        'package.json': '{ "version": "2.0.0" }\n',
        'README.md':
          '<!-- autopack:legacy -->\nautopack@1.0.0 was the old way\n<!-- /autopack:legacy -->\nautopack@2.0.0\n',
      },
      VERSION_RULE,
    );
    expect(run.of('inconsistent-value')).toEqual([]);
    const missing = run.of('missing-value');
    expect(missing).toHaveLength(1);
    expect(missing[0]!.message).toContain('docs/**/*.md');
  });

  it('reports a key path that holds a map, and an unparsable source file', async () => {
    const run = await driftRepo(
      { 'a.json': '{ "version": { "major": 1 } }\n', 'b.yaml': 'version: [1\n' },
      `${QUIET}  consistency:
    rules:
      v:
        sources:
          - { file: a.json, key: version }
          - { file: b.yaml, key: version }
`,
    );
    const msgs = run.of('invalid-source').map((f) => f.message);
    expect(msgs).toHaveLength(2);
    expect(msgs[0]).toContain('holds a map');
    expect(msgs[1]).toContain('not valid YAML');
  });

  it('two sources of truth, or a source with both key and regex, are config errors', async () => {
    const fx = await gitFixture({
      '.github/autopack.yml': `extends: autopack:recommended
drift:
  consistency:
    rules:
      v:
        sources:
          - { file: a.json, key: version, source-of-truth: true }
          - { file: b.json, key: version, source-of-truth: true }
          - { file: c.md, key: version, regex: 'v(\\d+)' }
`,
    });
    try {
      const err = (await repoConfig(fx.dir).catch((e: unknown) => e)) as ConfigError;
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.problems.map((p) => `${p.key}@${p.position?.line}`)).toEqual([
        'drift.consistency.rules.v.sources[1].source-of-truth@8',
        'drift.consistency.rules.v.sources[2]@9',
      ]);
    } finally {
      await fx.cleanup();
    }
  });
});
