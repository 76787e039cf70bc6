/**
 * drift rule family 1: forbidden (legacy) patterns, with labelled legacy sections and files
 * exempt, RE2 regular expressions (linear time), and invalid patterns as config errors.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.js';
import { ConfigError } from '../../policies/errors.js';
import { cleanupFixtures, driftRepo, repoConfig, runDrift, where } from './harness.js';
import { gitFixture } from '../helpers/git-fixture.js';

afterAll(cleanupFixtures);

const CONFIG = `drift:
  forbidden-patterns:
    rules:
      compose-postgres:
        literal: docker-compose up -d postgres
        files: ['docs/**']
        message: the compose service is called db
        replacement: docker compose up -d db
      old-entrypoint:
        regex: 'uvicorn\\s+(src\\.)?autopack\\.api\\.server:app'
        files: ['docs/**', 'README.md']
`;

describe('forbidden patterns', () => {
  it('finds a legacy command with exact line and column, message and replacement', async () => {
    const run = await driftRepo(
      {
        'docs/PARALLEL_RUNS.md':
          '# Parallel runs\n\nStart the database:\n\n    docker-compose up -d postgres\n',
        'README.md': 'Run `docker-compose up -d postgres` (README is outside docs/**).\n',
      },
      CONFIG,
    );
    const f = run.of('forbidden-pattern');
    expect(where(f)).toEqual(['docs/PARALLEL_RUNS.md:5:5']);
    expect(f[0]!.endColumn).toBe(5 + 'docker-compose up -d postgres'.length);
    expect(f[0]!.message).toContain('compose-postgres');
    expect(f[0]!.message).toContain('the compose service is called db');
    expect(f[0]!.help).toContain('docker compose up -d db');
    expect(f[0]!.severity).toBe('error');
  });

  it('matches a regular expression (RE2 syntax) and reports the matched text', async () => {
    const run = await driftRepo(
      { 'README.md': 'Start it:\n\n```sh\nuvicorn src.autopack.api.server:app --port 8000\n```\n' },
      CONFIG,
    );
    const f = run.of('forbidden-pattern');
    expect(where(f)).toEqual(['README.md:4:1']);
    expect(f[0]!.properties?.match).toBe('uvicorn src.autopack.api.server:app');
  });

  it('exempts a section labelled legacy, and only that section', async () => {
    const run = await driftRepo(
      {
        'docs/BUILD_HISTORY.md': [
          '# History',
          '<!-- autopack:legacy -->',
          'Back then: docker-compose up -d postgres',
          '<!-- /autopack:legacy -->',
          'Today: docker-compose up -d postgres',
          '',
        ].join('\n'),
      },
      CONFIG,
    );
    expect(where(run.of('forbidden-pattern'))).toEqual(['docs/BUILD_HISTORY.md:5:8']);
    expect(run.outcome.stats?.['forbidden-exempt']).toBe(1);
  });

  it('exempts a whole file with the legacy-file banner near the top, not one buried lower', async () => {
    const body = 'docker-compose up -d postgres\n';
    const run = await driftRepo(
      {
        'docs/archive/old.md': `<!-- autopack:legacy-file -->\n# Old guide\n\n${body}`,
        'docs/late-banner.md': `${'filler\n'.repeat(30)}<!-- autopack:legacy-file -->\n${body}`,
      },
      CONFIG,
    );
    expect(where(run.of('forbidden-pattern'))).toEqual(['docs/late-banner.md:32:1']);
  });

  it('reports an unclosed legacy marker and does not exempt what follows it (fail closed)', async () => {
    const run = await driftRepo(
      { 'docs/a.md': '<!-- autopack:legacy -->\ndocker-compose up -d postgres\n' },
      CONFIG,
    );
    expect(where(run.of('forbidden-pattern'))).toEqual(['docs/a.md:2:1']);
    expect(where(run.of('unclosed-marker'))).toEqual(['docs/a.md:1:6']);
  });

  it('keeps the fingerprint when lines shift, and tells repeated matches apart', async () => {
    const fx = await gitFixture({
      '.github/autopack.yml': `extends: autopack:recommended\n${CONFIG}`,
      'docs/a.md': 'docker-compose up -d postgres\nand again: docker-compose up -d postgres\n',
    });
    try {
      const before = (await runDrift(fx)).of('forbidden-pattern');
      await fx.write(
        'docs/a.md',
        '# New title\n\nintro\n\ndocker-compose up -d postgres\nand again: docker-compose up -d postgres\n',
      );
      fx.commit('shift');
      const after = (await runDrift(fx)).of('forbidden-pattern');
      expect(before.map((f) => f.line)).toEqual([1, 2]);
      expect(after.map((f) => f.line)).toEqual([5, 6]);
      expect(after.map((f) => f.fingerprint)).toEqual(before.map((f) => f.fingerprint));
      expect(new Set(after.map((f) => f.fingerprint)).size).toBe(2);
    } finally {
      await fx.cleanup();
    }
  });

  it('runs a catastrophic-backtracking pattern like (a+)+$ on a long input to completion', async () => {
    const long = `${'a'.repeat(200_000)}b\n`;
    const run = await driftRepo(
      { 'docs/long.md': long, 'docs/match.md': 'aaaa\n' },
      `drift:
  forbidden-patterns:
    rules:
      redos:
        regex: '(a+)+$'
        files: ['docs/**']
`,
    );
    // A backtracking engine would not return on docs/long.md; RE2 answers in linear time.
    expect(where(run.of('forbidden-pattern'))).toEqual(['docs/match.md:1:1']);
  });
});

describe('forbidden pattern config errors', () => {
  const bad = `extends: autopack:recommended
drift:
  forbidden-patterns:
    rules:
      broken:
        regex: 'docker-compose (up'
`;

  it('an invalid regular expression is a ConfigError naming file, line and key', async () => {
    const fx = await gitFixture({ '.github/autopack.yml': bad, 'README.md': '# x\n' });
    try {
      const err = await repoConfig(fx.dir).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ConfigError);
      const p = (err as ConfigError).problems;
      expect(p).toHaveLength(1);
      expect(p[0]!.key).toBe('drift.forbidden-patterns.rules.broken.regex');
      expect(p[0]!.position).toEqual({ file: '.github/autopack.yml', line: 6, column: 16 });
      expect(p[0]!.message).toContain('missing closing )');
    } finally {
      await fx.cleanup();
    }
  });

  it('`autopack config validate` exits 2 and prints file:line:column and the key', async () => {
    const fx = await gitFixture({ '.github/autopack.yml': bad, 'README.md': '# x\n' });
    try {
      let out = '';
      let err = '';
      const code = await main(['config', 'validate', fx.dir], {
        stdout: { write: (s: string) => (out += s) },
        stderr: { write: (s: string) => (err += s) },
        env: {},
      });
      expect(code).toBe(2);
      expect(err).toContain(
        '.github/autopack.yml:6:16: drift.forbidden-patterns.rules.broken.regex:',
      );
      expect(out).toBe('');
    } finally {
      await fx.cleanup();
    }
  });

  it('refuses a pattern that matches the empty string, and one with both literal and regex', async () => {
    const fx = await gitFixture({
      '.github/autopack.yml': `extends: autopack:recommended
drift:
  forbidden-patterns:
    rules:
      everything:
        regex: 'x*'
      both:
        literal: a
        regex: b
`,
    });
    try {
      const err = (await repoConfig(fx.dir).catch((e: unknown) => e)) as ConfigError;
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.problems.map((p) => `${p.key}@${p.position?.line}`)).toEqual([
        'drift.forbidden-patterns.rules.everything.regex@6',
        'drift.forbidden-patterns.rules.both.regex@9',
      ]);
      expect(err.problems[0]!.message).toContain('matches the empty string');
    } finally {
      await fx.cleanup();
    }
  });
});
