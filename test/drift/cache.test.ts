/**
 * Per-file results are cached across evaluations for content-addressed snapshots (the App's:
 * blob SHA = what `read` returns): a second head reads only the files whose blob changed, and
 * reports exactly what a cold run reports. A working-tree snapshot never uses the cache.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { driftCheck } from '../../checks/drift/index.js';
import { silentLogger, type Finding } from '../../checks/model.js';
import type { RepoSnapshot } from '../../checks/snapshot.js';
import { loadLocalSnapshot } from '../../snapshots/local.js';
import { gitFixture, type Fixture } from '../helpers/git-fixture.js';
import { repoConfig } from './harness.js';

const fixtures: Fixture[] = [];
afterAll(async () => Promise.all(fixtures.map((f) => f.cleanup())));

/** The committed checkout as a content-addressed snapshot whose reads are counted. */
async function commitSnapshot(fx: Fixture, contentAddressed = true) {
  const local = await loadLocalSnapshot(fx.dir);
  const reads: string[] = [];
  const snapshot: RepoSnapshot = {
    ...local,
    contentAddressed,
    read: (p) => {
      reads.push(p);
      return local.read(p);
    },
  };
  return { snapshot, reads };
}

const brief = (fs: readonly Finding[]) =>
  fs.map((f) => `${f.ruleId} ${f.path}:${f.line}:${f.column} ${f.fingerprint}`).sort();

describe('drift per-file cache', () => {
  it('reads only changed blobs on the next head, with the same findings as a cold run', async () => {
    const fx = await gitFixture({
      '.github/autopack.yml': [
        'extends: autopack:recommended',
        'drift:',
        '  portability:',
        "    files: ['**']",
        '  links:',
        "    files: ['**/*.md']",
      ].join('\n'),
      'README.md': '# Readme\n\nSee [guide](docs/guide.md#setup) and [gone](docs/gone.md).\n',
      'docs/guide.md': '# Guide\n\n## Setup\n\nRun it from /home/alice/src.\n',
      'docs/other.md': '# Other\n\nNothing here.\n',
    });
    fixtures.push(fx);
    const config = await repoConfig(fx.dir);
    const run = (snapshot: RepoSnapshot) =>
      driftCheck.run({ snapshot, config, logger: silentLogger, inputs: {} });

    const first = await commitSnapshot(fx);
    const cold = await run(first.snapshot);
    expect(brief(cold.findings).map((s) => s.split(' ')[0])).toEqual([
      'broken-link',
      'machine-specific-path',
    ]);
    expect(first.reads).toContain('docs/guide.md');

    // Same commit again: nothing is read, the findings are the same (and fresh objects).
    const again = await commitSnapshot(fx);
    const warm = await run(again.snapshot);
    expect(again.reads).toEqual([]);
    expect(brief(warm.findings)).toEqual(brief(cold.findings));
    expect(warm.stats?.['files-cached']).toBe(cold.stats?.['files-read']);
    expect(warm.findings[0]).not.toBe(cold.findings[0]);

    // A new head changes one file: only that blob is read; the anchor it removed now fails.
    await fx.write('docs/guide.md', '# Guide\n\n## Install\n\nNo machine paths now.\n');
    fx.commit('rename the section');
    const next = await commitSnapshot(fx);
    const changed = await run(next.snapshot);
    // (read twice: by the read pass, then for its anchors: it links nowhere, so the pass does
    // not parse it)
    expect([...new Set(next.reads)]).toEqual(['docs/guide.md']);
    expect(brief(changed.findings).map((s) => s.split(' ')[0])).toEqual([
      'broken-anchor',
      'broken-link',
    ]);
  });

  it('never answers a code-span config from a parse made for links only', async () => {
    const doc = '# Doc\n\nSee [guide](guide.md).\n\nRun `docs/gone.sh`.\n';
    const linksOnly = [
      'extends: autopack:recommended',
      'drift:',
      '  links:',
      "    files: ['**/*.md']",
    ];
    const fx = await gitFixture({
      '.github/autopack.yml': linksOnly.join('\n'),
      'README.md': doc,
      'guide.md': '# Guide\n',
      'docs/kept.sh': 'echo kept\n',
    });
    fixtures.push(fx);
    // Each run reads the config as it is now in the working tree.
    const runOn = async (snapshot: RepoSnapshot) =>
      driftCheck.run({
        snapshot,
        config: await repoConfig(fx.dir),
        logger: silentLogger,
        inputs: {},
      });
    const before = await runOn((await commitSnapshot(fx)).snapshot);
    expect(before.findings).toEqual([]);

    // Same blobs, a config that also checks code spans: the span's missing path is found.
    await fx.write(
      '.github/autopack.yml',
      [
        ...linksOnly,
        '  references:',
        '    code-spans:',
        '      enabled: true',
        "      files: ['*.md']",
      ].join('\n'),
    );
    const after = await runOn((await commitSnapshot(fx)).snapshot);
    expect(brief(after.findings).map((s) => s.split(' ').slice(0, 2).join(' '))).toEqual([
      'missing-doc-path README.md:5:5',
    ]);
  });

  it('never caches a working tree (its files may differ from their index blob SHA)', async () => {
    const fx = await gitFixture({ 'a.md': 'Path /home/bob/x here.\n' });
    fixtures.push(fx);
    const config = await repoConfig(fx.dir);
    const run = (snapshot: RepoSnapshot) =>
      driftCheck.run({ snapshot, config, logger: silentLogger, inputs: {} });
    for (let i = 0; i < 2; i++) {
      const s = await commitSnapshot(fx, false);
      await run(s.snapshot);
      expect(s.reads).toEqual(['a.md']);
    }
    // Edited but not committed: same index blob SHA, new content, new result.
    await fx.write('a.md', 'No path.\n');
    const s = await commitSnapshot(fx, false);
    expect((await run(s.snapshot)).findings).toEqual([]);
  });
});
