/** The `sot` config section: schema errors and semantic errors name file, line and key (exit 2). */
import { afterEach, describe, expect, it } from 'vitest';
import { cli, fixtures, sotConfig } from './helpers.js';

const fx = fixtures();
afterEach(() => fx.cleanup());

describe('sot config validation', () => {
  it('accepts every documented form of sot.registry', async () => {
    for (const registry of [
      '[docs/A.md, { path: docs/L.md, kind: ledger, title: L, owner: "@me" }]',
      'config/sot.json',
      '{ file: config/sot.json, key: a.b }',
    ]) {
      const repo = await fx.repo({ '.github/autopack.yml': sotConfig(`registry: ${registry}`) });
      expect(await cli(['config', 'validate', repo.dir])).toMatchObject({ code: 0 });
    }
  });

  it('rejects a bad entry kind and an absolute path at their line', async () => {
    const repo = await fx.repo({
      '.github/autopack.yml': sotConfig(
        'registry:\n  - path: docs/A.md\n    kind: diary\n  - /etc/passwd',
      ),
    });
    const res = await cli(['config', 'validate', repo.dir]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(
      '.github/autopack.yml:8:13: sot.registry[0].kind: must be equal to one of the allowed values: document, ledger',
    );
    expect(res.stderr).toMatch(
      /\.github\/autopack\.yml:9:7: sot\.registry\[1\]: must match pattern/,
    );
  });

  it('rejects an unknown severity rule name and level', async () => {
    const repo = await fx.repo({
      '.github/autopack.yml': sotConfig('severity:\n  no-such-rule: off\n  append-only: loud'),
    });
    const res = await cli(['config', 'validate', repo.dir]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('sot.severity.no-such-rule: unknown key');
    expect(res.stderr).toContain(
      'sot.severity.append-only: must be equal to one of the allowed values: error, warning, notice, off',
    );
  });

  it('rejects globs that can never match a repository path (semantic validation)', async () => {
    const repo = await fx.repo({
      '.github/autopack.yml': sotConfig(
        "ledgers: ['/docs/*.md']\nrender:\n  files: ['./docs/**', '../x/*.md']",
      ),
    });
    const res = await cli(['config', 'validate', repo.dir]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(
      '.github/autopack.yml:6:13: sot.ledgers[0]: glob "/docs/*.md" can never match',
    );
    expect(res.stderr).toContain('sot.render.files[0]: glob "./docs/**" can never match');
    expect(res.stderr).toContain('sot.render.files[1]: glob "../x/*.md" can never match');
  });
});
