/**
 * Rules append-only and ledger-deleted on real git repositories: a base branch `main` and a
 * feature branch evaluated with `--base main`, as a pull request would be.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Fixture } from '../helpers/git-fixture.js';
import { byRule, cli, fixtures, runSotOn, sotConfig, type Files } from './helpers.js';

const fx = fixtures();
afterEach(() => fx.cleanup());

const LEDGER = '# Decisions\n\n- DEC-001: use git\n- DEC-002: keep a ledger\n';
const BASE: Files = {
  '.github/autopack.yml': sotConfig(`
registry:
  - docs/ARCHITECTURE.md
  - path: docs/DECISIONS.md
    kind: ledger
ledgers: ['docs/adr/*.md']`),
  'docs/ARCHITECTURE.md': '# Architecture\n',
  'docs/DECISIONS.md': LEDGER,
  'docs/adr/0001.md': '# ADR 1\n\nAccepted.\n',
};

/** A repository at `base` on main, then a feature branch with `change` committed. */
async function pr(change: (repo: Fixture) => Promise<void>, base: Files = BASE): Promise<Fixture> {
  const repo = await fx.repo(base);
  repo.git('checkout', '-q', '-b', 'feature');
  await change(repo);
  repo.commit('feature change');
  return repo;
}

describe('append-only: legitimate changes', () => {
  it('accepts lines appended at the end of a ledger', async () => {
    const repo = await pr((r) => r.write('docs/DECISIONS.md', `${LEDGER}- DEC-003: append only\n`));
    const out = await runSotOn(repo.dir, { base: 'main' });
    expect(out.findings).toEqual([]);
    expect(out.stats).toMatchObject({ ledgersChanged: 1, ledgersAppended: 1 });
    expect(out.summary).toContain('1 changed since `main`, 1 only appended to');
  });

  it('accepts a ledger with no trailing newline at the base that is appended to', async () => {
    const base = { ...BASE, 'docs/DECISIONS.md': LEDGER.trimEnd() };
    const repo = await pr((r) => r.write('docs/DECISIONS.md', `${LEDGER}- DEC-003: more\n`), base);
    expect((await runSotOn(repo.dir, { base: 'main' })).findings).toEqual([]);
  });

  it('accepts a new ledger added by the change', async () => {
    const repo = await pr((r) => r.write('docs/adr/0002.md', '# ADR 2\n'));
    expect((await runSotOn(repo.dir, { base: 'main' })).findings).toEqual([]);
  });

  it('accepts any edit to a document that is not a ledger', async () => {
    const repo = await pr((r) => r.write('docs/ARCHITECTURE.md', '# Architecture, rewritten\n'));
    expect((await runSotOn(repo.dir, { base: 'main' })).findings).toEqual([]);
  });
});

describe('append-only: violations', () => {
  it('names the modified line: base line number and content, head location', async () => {
    const repo = await pr((r) =>
      r.write(
        'docs/DECISIONS.md',
        LEDGER.replace('DEC-001: use git', 'DEC-001: use svn') + '- DEC-003\n',
      ),
    );
    const out = await runSotOn(repo.dir, { base: 'main' });
    expect(byRule(out, 'append-only')).toMatchObject([
      {
        path: 'docs/DECISIONS.md',
        line: 3,
        severity: 'error',
        message:
          'append-only ledger: line 3 of docs/DECISIONS.md (as on main) was modified; it was "- DEC-001: use git", it is now "- DEC-001: use svn"',
        properties: { baseLine: 3, kind: 'modified' },
      },
    ]);
    expect(byRule(out, 'append-only')[0]!.help).toMatch(
      /add the new content as new lines at its end/,
    );
  });

  it('names a deleted line', async () => {
    const repo = await pr((r) =>
      r.write('docs/DECISIONS.md', LEDGER.replace('- DEC-001: use git\n', '')),
    );
    const [finding] = byRule(await runSotOn(repo.dir, { base: 'main' }), 'append-only');
    expect(finding?.message).toBe(
      'append-only ledger: line 3 of docs/DECISIONS.md (as on main) was deleted; it was "- DEC-001: use git"',
    );
  });

  it('names lines inserted above existing entries', async () => {
    const repo = await pr((r) =>
      r.write('docs/DECISIONS.md', LEDGER.replace('- DEC-001', '- DEC-000: first\n- DEC-001')),
    );
    const [finding] = byRule(await runSotOn(repo.dir, { base: 'main' }), 'append-only');
    expect(finding?.message).toMatch(/a new line was inserted above line 3 of docs\/DECISIONS.md/);
  });

  it('redacts a secret in the quoted line', async () => {
    const token = `ghp_${'a1B2c3D4e5'.repeat(4)}`;
    const base = { ...BASE, 'docs/DECISIONS.md': `${LEDGER}- DEC-003: rotate ${token}\n` };
    const repo = await pr(
      (r) => r.write('docs/DECISIONS.md', `${LEDGER}- DEC-003: rotated\n`),
      base,
    );
    const [finding] = byRule(await runSotOn(repo.dir, { base: 'main' }), 'append-only');
    expect(finding?.message).toContain('[REDACTED]');
    expect(finding?.message).not.toContain(token);
  });

  it('checks ledgers matched by sot.ledgers globs', async () => {
    const repo = await pr((r) => r.write('docs/adr/0001.md', '# ADR 1\n\nSuperseded.\n'));
    expect(byRule(await runSotOn(repo.dir, { base: 'main' }), 'append-only')).toMatchObject([
      { path: 'docs/adr/0001.md', line: 3, message: expect.stringContaining('it was "Accepted."') },
    ]);
  });

  it('still checks a ledger that the same change unmarks in a registry file (the base registry counts)', async () => {
    const base: Files = {
      '.github/autopack.yml': sotConfig('registry: config/sot.yml'),
      'config/sot.yml': '- path: docs/DECISIONS.md\n  kind: ledger\n',
      'docs/DECISIONS.md': LEDGER,
    };
    const repo = await pr(async (r) => {
      await r.write('config/sot.yml', '- path: docs/DECISIONS.md\n  kind: document\n');
      await r.write('docs/DECISIONS.md', '# Decisions\n\nall gone\n');
    }, base);
    expect(byRule(await runSotOn(repo.dir, { base: 'main' }), 'append-only')).toHaveLength(1);
  });
});

describe('append-only: content that cannot be compared fails closed', () => {
  it('reports a ledger that became binary', async () => {
    const repo = await pr((r) =>
      r.write('docs/DECISIONS.md', Buffer.from(`${LEDGER}\u0000binary\n`)),
    );
    expect(byRule(await runSotOn(repo.dir, { base: 'main' }), 'append-only')).toMatchObject([
      {
        path: 'docs/DECISIONS.md',
        message:
          'append-only ledger docs/DECISIONS.md cannot be verified: its head version is binary, not text',
      },
    ]);
  });

  it('reports a ledger larger than limits.max-read-bytes', async () => {
    const big = `${LEDGER}${'- DEC-xxx: padding entry\n'.repeat(100)}`;
    const base = {
      ...BASE,
      'docs/DECISIONS.md': big,
      '.github/autopack.yml': `limits:\n  max-read-bytes: 1024\n${BASE['.github/autopack.yml'] as string}`,
    };
    const repo = await pr((r) => r.write('docs/DECISIONS.md', `${big}- DEC-new\n`), base);
    const [finding] = byRule(await runSotOn(repo.dir, { base: 'main' }), 'append-only');
    expect(finding?.message).toMatch(
      /cannot be verified: its base version is too large to read \(\d+ bytes, limit 1024\)/,
    );
  });
});

describe('ledger-deleted', () => {
  it('fires when the change deletes a ledger', async () => {
    const repo = await pr((r) => r.remove('docs/DECISIONS.md'));
    const out = await runSotOn(repo.dir, { base: 'main' });
    expect(byRule(out, 'ledger-deleted')).toMatchObject([
      {
        path: 'docs/DECISIONS.md',
        message: 'the append-only ledger docs/DECISIONS.md is deleted by this change',
      },
    ]);
    // The registry still lists it, so missing-document fires too.
    expect(byRule(out, 'missing-document')).toHaveLength(1);
  });

  it('fires when a ledger is moved to a path that is not a ledger', async () => {
    const repo = await pr(async (r) => {
      r.git('mv', 'docs/DECISIONS.md', 'docs/old-decisions.md');
    });
    expect(byRule(await runSotOn(repo.dir, { base: 'main' }), 'ledger-deleted')).toMatchObject([
      {
        path: 'docs/old-decisions.md',
        message: expect.stringContaining('is moved to docs/old-decisions.md'),
      },
    ]);
  });

  it('accepts a ledger moved to another ledger path with its content kept', async () => {
    const repo = await pr(async (r) => {
      r.git('mv', 'docs/adr/0001.md', 'docs/adr/0001-git.md');
    });
    expect((await runSotOn(repo.dir, { base: 'main' })).findings).toEqual([]);
  });
});

describe('without a change', () => {
  it('skips the append-only rule and says so in stats and summary', async () => {
    const repo = await fx.repo({ ...BASE, 'docs/DECISIONS.md': '# rewritten entirely\n' });
    const out = await runSotOn(repo.dir);
    expect(out.findings).toEqual([]);
    expect(out.stats).toMatchObject({ appendOnlySkipped: 1 });
    expect(out.summary).toMatch(/Append-only ledgers: \*\*skipped\*\*, no change under evaluation/);
  });
});

describe('the CLI end to end', () => {
  it('`autopack check --base main --checks sot` exits 1 on a rewritten ledger and 0 on an appended one', async () => {
    const bad = await pr((r) => r.write('docs/DECISIONS.md', '# Decisions\n'));
    const res = await cli([
      'check',
      bad.dir,
      '--checks',
      'sot',
      '--base',
      'main',
      '--format',
      'json',
    ]);
    expect(res.code).toBe(1);
    const report = JSON.parse(res.stdout) as {
      results: Array<{ findings: Array<{ ruleId: string }> }>;
    };
    expect(report.results[0]!.findings.map((f) => f.ruleId)).toEqual(['append-only']);

    const good = await pr((r) => r.write('docs/DECISIONS.md', `${LEDGER}- DEC-003\n`));
    expect((await cli(['check', good.dir, '--checks', 'sot', '--base', 'main'])).code).toBe(0);
  });
});
