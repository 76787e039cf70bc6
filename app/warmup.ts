/**
 * Engine warm-up at start: the checks run a few times on a small built-in repository before the
 * server listens, so that the first webhooks after a deploy or restart do not pay for compiling
 * the checks' code (V8 compiles functions lazily, on first call). Measured with
 * bench/app-burst.mjs: the first evaluations of a fresh process took 600-900 ms against
 * 100-200 ms once warm. Nothing here touches GitHub or the process-wide caches (the sample is not
 * content-addressed, see RepoSnapshot.contentAddressed).
 */
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { silentLogger, type Check } from '../checks/model.js';
import { runChecks } from '../checks/runner.js';
import { FileIndex, decodeContent, type RepoFile, type RepoSnapshot } from '../checks/snapshot.js';
import { validateCheckConfigs } from '../checks/validate-config.js';
import { gitBlobSha } from '../github/tarball.js';
import { mainThreadArchiveReader, type ArchiveReader } from './archive-reader.js';
import { resolveConfig } from '../policies/load.js';
import { planResultRuns } from './publish.js';

/** A small repository that every check has something to do with. */
const SAMPLE: Record<string, string> = {
  'README.md':
    '# Sample\n\nSee [the guide](docs/guide.md#setup), [contributing](CONTRIBUTING.md) and ' +
    '![logo](docs/logo.png).\n\n## Usage\n\nRun `npm test`. <a href="docs/guide.md">Guide</a>\n',
  'CONTRIBUTING.md': '# Contributing\n\n| step | command |\n| --- | --- |\n| test | `npm test` |\n',
  'docs/guide.md':
    '# Guide\n\n## Setup\n\nInstall it.[^1]\n\n[^1]: A note.\n\n[ref]: ../README.md\n',
  'docs/logo.png': '\u0000PNG',
  LICENSE: 'MIT License\n',
  'SECURITY.md': 'Report vulnerabilities privately.\n',
  '.github/CODEOWNERS': '* @sample/maintainers\ndocs/ @sample/docs\n',
  '.github/workflows/ci.yml':
    'name: ci\non: [push, pull_request]\npermissions:\n  contents: read\njobs:\n  test:\n' +
    '    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n' +
    '      - uses: actions/setup-node@1d0ff469b7ec7b3cb9d8673fde0c81c44821de2a # v4.2.0\n' +
    '      - run: npm test\n',
  'package.json': '{ "name": "sample", "version": "1.0.0" }\n',
  'src/index.ts': 'export const home = "/home/sample/src";\n',
};

function sampleSnapshot(): RepoSnapshot {
  const files: RepoFile[] = Object.entries(SAMPLE)
    .map(([path, text]) => ({ path, size: Buffer.byteLength(text), kind: 'file' as const }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const index = new FileIndex(files);
  return {
    source: 'autopack:warm-up',
    files,
    problems: [],
    maxReadBytes: 1024 * 1024,
    hasFile: (p) => index.hasFile(p),
    hasDir: (d) => index.hasDir(d),
    read: async (p) => {
      const text = SAMPLE[p];
      return text === undefined ? { kind: 'missing' } : decodeContent(Buffer.from(text));
    },
  };
}

/** The sample as a gzip'd tar, laid out as GitHub's codeload serves archives. */
async function sampleArchive(): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => void chunks.push(c as Buffer));
  const ended = new Promise<void>((resolve) => p.on('end', () => resolve()));
  p.entry({ name: 'autopack-warm-up-0000000/', type: 'directory' });
  for (const [path, text] of Object.entries(SAMPLE))
    p.entry({ name: `autopack-warm-up-0000000/${path}` }, Buffer.from(text));
  p.finalize();
  await ended;
  return gzipSync(Buffer.concat(chunks));
}

/**
 * Resolves the built-in policy and runs `checks` `rounds` times on the sample, then reads the
 * sample as an archive with `reader` (which also starts a worker thread's reader) and plans its
 * Check Runs. Resolves with the time taken (ms); never rejects (a warm-up failure is only a
 * slower first webhook).
 */
export async function warmUpEngine(
  checks: readonly Check[],
  rounds = 3,
  reader: ArchiveReader = mainThreadArchiveReader,
): Promise<number> {
  const started = Date.now();
  try {
    for (let i = 0; i < rounds; i++) {
      const config = await resolveConfig({ readFile: async () => undefined });
      await validateCheckConfigs(config, checks);
      const report = await runChecks({
        snapshot: sampleSnapshot(),
        config,
        inputs: {},
        checks,
        logger: silentLogger,
      });
      // What a cold head's evaluation also runs: its archive, and the Check Runs' summaries.
      const want = new Map(
        Object.entries(SAMPLE).map(([p, text]) => [p, gitBlobSha(Buffer.from(text))]),
      );
      await reader.read(await sampleArchive(), 1024 * 1024, want);
      for (const mode of ['combined', 'per-check'] as const) {
        planResultRuns(report, {
          mode,
          maxAnnotations: 50,
          repo: { owner: 'autopack', repo: 'warm-up' },
          headSha: '0'.repeat(40),
          pullNumber: 1,
          footer: 'warm-up',
        });
      }
    }
  } catch {
    // Only a slower first evaluation.
  }
  return Date.now() - started;
}
