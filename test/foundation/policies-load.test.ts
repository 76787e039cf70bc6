/**
 * policies/load.ts: `.github/autopack.yml` parsed with source positions, validated against
 * schemas/config.schema.json, `extends` resolved (presets and repository files) and merged.
 * Every error names the file, the line and column, and the key.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readAsset } from '../../policies/assets.js';
import { ConfigError, formatProblem, keyPathString } from '../../policies/errors.js';
import { deepMerge, parseLayer, resolveConfig } from '../../policies/load.js';

/** A repository of config files, read the way the shells read them. */
function repoReader(files: Record<string, string>) {
  const reads: string[] = [];
  const readFile = async (p: string) => {
    reads.push(p);
    return files[p];
  };
  return { readFile, reads };
}

/** Resolves and returns the ConfigError, failing the test when resolution succeeds. */
async function configError(
  files: Record<string, string>,
  configPath?: string,
): Promise<ConfigError> {
  try {
    await resolveConfig({ ...repoReader(files), configPath });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

const RECOMMENDED = parse(readAsset('policies/recommended.yml')) as Record<string, unknown>;

describe('no config file', () => {
  it('gets autopack:recommended, exactly', async () => {
    const { readFile, reads } = repoReader({});
    const cfg = await resolveConfig({ readFile });
    expect(cfg.layers).toEqual(['autopack:recommended']);
    expect(cfg.values).toEqual(RECOMMENDED);
    expect(reads).toEqual(['.github/autopack.yml']);
  });

  it('the preset itself validates against the schema', () => {
    expect(() =>
      parseLayer('autopack:recommended', readAsset('policies/recommended.yml')),
    ).not.toThrow();
  });
});

describe('unknown keys are errors with file, line, column and key', () => {
  it('at the top level', async () => {
    const err = await configError({
      '.github/autopack.yml':
        'extends: autopack:recommended\n\nworkspace-structur:\n  enabled: true\n',
    });
    expect(err.problems).toHaveLength(1);
    const [p] = err.problems;
    expect(p?.position).toEqual({ file: '.github/autopack.yml', line: 3, column: 1 });
    expect(p?.key).toBe('workspace-structur');
    expect(p?.message).toMatch(
      /^unknown key "workspace-structur" \(allowed: .*workspace-structure/,
    );
    expect(err.message).toMatch(/^\.github\/autopack\.yml:3:1: workspace-structur: unknown key/);
  });

  it('nested, pointing at the key itself', async () => {
    const err = await configError({
      '.github/autopack.yml': 'limits:\n  max-read-bytes: 4096\n  max-read-byte: 10\n',
    });
    expect(err.problems).toEqual([
      {
        position: { file: '.github/autopack.yml', line: 3, column: 3 },
        key: 'limits.max-read-byte',
        message: 'unknown key "max-read-byte" (allowed: max-read-bytes)',
      },
    ]);
  });

  it('every unknown key is reported, not only the first', async () => {
    const err = await configError({ '.github/autopack.yml': 'foo: 1\nbar: 2\n' });
    expect(err.problems.map((p) => [p.key, p.position?.line])).toEqual([
      ['foo', 1],
      ['bar', 2],
    ]);
  });
});

describe('schema violations', () => {
  it('a wrong type names the key and where its value is', async () => {
    const err = await configError({ '.github/autopack.yml': 'limits:\n  max-read-bytes: lots\n' });
    expect(err.problems).toEqual([
      {
        position: { file: '.github/autopack.yml', line: 2, column: 19 },
        key: 'limits.max-read-bytes',
        message: 'must be integer',
      },
    ]);
  });

  it('a value out of range', async () => {
    const err = await configError({ '.github/autopack.yml': 'limits:\n  max-read-bytes: 10\n' });
    expect(formatProblem(err.problems[0]!)).toBe(
      '.github/autopack.yml:2:19: limits.max-read-bytes: must be >= 1024',
    );
  });

  it('a config that is not a mapping', async () => {
    const err = await configError({ '.github/autopack.yml': '- just\n- a list\n' });
    expect(err.problems[0]).toMatchObject({
      position: { file: '.github/autopack.yml', line: 1, column: 1 },
      message: 'the config must be a YAML mapping',
    });
  });

  it('an empty file is an empty mapping (valid, nothing enabled beyond defaults)', async () => {
    const cfg = await resolveConfig({
      ...repoReader({ '.github/autopack.yml': '# nothing yet\n' }),
    });
    expect(cfg.values).toEqual({});
    expect(cfg.layers).toEqual(['.github/autopack.yml']);
  });
});

describe('malformed YAML', () => {
  it('an unclosed flow sequence names file, line and column', async () => {
    const err = await configError({ '.github/autopack.yml': 'limits:\n  max-read-bytes: [1, 2\n' });
    expect(err.problems.length).toBeGreaterThan(0);
    expect(err.problems[0]?.position?.file).toBe('.github/autopack.yml');
    expect(err.problems[0]?.position?.line).toBeGreaterThanOrEqual(2);
    expect(err.message).toMatch(/^\.github\/autopack\.yml:\d+:\d+: /);
  });

  it('a duplicated key is an error, not a silent override', async () => {
    const err = await configError({ '.github/autopack.yml': 'limits: {}\nlimits: {}\n' });
    expect(err.problems[0]?.position).toMatchObject({ file: '.github/autopack.yml', line: 2 });
    expect(err.problems[0]?.message).toMatch(/unique/i);
  });

  it('a tab-indented block is an error', async () => {
    const err = await configError({ '.github/autopack.yml': 'limits:\n\tmax-read-bytes: 4096\n' });
    expect(err.problems[0]?.position?.line).toBe(2);
  });

  it('a YAML alias bomb is refused, not expanded', async () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]',
    ].join('\n');
    await expect(resolveConfig(repoReader({ '.github/autopack.yml': bomb }))).rejects.toThrow();
  });
});

describe('extends', () => {
  it('chains a repository file over the preset, this file last; maps merge, lists replace', async () => {
    const { readFile, reads } = repoReader({
      '.github/autopack.yml':
        'extends: .github/autopack-base.yml\nlimits:\n  max-read-bytes: 8192\n',
      '.github/autopack-base.yml':
        'extends: autopack:recommended\nlimits:\n  max-read-bytes: 4096\ndrift:\n  enabled: false\n',
    });
    const cfg = await resolveConfig({ readFile });
    expect(cfg.layers).toEqual([
      'autopack:recommended',
      '.github/autopack-base.yml',
      '.github/autopack.yml',
    ]);
    expect(cfg.values.limits).toEqual({ 'max-read-bytes': 8192 });
    expect(cfg.values.drift).toEqual({ ...(RECOMMENDED.drift as object), enabled: false });
    expect(cfg.values).not.toHaveProperty('extends');
    expect(reads).toEqual(['.github/autopack.yml', '.github/autopack-base.yml']);
    // locate() finds the layer that set a key, last layer first.
    expect(cfg.locate(['limits', 'max-read-bytes'])).toEqual({
      file: '.github/autopack.yml',
      line: 3,
      column: 19,
    });
    expect(cfg.locate(['drift', 'enabled'])).toEqual({
      file: '.github/autopack-base.yml',
      line: 5,
      column: 12,
    });
    expect(cfg.locate(['sot', 'enabled'])).toMatchObject({ file: 'autopack:recommended' });
    expect(cfg.locate(['no', 'such', 'key'])).toBeUndefined();
  });

  it('accepts ./-relative paths and a list applied left to right', async () => {
    const cfg = await resolveConfig(
      repoReader({
        '.github/autopack.yml': 'extends: [autopack:recommended, ./policy/a.yml, policy/b.yml]\n',
        'policy/a.yml': 'limits:\n  max-read-bytes: 2048\n',
        'policy/b.yml': 'limits:\n  max-read-bytes: 3072\n',
      }),
    );
    expect(cfg.layers).toEqual([
      'autopack:recommended',
      './policy/a.yml',
      'policy/b.yml',
      '.github/autopack.yml',
    ]);
    expect(cfg.values.limits).toEqual({ 'max-read-bytes': 3072 });
  });

  it('a cycle is an error that shows the chain and where the extends is', async () => {
    const err = await configError({
      '.github/autopack.yml': 'extends: a.yml\n',
      'a.yml': 'extends: b.yml\n',
      'b.yml': 'limits: {}\nextends: a.yml\n',
    });
    expect(err.problems).toEqual([
      {
        position: { file: 'b.yml', line: 2, column: 10 },
        key: 'extends',
        message: 'cyclic extends: .github/autopack.yml -> a.yml -> b.yml -> a.yml',
      },
    ]);
  });

  it('a cycle back to the config through a ./ spelling is still a cycle', async () => {
    const err = await configError({
      '.github/autopack.yml': 'extends: ./.github/autopack.yml\n',
    });
    expect(err.problems[0]?.message).toMatch(/^cyclic extends/);
  });

  it('a missing extends file names the file and the line that asked for it', async () => {
    const err = await configError({
      '.github/autopack.yml': 'limits: {}\nextends: policy/gone.yml\n',
    });
    expect(err.problems).toEqual([
      {
        position: { file: '.github/autopack.yml', line: 2, column: 10 },
        key: 'extends',
        message: 'extends file policy/gone.yml does not exist',
      },
    ]);
  });

  it('an unknown preset lists the known ones', async () => {
    const err = await configError({ '.github/autopack.yml': 'extends: autopack:strict\n' });
    expect(err.problems[0]).toMatchObject({
      position: { file: '.github/autopack.yml', line: 1, column: 10 },
      key: 'extends',
      message: 'unknown preset autopack:strict (known: autopack:recommended)',
    });
  });

  it.each([['../outside.yml'], ['/etc/autopack.yml'], ['policy/../../outside.yml']])(
    'a path that leaves the repository (%s) is refused without reading it',
    async (ref) => {
      const { readFile, reads } = repoReader({ '.github/autopack.yml': `extends: ${ref}\n` });
      await expect(resolveConfig({ readFile })).rejects.toThrow(/must stay inside the repository/);
      expect(reads).toEqual(['.github/autopack.yml']);
    },
  );

  it('an invalid parent is reported against the parent file', async () => {
    const err = await configError({
      '.github/autopack.yml': 'extends: policy/base.yml\n',
      'policy/base.yml': 'limits:\n  nope: 1\n',
    });
    expect(err.problems[0]).toMatchObject({
      position: { file: 'policy/base.yml', line: 2, column: 3 },
      key: 'limits.nope',
    });
  });

  it('a chain deeper than 8 files is an error, not a hang', async () => {
    const files: Record<string, string> = { '.github/autopack.yml': 'extends: p0.yml\n' };
    for (let i = 0; i < 12; i++) files[`p${i}.yml`] = `extends: p${i + 1}.yml\n`;
    files['p12.yml'] = 'limits: {}\n';
    const err = await configError(files);
    expect(err.problems[0]?.message).toMatch(/deeper than 8/);
  });
});

describe('--config FILE text and path', () => {
  it('uses the given text and names the given path in errors', async () => {
    try {
      await resolveConfig({
        readFile: async () => undefined,
        configPath: 'ci/autopack.yml',
        configText: 'bogus: 1\n',
      });
      expect.unreachable();
    } catch (e) {
      expect((e as ConfigError).message).toBe(
        'ci/autopack.yml:1:1: bogus: unknown key "bogus" (allowed: extends, limits, check-runs, workspace-structure, drift, sot, actions-pinning, governance, security-baseline)',
      );
    }
  });
});

describe('helpers', () => {
  it('deepMerge merges maps and replaces lists and scalars', () => {
    expect(deepMerge({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] }, e: 2 })).toEqual({
      a: { b: 1, c: [3] },
      d: 1,
      e: 2,
    });
    expect(deepMerge({ a: 1 }, undefined)).toEqual({ a: 1 });
  });

  it('keyPathString renders a.b[0].c', () => {
    expect(keyPathString(['drift', 'patterns', 0, 'regex'])).toBe('drift.patterns[0].regex');
    expect(keyPathString([])).toBe('');
  });
});
