/**
 * Rules render-mismatch, render-unknown-key and render-marker on fixture repositories, and the
 * `autopack render` verb: diff, --check, --write (only between the markers, idempotent), and
 * its refusals.
 */
import {
  readFileSync,
  lstatSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
  mkdirSync,
  symlinkSync,
  renameSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeInside } from '../../cli/commands/render-run.js';
import type { Check } from '../../checks/model.js';
import { loadLocalContext } from '../../cli/context.js';
import { silentLogger } from '../../checks/model.js';
import { runSot } from '../../checks/sot/index.js';
import { byRule, cli, fixtures, runSotOn, sotConfig, type Files } from './helpers.js';

const fx = fixtures();
afterEach(() => fx.cleanup());

const CONFIG = sotConfig(`
registry:
  - path: docs/GOVERNANCE.md
    title: Governance
  - path: docs/DECISIONS.md
    kind: ledger
`).concat(`governance:
  enabled: true
  rules:
    - id: docs
      description: Canonical documents
      paths: ['docs/GOVERNANCE.md', 'docs/DECISIONS.md']
      approvals: 2
      approvers:
        users: [alice, bob]
`);

const GOV = `# Governance

These paths are protected. Do not edit the table by hand.

<!-- autopack:render governance.protected-paths -->
| Rule | Protected paths | Approvals required | Approvers |
| --- | --- | --- | --- |
| \`docs\` | \`docs/**\` | 1 | @alice |
<!-- /autopack:render -->

## Documents

<!-- autopack:render sot.registry -->
<!-- /autopack:render -->

The end.
`;

const FILES: Files = {
  '.github/autopack.yml': CONFIG,
  'docs/GOVERNANCE.md': GOV,
  'docs/DECISIONS.md': '# Decisions\n',
};

describe('render-mismatch', () => {
  it('fires for each stale section, at its opening marker, with the first difference', async () => {
    const repo = await fx.repo(FILES);
    const out = await runSotOn(repo.dir);
    const findings = byRule(out, 'render-mismatch');
    expect(findings.map((f) => [f.path, f.line, f.endLine])).toEqual([
      ['docs/GOVERNANCE.md', 5, 9],
      ['docs/GOVERNANCE.md', 13, 14],
    ]);
    // The table renders the policy the governance check enforces: its built-in rules come first.
    expect(findings[0]!.message).toMatch(
      /^the rendered section governance.protected-paths \(lines 5-9\) does not match the policy: expected "\|`autopack-config` \(built-in\): .*", found "\|`docs`\|`docs\/\*\*`\|1\|@alice\|"$/,
    );
    expect(findings[1]!.message).toContain(
      'it lacks "- [Governance](GOVERNANCE.md) `docs/GOVERNANCE.md`: document"',
    );
    expect(findings[0]!.help).toBe(
      'Run `autopack render --write` and commit the result; edit the policy, not the rendered section.',
    );
    expect(out.stats).toMatchObject({ renderSections: 2 });
  });

  it('passes after `autopack render --write`, which is idempotent and touches nothing outside the markers', async () => {
    const repo = await fx.repo(FILES);
    const first = await cli(['render', repo.dir, '--write']);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(/^rendered 2 section\(s\) in 1 file\(s\); 0 already up to date/);
    const written = readFileSync(path.join(repo.dir, 'docs/GOVERNANCE.md'), 'utf8');
    // Outside the markers: byte for byte.
    const outside = (t: string) =>
      t.replace(/(<!-- autopack:render [^>]+-->\n)[\s\S]*?(<!-- \/autopack:render -->)/g, '$1$2');
    expect(outside(written)).toBe(outside(GOV));
    expect(written).toContain(
      '| `docs`: Canonical documents | `docs/GOVERNANCE.md`, `docs/DECISIONS.md` | 2 | @alice, @bob |',
    );
    for (const builtin of ['autopack-config', 'codeowners', 'workflows']) {
      expect(written).toContain(`| \`${builtin}\` (built-in): `);
    }
    expect(written).toContain(
      '- [Governance](GOVERNANCE.md) `docs/GOVERNANCE.md`: document\n- [docs/DECISIONS.md](DECISIONS.md): ledger (append-only)\n',
    );
    expect(byRule(await runSotOn(repo.dir), 'render-mismatch')).toEqual([]);

    const second = await cli(['render', repo.dir, '--write']);
    expect(second.stdout).toMatch(/^rendered 0 section\(s\) in 0 file\(s\); 2 already up to date/);
    expect(readFileSync(path.join(repo.dir, 'docs/GOVERNANCE.md'), 'utf8')).toBe(written);
    expect((await cli(['render', repo.dir, '--check'])).code).toBe(0);
  });

  it('accepts a section whose table a Markdown formatter re-aligned', async () => {
    const repo = await fx.repo(FILES);
    await cli(['render', repo.dir, '--write']);
    const file = path.join(repo.dir, 'docs/GOVERNANCE.md');
    const text = readFileSync(file, 'utf8').replace(
      '| --- | --- | --- | --- |',
      '| ---- | --------------- | ------------------ | ------------ |',
    );
    writeFileSync(file, text);
    expect(byRule(await runSotOn(repo.dir), 'render-mismatch')).toEqual([]);
  });

  it('fires when someone edits a rendered section by hand', async () => {
    const repo = await fx.repo(FILES);
    await cli(['render', repo.dir, '--write']);
    const file = path.join(repo.dir, 'docs/GOVERNANCE.md');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('| 2 | @alice, @bob |', '| 1 | @alice, @bob |'),
    );
    const findings = byRule(await runSotOn(repo.dir), 'render-mismatch');
    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).toContain('|2|@alice, @bob|');
  });

  it('reports a section the renderer refuses (an invalid registry) as render-mismatch, never green', async () => {
    const repo = await fx.repo({
      ...FILES,
      '.github/autopack.yml': sotConfig('registry: config/missing.json'),
    });
    const findings = byRule(await runSotOn(repo.dir), 'render-mismatch');
    expect(findings.map((f) => f.message)).toContainEqual(
      expect.stringContaining(
        'the section sot.registry cannot be rendered: the SOT registry has 1 problem(s)',
      ),
    );
  });

  it('renders checks.enabled from the checks of the build', async () => {
    const checks = [{ id: 'sot', title: 'Source-of-truth documents' }] as unknown as Check[];
    const repo = await fx.repo({
      '.github/autopack.yml': sotConfig(''),
      'README.md':
        '# R\n\n<!-- autopack:render checks.enabled -->\n\n| Check Run | Checks |\n| --- | --- |\n| `autopack/sot` | Source-of-truth documents |\n\n<!-- /autopack:render -->\n',
    });
    expect((await runSotOn(repo.dir, { checks })).findings).toEqual([]);
    expect(byRule(await runSotOn(repo.dir, { checks: [] }), 'render-mismatch')).toHaveLength(1);
  });
});

describe('render-unknown-key and render-marker', () => {
  it('fires for an unknown key, naming the known ones', async () => {
    const repo = await fx.repo({
      ...FILES,
      'docs/X.md': '<!-- autopack:render governance.people -->\n<!-- /autopack:render -->\n',
    });
    expect(byRule(await runSotOn(repo.dir), 'render-unknown-key')).toMatchObject([
      {
        path: 'docs/X.md',
        line: 1,
        message:
          'unknown render key "governance.people" (known: governance.protected-paths, checks.enabled, sot.registry)',
      },
    ]);
    const res = await cli(['render', repo.dir, '--write']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('docs/X.md:1:1: unknown render key "governance.people"');
  });

  it('fires for unbalanced markers; markers shown in code are not markers', async () => {
    const repo = await fx.repo({
      ...FILES,
      'docs/Y.md':
        '# Y\n\n```\n<!-- autopack:render sot.registry -->\n```\n\n<!-- autopack:render sot.registry -->\nno end\n',
    });
    expect(byRule(await runSotOn(repo.dir), 'render-marker')).toMatchObject([
      {
        path: 'docs/Y.md',
        line: 7,
        message: 'render marker for sot.registry is never closed with `<!-- /autopack:render -->`',
      },
    ]);
  });

  it('scans only sot.render.files, minus sot.render.exclude', async () => {
    const repo = await fx.repo({
      ...FILES,
      '.github/autopack.yml': `${CONFIG}`.replace(
        'sot:\n  enabled: true\n',
        "sot:\n  enabled: true\n  render:\n    files: ['docs/**/*.md']\n    exclude: ['docs/GOVERNANCE.md']\n",
      ),
      'README.md': '<!-- autopack:render nope -->\n<!-- /autopack:render -->\n',
    });
    const out = await runSotOn(repo.dir);
    expect(out.findings.filter((f) => f.ruleId.startsWith('render'))).toEqual([]);
    expect(out.stats).toMatchObject({ renderFilesScanned: 1 });
  });
});

describe('autopack render: diff and --check', () => {
  it('prints a unified diff of the stale sections and leaves the files alone; --check exits 1', async () => {
    const repo = await fx.repo(FILES);
    const res = await cli(['render', repo.dir]);
    expect(res.code).toBe(0);
    expect(res.stdout.split('\n').slice(0, 5)).toEqual([
      '--- a/docs/GOVERNANCE.md',
      '+++ b/docs/GOVERNANCE.md',
      '@@ -5,5 +5,12 @@ governance.protected-paths',
      ' <!-- autopack:render governance.protected-paths -->',
      '-| Rule | Protected paths | Approvals required | Approvers |',
    ]);
    expect(res.stdout).toContain('@@ -13,2 +20,6 @@ sot.registry');
    expect(res.stderr).toContain('2 section(s) out of date in 1 file(s)');
    expect(readFileSync(path.join(repo.dir, 'docs/GOVERNANCE.md'), 'utf8')).toBe(GOV);
    expect((await cli(['render', repo.dir, '--check'])).code).toBe(1);
    expect((await cli(['render', repo.dir, '--write', '--check'])).code).toBe(1);
    expect((await cli(['render', repo.dir, '--write', '--check'])).code).toBe(0);
  });

  it('the diff applies with `git apply` and gives what --write gives', async () => {
    const a = await fx.repo(FILES);
    const b = await fx.repo(FILES);
    const diff = (await cli(['render', a.dir])).stdout;
    writeFileSync(path.join(a.dir, 'render.patch'), diff);
    a.git('apply', 'render.patch');
    await cli(['render', b.dir, '--write']);
    expect(readFileSync(path.join(a.dir, 'docs/GOVERNANCE.md'), 'utf8')).toBe(
      readFileSync(path.join(b.dir, 'docs/GOVERNANCE.md'), 'utf8'),
    );
  });

  it('keeps a byte order mark and CRLF line endings', async () => {
    const crlf = `\uFEFF${GOV.replace(/\n/g, '\r\n')}`;
    const repo = await fx.repo({ ...FILES, 'docs/GOVERNANCE.md': crlf });
    expect((await cli(['render', repo.dir, '--write'])).code).toBe(0);
    const bytes = readFileSync(path.join(repo.dir, 'docs/GOVERNANCE.md'));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
    expect(text.startsWith('\uFEFF# Governance\r\n\r\nThese paths')).toBe(true);
    expect(text.endsWith('\r\n\r\nThe end.\r\n')).toBe(true);
    expect((await cli(['render', repo.dir, '--check'])).code).toBe(0);
  });

  it('does not follow a tracked symlink, and never writes through a directory that resolves outside', async () => {
    const outside = mkdtempSync(path.join(tmpdir(), 'autopack-outside-'));
    try {
      const repo = await fx.repo(FILES);
      await repo.symlink('docs/LINK.md', 'GOVERNANCE.md');
      await repo.write('guides/G.md', GOV);
      repo.commit('symlink and guide');
      // After the commit, the tracked directory guides/ is swapped for a symlink to a directory outside.
      mkdirSync(path.join(outside, 'g'));
      writeFileSync(path.join(outside, 'g', 'G.md'), GOV);
      renameSync(path.join(repo.dir, 'guides'), path.join(outside, 'moved'));
      symlinkSync(path.join(outside, 'g'), path.join(repo.dir, 'guides'));
      const res = await cli(['render', repo.dir, '--write']);
      expect(res.code).toBe(0);
      expect(lstatSync(path.join(repo.dir, 'docs/LINK.md')).isSymbolicLink()).toBe(true);
      expect(readFileSync(path.join(outside, 'g', 'G.md'), 'utf8')).toBe(GOV);
      expect(readFileSync(path.join(repo.dir, 'docs/GOVERNANCE.md'), 'utf8')).not.toBe(GOV);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe('writeInside', () => {
  it('refuses escaping paths, symlinks, invalid UTF-8 and files changed since they were read', async () => {
    const repo = await fx.repo({ 'a.md': 'x\n', 'b.md': Buffer.from([0x61, 0xff, 0x0a]) });
    await repo.symlink('l.md', 'a.md');
    await expect(writeInside(repo.dir, '../a.md', 'x\n', 'y\n')).rejects.toThrow(
      'the path leaves the repository',
    );
    await expect(writeInside(repo.dir, 'l.md', 'x\n', 'y\n')).rejects.toThrow(
      'it is a symbolic link',
    );
    await expect(writeInside(repo.dir, 'b.md', 'a\uFFFD\n', 'y\n')).rejects.toThrow(
      'not valid UTF-8',
    );
    await expect(writeInside(repo.dir, 'a.md', 'other\n', 'y\n')).rejects.toThrow(
      'changed since it was read',
    );
    await writeInside(repo.dir, 'a.md', 'x\n', 'y\n');
    expect(readFileSync(path.join(repo.dir, 'a.md'), 'utf8')).toBe('y\n');
  });
});

describe('rendered sections on content-addressed snapshots (the App)', () => {
  it('reads an unchanged blob without a marker once; a new blob is read and judged', async () => {
    const repo = await fx.repo({ ...FILES, 'docs/OTHER.md': '# Other\n\nNo sections.\n' });
    const run = async () => {
      const { config, snapshot: local } = await loadLocalContext({ dir: repo.dir });
      const reads: string[] = [];
      const snapshot = {
        ...local,
        contentAddressed: true,
        read: (p: string) => {
          reads.push(p);
          return local.read(p);
        },
      };
      const out = await runSot(
        { snapshot, config, logger: silentLogger, inputs: {} },
        { checks: [] },
      );
      return { out, reads };
    };
    const cold = await run();
    expect(cold.reads).toContain('docs/OTHER.md');
    expect(byRule(cold.out, 'render-mismatch')).toHaveLength(2);
    // The same commit again: the markerless document is not read, the findings are the same.
    const warm = await run();
    expect(warm.reads).not.toContain('docs/OTHER.md');
    expect(warm.reads).toContain('docs/GOVERNANCE.md');
    expect(byRule(warm.out, 'render-mismatch')).toEqual(byRule(cold.out, 'render-mismatch'));
    // A new head gives OTHER.md a stale section: its new blob is read and the section judged.
    await repo.write(
      'docs/OTHER.md',
      '# Other\n\n<!-- autopack:render governance.protected-paths -->\nstale\n<!-- /autopack:render -->\n',
    );
    repo.commit('a section');
    const next = await run();
    expect(next.reads).toContain('docs/OTHER.md');
    expect(byRule(next.out, 'render-mismatch').map((f) => f.path)).toContain('docs/OTHER.md');
  });
});
