/**
 * drift rule family 5: machine-specific absolute paths in tracked text files, with per-path
 * allowances, Windows-only documents, binary/too-large files skipped, unreadable files
 * reported, and exact agreement with `git grep -l -I -E` for the same patterns.
 */
import { mkdir, rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILTIN_PORTABILITY_PATTERNS } from '../../checks/drift/config.js';
import { driftCheck } from '../../checks/drift/index.js';
import { linesHolding } from '../../checks/drift/portability.js';
import { requiredLiteral } from '../../checks/drift/regex.js';
import { silentLogger } from '../../checks/model.js';
import type { RepoSnapshot } from '../../checks/snapshot.js';
import { loadLocalSnapshot } from '../../snapshots/local.js';
import { driftReadsEveryFile } from '../../checks/drift/rules.js';
import { resolveConfig } from '../../policies/load.js';
import { gitFixture, runGit } from '../helpers/git-fixture.js';
import { cleanupFixtures, driftRepo, repoConfig, runDrift, where } from './harness.js';

afterAll(cleanupFixtures);

const ONLY = `drift:
  links: { enabled: false }
  references: { enabled: false }
`;

describe('portability', () => {
  it('finds C:\\dev\\, C:\\Users\\<name>, /home/<user>/ and /Users/<user>/ with exact positions', async () => {
    const run = await driftRepo(
      {
        'src/migrations/add_routing.sql':
          "INSERT INTO routes VALUES ('C:\\dev\\Autopack\\runs');\n",
        'docs/setup.md':
          '# Setup\n\nClone into /home/alice/src and copy C:\\Users\\bob\\.ssh\\config.\n\nOn a Mac: /Users/carol/projects\n',
        'scripts/run.sh': '#!/bin/sh\ncd "/home/ci-bot/work"\n',
      },
      ONLY,
    );
    const f = run.of('machine-specific-path');
    expect(f.map((x) => `${where([x])[0]} ${x.properties?.match}`)).toEqual([
      'docs/setup.md:3:12 /home/alice/',
      'docs/setup.md:3:37 C:\\Users\\bob',
      'docs/setup.md:5:11 /Users/carol/',
      'scripts/run.sh:2:5 /home/ci-bot/',
      'src/migrations/add_routing.sql:1:29 C:\\dev\\',
    ]);
    expect(f[0]!.severity).toBe('warning');
    expect(f[0]!.endColumn).toBe(12 + '/home/alice/'.length);
  });

  it('leaves look-alikes alone: URL paths, device names, placeholders, shared profiles', async () => {
    const run = await driftRepo(
      {
        'README.md': [
          'More information: <https://fossil-scm.org/home/help/add>.',
          'Read a disk: `hddtemp SATA:/dev/sda` or `nucleo-f401re:/dev/ttyACM0`.',
          'Put it in /home/user/project or /Users/username/code or C:\\Users\\Public\\Documents.',
          'A test home: /home/test/data.',
          'Shared: /Users/Shared/cache; Homebrew: /home/linuxbrew/.linuxbrew/bin',
          '',
        ].join('\n'),
        // GitHub-hosted runners' home directories, as workflows write them on purpose.
        '.github/workflows/ci.yml': [
          'jobs:',
          '  linux: { steps: [{ run: "cp out /home/runner/work/cache" }] }',
          '  macos: { steps: [{ run: "ls /Users/runner/Library" }] }',
          '  windows: { steps: [{ run: "dir C:\\Users\\runneradmin\\AppData" }] }',
          '',
        ].join('\n'),
      },
      ONLY,
    );
    expect(run.of('machine-specific-path')).toEqual([]);
    expect(run.outcome.stats?.['portability-exempt']).toBe(9);
  });

  it('leaves the tests of Go and Python alone with the built-in policy, not their neighbours', async () => {
    const run = await driftRepo(
      {
        'util/files_test.go': 'const p = "/home/alice/x"\n',
        'pkg/test_paths.py': 'P = "/home/alice/x"\n',
        'pkg/paths_test.py': 'P = "/home/alice/x"\n',
        'pkg/paths.py': 'P = "/home/alice/x"\n',
        'util/files.go': 'const p = "/home/alice/x"\n',
      },
      ONLY,
    );
    expect(where(run.of('machine-specific-path'))).toEqual([
      'pkg/paths.py:1:6',
      'util/files.go:1:12',
    ]);
  });

  it('exempts Windows-only documents and sections, and per-path allowances', async () => {
    const run = await driftRepo(
      {
        'docs/WINDOWS_SETUP.md':
          '<!-- autopack:windows-only-file -->\n# Windows setup\n\nUse C:\\dev\\Autopack.\n',
        'docs/guide.md': [
          '# Guide',
          '<!-- autopack:windows-only -->',
          'On Windows: C:\\dev\\Autopack',
          '<!-- /autopack:windows-only -->',
          'Everywhere else: C:\\dev\\Autopack',
          '',
        ].join('\n'),
        'test/fixtures/paths.txt': '/home/alice/\n',
        'docs/unclosed.md': '<!-- autopack:windows-only -->\nC:\\dev\\x\n',
      },
      `${ONLY}  portability:
    exclude: ['test/fixtures/**']
`,
    );
    expect(where(run.of('machine-specific-path'))).toEqual([
      'docs/guide.md:5:18',
      'docs/unclosed.md:2:1',
    ]);
    expect(where(run.of('unclosed-marker'))).toEqual(['docs/unclosed.md:1:6']);
    expect(run.outcome.stats?.['portability-exempt']).toBe(2);
  });

  it('skips binary and too-large files; reports an unreadable one instead of dropping it', async () => {
    const fx = await gitFixture({
      '.github/autopack.yml': `extends: autopack:recommended\n${ONLY}`,
      'assets/blob.bin': new Uint8Array([0, 1, 2, ...Buffer.from('/home/alice/')]),
      'big.txt': `${'x'.repeat(5000)}\n/home/alice/\n`,
      'notes/a.md': '/home/alice/\n',
    });
    try {
      // The tracked file is replaced on disk by a directory: listed by git, unreadable as a file.
      await fx.remove('notes/a.md');
      await mkdir(fx.abs('notes/a.md'));
      const run = await runDrift(fx, 4096);
      expect(run.of('machine-specific-path')).toEqual([]);
      const u = run.of('unreadable-file');
      expect(u.map((f) => f.path)).toEqual(['notes/a.md']);
      expect(u[0]!.message).toContain('not a regular file');
      expect(u[0]!.severity).toBe('error');
      expect(run.outcome.stats?.['files-binary']).toBe(1);
      expect(run.outcome.stats?.['files-too-large']).toBe(1);
    } finally {
      await fx.cleanup();
    }
  });

  it('with the git grep patterns, finds exactly the files `git grep -l -I -E` finds', async () => {
    const fx = await gitFixture({
      '.github/autopack.yml': `extends: autopack:recommended
${ONLY}  portability:
    builtin-patterns: false
    allow: []
    patterns:
      dev: { regex: 'C:\\\\dev\\\\' }
      home: { regex: '/home/[a-z]+/' }
`,
      'a.md': 'see https://fossil-scm.org/home/help/add\n',
      'b.sql': "'C:\\dev\\x'\n",
      'c.txt': 'nothing here\n',
      'd.bin': new Uint8Array([0, ...Buffer.from('/home/joe/')]),
      'e/deep/f.sh': 'cd /home/joe/x\n',
      'g.md': '/home/Joe/ is not lower case; C:/dev/ has the wrong slashes\n',
      'h.md': 'two: /home/ann/ and /home/bob/\n',
    });
    try {
      const grep = runGit(fx.dir, ['grep', '-l', '-I', '-E', 'C:\\\\dev\\\\|/home/[a-z]+/'])
        .trim()
        .split('\n')
        .sort();
      const run = await runDrift(fx);
      const ours = [...new Set(run.of('machine-specific-path').map((f) => f.path!))].sort();
      expect(grep).toEqual(['a.md', 'b.sql', 'e/deep/f.sh', 'h.md']);
      expect(ours).toEqual(grep);
      expect(run.of('machine-specific-path')).toHaveLength(5);
    } finally {
      await fx.cleanup();
    }
  });
});

describe('bulk reads (what the App prefetches for)', () => {
  it('the portability rule over every file reads every file; narrowed or off, it does not', async () => {
    const recommended = await resolveConfig({ readFile: async () => undefined });
    expect(driftReadsEveryFile(recommended.values.drift)).toBe(true);
    expect(driftReadsEveryFile({ portability: {} })).toBe(true);
    expect(driftReadsEveryFile({ portability: { files: ['docs/**'] } })).toBe(false);
    expect(driftReadsEveryFile({ portability: { enabled: false } })).toBe(false);
    expect(driftReadsEveryFile({ enabled: false, portability: {} })).toBe(false);
    expect(driftReadsEveryFile({ links: {} })).toBe(false);
    expect(driftReadsEveryFile(undefined)).toBe(false);
  });
});

describe('built-in patterns matched on the lines holding their literals', () => {
  it('lists each line holding a literal once, CRLF and a last line without a newline included', () => {
    const text = 'a\n/home/x/ y /home/z/\r\nno\nC:\\dev\\q and C:/dev/';
    const lines = linesHolding(text, [':\\dev', ':/dev', '/home/']);
    expect(lines.map(([s, e]) => text.slice(s, e))).toEqual([
      '/home/x/ y /home/z/\r',
      'C:\\dev\\q and C:/dev/',
    ]);
    expect(linesHolding('nothing here', ['/home/'])).toEqual([]);
  });

  it('finds exactly what the same regexes find over the whole text', async () => {
    const files = {
      'a.md':
        '/home/alice/ at the start\r\nthen C:\\dev\\x and C:/dev/y, /Users/bob/ twice /Users/bob/\n',
      'b.txt': 'a URL https://host/home/help/ and file:///home/carol/x\nD:\\Users\\dave\\x',
      'c.sh': 'no path here but /home/ alone and :\\dev without a drive',
    };
    const builtin = await driftRepo(files, ONLY);
    const asUserPatterns = Object.entries(BUILTIN_PORTABILITY_PATTERNS)
      .map(([name, p]) => `      copy-of-${name}: { regex: '${p.regex.replaceAll("'", "''")}' }`)
      .join('\n');
    const whole = await driftRepo(
      files,
      `${ONLY}  portability:\n    builtin-patterns: false\n    patterns:\n${asUserPatterns}\n`,
    );
    const seen = (run: typeof builtin) =>
      run.of('machine-specific-path').map((f) => `${where([f])[0]} ${f.properties?.match}`);
    expect(seen(builtin)).toEqual(seen(whole));
    expect(seen(builtin)).toEqual([
      'a.md:1:1 /home/alice/',
      'a.md:2:6 C:\\dev\\',
      'a.md:2:19 C:/dev/',
      'a.md:2:29 /Users/bob/',
      'a.md:2:47 /Users/bob/',
      'b.txt:1:42 /home/carol/',
      'b.txt:2:1 D:\\Users\\dave',
    ]);
  });
});

describe('a checkout names the files that can hold a pattern literal', () => {
  it('gives the first certain characters of a pattern, or nothing when unsure', () => {
    expect(requiredLiteral('/home/[a-z]+/')).toBe('/home/');
    expect(requiredLiteral('C:\\\\dev\\\\')).toBe('C:\\dev\\');
    expect(requiredLiteral('^/opt/data')).toBe('/opt/data');
    expect(requiredLiteral('/srv/x?y')).toBe('/srv/');
    expect(requiredLiteral('/srvx+')).toBe('/srvx');
    expect(requiredLiteral('/home/|/Users/')).toBeUndefined();
    expect(requiredLiteral('(?i)/home/')).toBeUndefined();
    expect(requiredLiteral('\\d+/home/')).toBeUndefined();
    expect(requiredLiteral('ab*')).toBeUndefined();
  });

  it('reads only those files (and every changed one), with the same findings', async () => {
    const files: Record<string, string> = {
      '.github/autopack.yml': `extends: autopack:recommended\n${ONLY}  portability:\n    builtin-patterns: false\n    patterns:\n      home: { regex: '/home/[a-z]+/' }\n`,
      'docs/a.txt': 'Built in /home/alice/src.\n',
      'bin/blob.dat': 'bin\u0000ary /home/carol/ x\n',
      'gen/changed.txt': 'clean at first\n',
      'gen/deleted.txt': 'clean\n',
    };
    for (let i = 0; i < 2_100; i++) files[`gen/f${String(i).padStart(4, '0')}.txt`] = `line ${i}\n`;
    const fx = await gitFixture(files);
    await fx.write({ 'gen/changed.txt': 'now in /home/bob/x\n', 'untracked.txt': '/home/dave/\n' });
    await rm(fx.abs('gen/deleted.txt'));
    const config = await repoConfig(fx.dir);
    // As `autopack check --checks drift` lists a checkout: kinds from the index, no lstat.
    const local = await loadLocalSnapshot(fx.dir, { fileStats: false });
    const reads: string[] = [];
    const counted = (withPrefilter: boolean): RepoSnapshot => ({
      ...local,
      read: (p) => {
        reads.push(p);
        return local.read(p);
      },
      filesContaining: withPrefilter ? local.filesContaining : undefined,
    });
    const run = (s: RepoSnapshot) =>
      driftCheck.run({ snapshot: s, config, logger: silentLogger, inputs: {} });
    const brief = (o: Awaited<ReturnType<typeof run>>) =>
      o.findings.map((f) => `${f.ruleId} ${where([f])[0]}`).sort();

    const fast = await run(counted(true));
    expect(brief(fast)).toEqual([
      'machine-specific-path docs/a.txt:1:10',
      'machine-specific-path gen/changed.txt:1:8',
      'unreadable-file gen/deleted.txt::',
    ]);
    // The config names the literal too; the untracked file is not in the tree at all.
    expect(reads.sort()).toEqual([
      '.github/autopack.yml',
      'bin/blob.dat',
      'docs/a.txt',
      'gen/changed.txt',
      'gen/deleted.txt',
    ]);
    expect(fast.stats?.['files-prefiltered']).toBe(2_100);
    await fx.cleanup();

    reads.length = 0;
    const fx2 = await gitFixture(files);
    await fx2.write({ 'gen/changed.txt': 'now in /home/bob/x\n' });
    await rm(fx2.abs('gen/deleted.txt'));
    const local2 = await loadLocalSnapshot(fx2.dir, { fileStats: false });
    const slow = await driftCheck.run({
      snapshot: { ...local2, filesContaining: undefined },
      config: await repoConfig(fx2.dir),
      logger: silentLogger,
      inputs: {},
    });
    expect(brief(slow)).toEqual(brief(fast));
    expect(slow.stats?.['files-read']).toBeGreaterThan(2_100);
    await fx2.cleanup();
  }, 60_000);
});
