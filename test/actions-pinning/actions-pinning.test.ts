/**
 * actions-pinning, end to end on real git repositories built in temp dirs, with workflow files
 * shaped like real repositories' (fixtures/*.yml.txt). Positions are asserted against the
 * fixture text itself, found by plain string search.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../checks/model.js';
import { formatSarif } from '../../checks/report/sarif.js';
import { ConfigError } from '../../policies/errors.js';
import { gitFixture, type Fixture, type FixtureFiles } from '../helpers/git-fixture.js';
import { runCheck } from '../workspace-structure/harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** A fixture file's text. */
const fixture = (name: string) =>
  readFileSync(path.join(here, 'fixtures', `${name}.yml.txt`), 'utf8');

/** 1-based line and column of the `nth` (0-based) occurrence of `needle` in `text`. */
function locate(text: string, needle: string, nth = 0): { line: number; column: number } {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`fixture has no occurrence ${nth} of ${needle}`);
  }
  const before = text.slice(0, at);
  return { line: before.split('\n').length, column: at - before.lastIndexOf('\n') };
}

const fixtures: Fixture[] = [];
async function repo(files: FixtureFiles, config?: string): Promise<Fixture> {
  const all: FixtureFiles = { 'README.md': '# demo\n', ...files };
  if (config !== undefined) all['.github/autopack.yml'] = config;
  const fx = await gitFixture(all);
  fixtures.push(fx);
  return fx;
}
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.cleanup()));
});

const run = async (fx: Fixture, opts = {}) =>
  (await runCheck(fx.dir, 'actions-pinning', opts)).findings;
const brief = (fs: readonly Finding[]) =>
  fs.map((f) => `${f.ruleId} ${f.path}:${f.line}:${f.column}`);

describe('workflows shaped like real repositories', () => {
  it('passes an express-style CI: workflow permissions, matrix, SHAs with version comments, ./ actions', async () => {
    const fx = await repo({
      '.github/workflows/ci.yml': fixture('ci-pinned'),
      '.github/workflows/labeler.yml': fixture('prt-labeler'),
    });
    expect(await run(fx)).toEqual([]);
  });

  it('flags every tag-pinned uses: at the exact line and column of its value', async () => {
    const text = fixture('checkout-test');
    const fx = await repo({ '.github/workflows/test.yml': text });
    const findings = (await run(fx)).filter((f) => f.ruleId === 'unpinned-action');
    const p = '.github/workflows/test.yml';
    const at = (needle: string, nth = 0) => {
      const { line, column } = locate(text, needle, nth);
      return `unpinned-action ${p}:${line}:${column}`;
    };
    expect(brief(findings)).toEqual([
      at('actions/setup-node@v4'),
      at('actions/checkout@v4', 0),
      at('actions/checkout@v4', 1),
      at('actions/checkout@v4', 2),
    ]);
    const first = findings[1]!;
    expect(first.message).toBe('action actions/checkout is pinned to "v4", not a full commit SHA');
    expect(first.endColumn).toBe(first.column! + 'actions/checkout@v4'.length);
    expect(first.help).toContain('Pin to the commit SHA of v4 and keep "# v4" as a comment');
    expect(first.help).toContain('git ls-remote https://github.com/actions/checkout v4');
  });

  it('flags a docker:// image without a digest, not one with @sha256:', async () => {
    const text = fixture('checkout-test');
    const fx = await repo({ '.github/workflows/test.yml': text });
    const docker = (await run(fx)).filter((f) => f.ruleId === 'unpinned-docker-image');
    const { line, column } = locate(text, 'docker://bitnami/git:latest');
    expect(brief(docker)).toEqual([
      `unpinned-docker-image .github/workflows/test.yml:${line}:${column}`,
    ]);
    expect(docker[0]?.help).toContain('docker://bitnami/git:latest@sha256:<digest>');
  });

  it('flags each job when neither the workflow nor the job sets permissions', async () => {
    const text = fixture('checkout-test');
    const fx = await repo({ '.github/workflows/test.yml': text });
    const perms = (await run(fx)).filter((f) => f.ruleId === 'missing-permissions');
    expect(perms.map((f) => [f.message.split(' ')[1], f.line, f.column])).toEqual([
      ['"build"', locate(text, '  build:').line, 3],
      ['"test"', locate(text, '  test:').line, 3],
      ['"test-git-container"', locate(text, '  test-git-container:').line, 3],
    ]);
  });
});

describe('reusable workflows and permissions', () => {
  it('flags a tag-pinned reusable workflow, accepts a SHA-pinned and a local one, flags write-all', async () => {
    const text = fixture('reusable-caller');
    const fx = await repo({ '.github/workflows/release.yml': text });
    const findings = await run(fx);
    const wf = locate(text, 'octo-org/shared-workflows/.github/workflows/build.yml@v1');
    const local = locate(text, '  local:');
    const writeAll = locate(text, 'write-all');
    expect(brief(findings)).toEqual([
      `unpinned-reusable-workflow .github/workflows/release.yml:${wf.line}:${wf.column}`,
      `missing-permissions .github/workflows/release.yml:${local.line}:3`,
      `write-all-permissions .github/workflows/release.yml:${writeAll.line}:${writeAll.column}`,
    ]);
    expect(findings[0]?.message).toBe(
      'reusable workflow octo-org/shared-workflows/.github/workflows/build.yml is pinned to "v1", not a full commit SHA',
    );
  });

  it('lets a workflow-level permissions: cover every job, and treats {} and read-all as explicit', async () => {
    const workflow = (perms: string) =>
      `on: push\n${perms}jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo a\n  b:\n    permissions: read-all\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo b\n`;
    const fx = await repo({
      '.github/workflows/covered.yml': workflow('permissions:\n  contents: read\n'),
      '.github/workflows/empty.yaml': workflow('permissions: {}\n'),
      '.github/workflows/none.yml': workflow(''),
      '.github/workflows/all.yml': workflow('permissions: write-all\n'),
    });
    expect(brief(await run(fx))).toEqual([
      'write-all-permissions .github/workflows/all.yml:2:14',
      'missing-permissions .github/workflows/none.yml:3:3',
    ]);
  });
});

describe('allow-tags', () => {
  it('lets listed owners and actions use tags; everything else stays flagged', async () => {
    const config = [
      'extends: autopack:recommended',
      'actions-pinning:',
      "  allow-tags: ['actions/*', 'docker://bitnami/git']",
      '',
    ].join('\n');
    const fx = await repo({ '.github/workflows/test.yml': fixture('checkout-test') }, config);
    expect((await run(fx)).map((f) => f.ruleId)).toEqual([
      'missing-permissions',
      'missing-permissions',
      'missing-permissions',
    ]);
  });

  it('is off by default: actions/* is flagged like any other owner', async () => {
    const fx = await repo({
      '.github/workflows/a.yml':
        'on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/cache/restore@v4\n      - uses: github/codeql-action/init@v3\n',
    });
    expect((await run(fx)).map((f) => f.message)).toEqual([
      'action actions/cache/restore is pinned to "v4", not a full commit SHA',
      'action github/codeql-action/init is pinned to "v3", not a full commit SHA',
    ]);
  });

  it('matches an owner/repo entry for its sub-path actions, case-insensitively', async () => {
    const fx = await repo(
      {
        '.github/workflows/a.yml':
          'on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: GitHub/CodeQL-Action/init@v3\n      - uses: github/other@v1\n',
      },
      "extends: autopack:recommended\nactions-pinning:\n  allow-tags: ['github/codeql-action']\n",
    );
    expect((await run(fx)).map((f) => f.message)).toEqual([
      'action github/other is pinned to "v1", not a full commit SHA',
    ]);
  });
});

describe('dangerous-pull-request-target', () => {
  it('flags checkouts of the PR head (head.sha, refs/pull/N/merge, head repo, gh pr checkout) at the value', async () => {
    const text = fixture('prt-dangerous');
    const fx = await repo({ '.github/workflows/preview.yml': text });
    const findings = await run(fx);
    expect(findings.every((f) => f.ruleId === 'dangerous-pull-request-target')).toBe(true);
    const at = (needle: string) => {
      const { line, column } = locate(text, needle);
      return `dangerous-pull-request-target .github/workflows/preview.yml:${line}:${column}`;
    };
    expect(brief(findings)).toEqual([
      at('${{ github.event.pull_request.head.sha }}'),
      at('refs/pull/${{ github.event.number }}/merge'),
      at('${{ github.event.pull_request.head.repo.full_name }}'),
      at('${{ github.head_ref }}'),
      at('|\n          gh pr checkout'),
    ]);
    expect(findings[0]?.message).toBe(
      'pull_request_target job "build" checks out the pull request head (ref: ${{ github.event.pull_request.head.sha }})',
    );
  });

  it('does not flag pull_request_target without a head checkout, nor pull_request with one', async () => {
    const prWithHead = fixture('prt-dangerous').replace('pull_request_target:', 'pull_request:');
    const fx = await repo({
      '.github/workflows/labeler.yml': fixture('prt-labeler'),
      '.github/workflows/pr.yml': prWithHead,
    });
    expect(await run(fx)).toEqual([]);
  });

  it('recognises the list and string forms of on:', async () => {
    const body =
      'permissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683\n        with:\n          ref: ${{ github.event.pull_request.head.ref }}\n';
    const fx = await repo({
      '.github/workflows/list.yml': `on: [push, pull_request_target]\n${body}`,
      '.github/workflows/string.yml': `on: pull_request_target\n${body}`,
    });
    expect((await run(fx)).map((f) => `${f.ruleId} ${f.path}:${f.line}`)).toEqual([
      'dangerous-pull-request-target .github/workflows/list.yml:9',
      'dangerous-pull-request-target .github/workflows/string.yml:9',
    ]);
  });
});

describe('action manifests', () => {
  it('checks composite action steps anywhere in the tree, and docker:// images of Docker actions', async () => {
    const composite = fixture('composite-action');
    const docker = fixture('docker-action');
    const fx = await repo({
      '.github/actions/setup/action.yml': composite,
      'tools/lint/action.yaml': docker,
      'action.yml': 'name: node action\nruns:\n  using: node20\n  main: dist/index.js\n',
      'tools/build/action.yml': 'name: built image\nruns:\n  using: docker\n  image: Dockerfile\n',
      'docs/action.yml': 'title: not an action at all\n',
    });
    const findings = await run(fx);
    const c = locate(composite, 'actions/setup-node@v4');
    const d = locate(docker, 'docker://ghcr.io/octo-org/linter:1.4');
    expect(brief(findings)).toEqual([
      `unpinned-action .github/actions/setup/action.yml:${c.line}:${c.column}`,
      `unpinned-docker-image tools/lint/action.yaml:${d.line}:${d.column}`,
    ]);
  });

  it('does not scan workflow files in subdirectories (GitHub does not run them) or excluded files', async () => {
    const bad =
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n';
    const fx = await repo(
      {
        '.github/workflows/templates/a.yml': bad,
        'test/fixtures/bad/action.yml': fixture('composite-action'),
        '.github/workflows/ci.yml': fixture('ci-pinned'),
      },
      "extends: autopack:recommended\nactions-pinning:\n  exclude: ['test/fixtures/']\n",
    );
    expect(await run(fx)).toEqual([]);
  });
});

describe('version comments', () => {
  const sha = '11bd71901bbe5b1630ceea73d27597364c9af683';
  const wf = `on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@${sha} # v4.2.2\n      - uses: actions/checkout@${sha}\n      - uses: "actions/checkout@${sha}"   #v4\n`;

  it('accepts a SHA with or without a comment by default', async () => {
    const fx = await repo({ '.github/workflows/a.yml': wf });
    expect(await run(fx)).toEqual([]);
  });

  it('flags a SHA without a version comment when missing-version-comment is on', async () => {
    const fx = await repo(
      { '.github/workflows/a.yml': wf },
      'extends: autopack:recommended\nactions-pinning:\n  rules:\n    missing-version-comment: notice\n',
    );
    const findings = await run(fx);
    expect(findings.map((f) => [f.ruleId, f.severity, f.line, f.column])).toEqual([
      ['missing-version-comment', 'notice', 8, 15],
    ]);
  });

  it('flags a short SHA and says how to expand it', async () => {
    const fx = await repo({
      '.github/workflows/a.yml':
        'on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@11bd719\n',
    });
    const [f] = await run(fx);
    expect(f?.message).toBe(
      'action actions/checkout is pinned to a short SHA (11bd719), not a full commit SHA',
    );
    expect(f?.help).toContain('git rev-parse 11bd719');
  });

  it("accepts $/ references to the workflow's own repository (vitejs/vite shape)", async () => {
    const fx = await repo({
      '.github/workflows/issue-labeled.yml':
        'name: Issue Labeled\non:\n  issues:\n    types: [labeled]\njobs:\n  reply-labeled:\n    runs-on: ubuntu-slim\n    permissions:\n      issues: write\n    steps:\n      - name: contribution welcome\n        uses: $/.github/actions/issues-helper\n        with:\n          actions: remove-labels\n',
    });
    expect(await run(fx)).toEqual([]);
  });

  it('reports the quoted value at its opening quote', async () => {
    const fx = await repo({
      '.github/workflows/a.yml':
        'on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: "actions/checkout@v4"\n',
    });
    expect(brief(await run(fx))).toEqual(['unpinned-action .github/workflows/a.yml:7:15']);
  });
});

describe('odd and broken files', () => {
  it('reports malformed YAML with the parse error line, and still checks the other files', async () => {
    const fx = await repo({
      '.github/workflows/broken.yml': fixture('malformed'),
      '.github/workflows/test.yml': fixture('checkout-test'),
    });
    const findings = await run(fx);
    const broken = findings.filter((f) => f.path === '.github/workflows/broken.yml');
    expect(broken.map((f) => [f.ruleId, f.severity, f.line])).toEqual([
      ['malformed-file', 'error', 3],
    ]);
    expect(broken[0]?.message).toMatch(/^\.github\/workflows\/broken\.yml is not valid YAML: /);
    expect(findings.filter((f) => f.path === '.github/workflows/test.yml').length).toBe(8);
  });

  it('reports a YAML file that is not a workflow, a non-string uses:, and an expression in uses:', async () => {
    const fx = await repo({
      '.github/workflows/list.yml': '- just\n- a list\n',
      '.github/workflows/odd.yml':
        'on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: [actions/checkout@v4]\n      - uses: ${{ matrix.action }}\n',
    });
    expect(brief(await run(fx))).toEqual([
      'malformed-file .github/workflows/list.yml:1:1',
      'malformed-file .github/workflows/odd.yml:7:15',
      'unpinned-action .github/workflows/odd.yml:8:15',
    ]);
  });

  it('follows YAML aliases to the anchored step', async () => {
    const fx = await repo({
      '.github/workflows/anchors.yml':
        'on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - &checkout\n        uses: actions/checkout@v4\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - *checkout\n',
    });
    expect((await run(fx)).map((f) => `${f.ruleId}:${f.line}`)).toEqual([
      'unpinned-action:8',
      'unpinned-action:8',
    ]);
  });

  it('reports a workflow it cannot read (binary, too large, symlink) as unreadable-file', async () => {
    const fx = await repo({
      '.github/workflows/huge.yml': `on: push\n# ${'x'.repeat(4096)}\n`,
      '.github/workflows/binary.yml': new Uint8Array([0x6f, 0x6e, 0x3a, 0x00, 0xff, 0x0a]),
    });
    await fx.symlink('.github/workflows/linked.yml', 'huge.yml');
    fx.commit('symlinked workflow');
    const findings = await run(fx, { maxReadBytes: 2048 });
    expect(findings.map((f) => [f.ruleId, f.path, f.severity, f.message])).toEqual([
      [
        'unreadable-file',
        '.github/workflows/binary.yml',
        'error',
        '.github/workflows/binary.yml is binary',
      ],
      [
        'unreadable-file',
        '.github/workflows/huge.yml',
        'error',
        '.github/workflows/huge.yml is 4108 bytes, over the 2048-byte read limit',
      ],
      [
        'unreadable-file',
        '.github/workflows/linked.yml',
        'error',
        '.github/workflows/linked.yml is a symlink (to huge.yml); it is not followed',
      ],
    ]);
  });
});

describe('fingerprints, config and SARIF', () => {
  it('keeps fingerprints when lines shift, and gives identical uses: in one job distinct ones', async () => {
    const text = fixture('checkout-test');
    const fx = await repo({ '.github/workflows/test.yml': text });
    const before = await run(fx);
    await fx.write(
      '.github/workflows/test.yml',
      text.replace('jobs:\n', 'env:\n  CI: true\n\njobs:\n'),
    );
    fx.commit('shift');
    const after = await run(fx);
    expect(after.map((f) => f.line)).not.toEqual(before.map((f) => f.line));
    expect(after.map((f) => f.fingerprint)).toEqual(before.map((f) => f.fingerprint));
    expect(new Set(before.map((f) => f.fingerprint)).size).toBe(before.length);
  });

  it('switches rules off and refuses to switch off malformed-file', async () => {
    const fx = await repo(
      { '.github/workflows/test.yml': fixture('checkout-test') },
      'extends: autopack:recommended\nactions-pinning:\n  rules:\n    missing-permissions: off\n    unpinned-action: warning\n',
    );
    const findings = await run(fx);
    expect(findings.map((f) => `${f.ruleId}:${f.severity}`)).toEqual([
      'unpinned-action:warning',
      'unpinned-action:warning',
      'unpinned-action:warning',
      'unpinned-action:warning',
      'unpinned-docker-image:error',
    ]);
    const bad = await repo(
      {},
      'extends: autopack:recommended\nactions-pinning:\n  rules:\n    malformed-file: off\n',
    );
    const err = await run(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(String((err as Error).message)).toMatch(/autopack\.yml:4:/);
  });

  it('rejects an allow-tags entry with a ref, naming the line', async () => {
    const fx = await repo(
      {},
      "extends: autopack:recommended\nactions-pinning:\n  allow-tags:\n    - 'actions/checkout@v4'\n",
    );
    const err = await run(fx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(String((err as Error).message)).toMatch(/autopack\.yml:4:.*without a ref/);
  });

  it('writes SARIF results with the rule id and the region of the uses: value', async () => {
    const fx = await repo({ '.github/workflows/test.yml': fixture('checkout-test') });
    const { report } = await runCheck(fx.dir, 'actions-pinning');
    const sarif = JSON.parse(formatSarif(report)) as {
      runs: Array<{
        tool: { driver: { rules: Array<{ id: string }> } };
        results: Array<{
          ruleId: string;
          partialFingerprints: Record<string, string>;
          locations: Array<{
            physicalLocation: { region: { startLine: number; startColumn: number } };
          }>;
        }>;
      }>;
    };
    const run0 = sarif.runs[0]!;
    expect(run0.tool.driver.rules.map((r) => r.id)).toEqual(
      expect.arrayContaining([
        'actions-pinning/unpinned-action',
        'actions-pinning/unpinned-reusable-workflow',
        'actions-pinning/dangerous-pull-request-target',
        'actions-pinning/malformed-file',
      ]),
    );
    const first = run0.results.find((r) => r.ruleId === 'actions-pinning/unpinned-action')!;
    const { line, column } = locate(fixture('checkout-test'), 'actions/setup-node@v4');
    expect(first.locations[0]?.physicalLocation.region).toMatchObject({
      startLine: line,
      startColumn: column,
    });
    expect(first.partialFingerprints['autopack/v1']).toMatch(/^[0-9a-f]{32}$/);
  });
});
