/**
 * workspace-structure configuration: the schema (ajv, per layer) and the check's semantic
 * validation (merged section) reject bad input with the file, line and key; patterns follow the
 * documented semantics.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../policies/errors.js';
import {
  PathMatcher,
  longestLiteral,
  parsePattern,
  patternProblem,
} from '../../checks/workspace-structure/glob.js';
import { formatSize, parseSize } from '../../checks/workspace-structure/size.js';
import { gitFixture, type Fixture } from '../helpers/git-fixture.js';
import { configOf } from './harness.js';

const fixtures: Fixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.cleanup()));
});

/** The ConfigError message for a config text, or '' when it is valid. */
async function configErrors(text: string): Promise<string> {
  const fx = await gitFixture({ '.github/autopack.yml': text });
  fixtures.push(fx);
  try {
    await configOf(fx.dir);
    return '';
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
}

const head = 'extends: autopack:recommended\nworkspace-structure:\n';

describe('config errors name file, line and key', () => {
  it('rejects an unknown key inside an entry', async () => {
    const msg = await configErrors(
      `${head}  forbidden-paths:\n    build-output:\n      allowed: [dist/]\n`,
    );
    expect(msg).toBe(
      '.github/autopack.yml:5:7: workspace-structure.forbidden-paths.build-output.allowed: unknown key "allowed" (allowed: enabled, description, patterns, allow, skip-test-fixtures, next-to, severity, case-sensitive, help)',
    );
  });

  it('rejects a negated pattern and a pattern leaving the repository', async () => {
    const msg = await configErrors(
      `${head}  forbidden-paths:\n    mine:\n      patterns: ['!keep.me', '../outside/**']\n`,
    );
    expect(msg).toContain(
      '.github/autopack.yml:5:18: workspace-structure.forbidden-paths.mine.patterns[0]: pattern "!keep.me": negation is not supported',
    );
    expect(msg).toContain(
      'workspace-structure.forbidden-paths.mine.patterns[1]: pattern "../outside/**" leaves the repository',
    );
  });

  it('rejects a size that does not parse, and an unknown severity', async () => {
    const msg = await configErrors(
      `${head}  max-file-size:\n    limit: 5 parsecs\n    severity: fatal\n`,
    );
    expect(msg).toContain('.github/autopack.yml:4:12: workspace-structure.max-file-size.limit:');
    expect(msg).toContain(
      'workspace-structure.max-file-size.severity: must be equal to one of the allowed values: error, warning, notice',
    );
  });

  it('rejects an enabled root allowlist without entries, and a nested entry', async () => {
    expect(await configErrors(`${head}  root-allowlist:\n    enabled: true\n`)).toContain(
      'workspace-structure.root-allowlist: root-allowlist is enabled but lists no entries',
    );
    expect(
      await configErrors(`${head}  root-allowlist:\n    enabled: true\n    entries: [docs/api/]\n`),
    ).toContain(
      '.github/autopack.yml:5:15: workspace-structure.root-allowlist.entries[0]: entry "docs/api/" must name a root entry',
    );
  });

  it('rejects a new entry without patterns, and a placement entry without only-under', async () => {
    const msg = await configErrors(
      `${head}  forbidden-paths:\n    logs:\n      severity: warning\n  placement:\n    sql:\n      files: ['**/*.sql']\n`,
    );
    expect(msg).toContain(
      'workspace-structure.forbidden-paths.logs: an enabled entry needs at least one pattern',
    );
    expect(msg).toContain(
      'workspace-structure.placement.sql: a placement entry needs both "files" and "only-under"',
    );
  });

  it('rejects a next-to entry that is not a plain file name', async () => {
    const msg = await configErrors(
      `${head}  forbidden-paths:\n    build-output:\n      next-to: ['*.csproj']\n`,
    );
    expect(msg).toContain(
      '.github/autopack.yml:5:17: workspace-structure.forbidden-paths.build-output.next-to[0]: "*.csproj" must be a plain file name',
    );
  });

  it('accepts the preset, and an override of one entry that keeps the preset patterns', async () => {
    expect(await configErrors('extends: autopack:recommended\n')).toBe('');
    expect(
      await configErrors(`${head}  forbidden-paths:\n    build-output:\n      allow: [dist/]\n`),
    ).toBe('');
  });
});

describe('pattern semantics', () => {
  it('splits directory patterns (trailing / or /**) from file patterns and drops a leading /', () => {
    expect(parsePattern('**/node_modules/')).toEqual({
      source: '**/node_modules/',
      glob: '**/node_modules',
      dir: true,
    });
    expect(parsePattern('/dist/**')).toEqual({ source: '/dist/**', glob: 'dist', dir: true });
    expect(parsePattern('./*.db')).toEqual({ source: './*.db', glob: '*.db', dir: false });
    expect(patternProblem('/')).toMatch(/empty/);
    expect(patternProblem('docs\\a.md')).toMatch(/backslash/);
    expect(patternProblem('**/*.{yml,yaml}')).toBeUndefined();
  });

  it('anchors at the root: *.db is the root only, **/*.db any depth', () => {
    const root = new PathMatcher(['*.db']);
    const any = new PathMatcher(['**/*.db']);
    expect([root.covers('a.db'), root.covers('x/a.db')]).toEqual([true, false]);
    expect([any.covers('a.db'), any.covers('x/y/a.db'), any.covers('x/a.dbx')]).toEqual([
      true,
      true,
      false,
    ]);
  });

  it('reports the outermost matched directory and honours case sensitivity', () => {
    const m = new PathMatcher(['**/node_modules/']);
    expect(m.match('a/node_modules/b/node_modules/c.js')).toEqual({ dir: 'a/node_modules' });
    expect(m.match('node_modules_backup/c.js')).toBeUndefined();
    const ci = new PathMatcher(['**/*.bak'], { caseSensitive: false });
    expect([ci.covers('X.BAK'), new PathMatcher(['**/*.bak']).covers('X.BAK')]).toEqual([
      true,
      false,
    ]);
  });

  it('matches dot files and braces', () => {
    const m = new PathMatcher(['**/.env', '.github/workflows/*.{yml,yaml}']);
    expect(
      ['.env', 'a/.env', '.github/workflows/a.yaml', '.github/workflows/x/a.yml'].map((p) =>
        m.covers(p),
      ),
    ).toEqual([true, true, true, false]);
  });

  it('guards with the longest literal run, skipping classes and escapes', () => {
    expect(longestLiteral('*.bak[!a-z]*', true)).toBe('.bak');
    expect(longestLiteral('LICENSE*', false)).toBe('license');
    expect(longestLiteral('a\\*bc*', true)).toBe('a*bc');
    expect(longestLiteral('+(a|b)', true)).toBe('');
  });
});

describe('sizes', () => {
  it('parses bytes and binary and decimal units, and refuses nonsense', () => {
    expect([parseSize(1024), parseSize('5 MiB'), parseSize('500KB'), parseSize('1.5 gb')]).toEqual([
      1024,
      5 * 1024 * 1024,
      500_000,
      1_500_000_000,
    ]);
    expect(() => parseSize('five')).toThrow(RangeError);
    expect(() => parseSize(0)).toThrow(RangeError);
    expect([formatSize(512), formatSize(6 * 1024 * 1024), formatSize(50_000_000)]).toEqual([
      '512 B',
      '6 MiB',
      '47.7 MiB',
    ]);
  });
});
