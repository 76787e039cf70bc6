/**
 * End to end through the real CLI and every registered check (the recommended preset, no config
 * file) on a fixture repository full of defects: the JSON output validates against
 * schemas/report.schema.json and the SARIF output against the official SARIF 2.1.0 schema and
 * GitHub's ingestion rules, whatever the checks produce.
 */
import { readFileSync } from 'node:fs';
import AjvDraft04Import from 'ajv-draft-04';
import addFormatsImport from 'ajv-formats';
import { Ajv, type Options, type ValidateFunction } from 'ajv';
import type { Log } from 'sarif';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.js';
import { gitFixture, type Fixture } from '../helpers/git-fixture.js';

const cjsDefault = <T>(m: unknown): T => ((m as { default?: unknown }).default ?? m) as T;
const AjvDraft04 = cjsDefault<new (opts?: Options) => Ajv>(AjvDraft04Import);
const addFormats = cjsDefault<(ajv: Ajv) => Ajv>(addFormatsImport);
const readJson = (rel: string) =>
  JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as object;

let repo: Fixture;
let validateReport: ValidateFunction;
let validateSarif: ValidateFunction;

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
  });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  const a = new Ajv({ allErrors: true, strict: true });
  addFormats(a);
  validateReport = a.compile(readJson('../../schemas/report.schema.json'));
  const s = new AjvDraft04({ allErrors: true, strict: false });
  addFormats(s);
  validateSarif = s.compile(readJson('../../schemas/vendor/sarif-schema-2.1.0.json'));
  repo = await gitFixture({
    'README.md': '# Demo\n\nSee [the guide](docs/missing.md) and [usage](#no-such-heading).\n',
    'docs/setup.md': 'Clone into /home/alice/src/demo and run it.\n',
    '.github/workflows/ci.yml': [
      'on: [push, pull_request_target]',
      'jobs:',
      '  build:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '        with: { ref: "${{ github.event.pull_request.head.sha }}" }',
      '      - uses: docker://alpine:3.19',
      '',
    ].join('\n'),
    'notes.bak': 'old\n',
    'node_modules/left-pad/index.js': 'module.exports = 1;\n',
    'data.db': 'SQLite format 3\n',
    'with space/ünïcode #1.md': 'odd name, [broken](nowhere.md)\n',
    'config/.env': `GITHUB_TOKEN=ghp_${'A'.repeat(36)}\n`,
  });
});
afterAll(async () => repo?.cleanup());

describe('every registered check, real CLI, recommended preset', () => {
  it('JSON output validates against schemas/report.schema.json', async () => {
    const r = await run(['check', repo.dir, '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as {
      results: Array<{ checkId: string; findings: unknown[] }>;
    };
    const ok = validateReport(report);
    expect(
      validateReport.errors ?? [],
      JSON.stringify(validateReport.errors?.slice(0, 5), null, 2),
    ).toEqual([]);
    expect(ok).toBe(true);
    const withFindings = report.results.filter((x) => x.findings.length > 0).map((x) => x.checkId);
    expect(withFindings.length).toBeGreaterThanOrEqual(2);
    expect(r.stdout).not.toContain('ghp_AAAA');
  });

  it('SARIF output validates against the official schema and GitHub ingestion rules', async () => {
    const r = await run(['check', repo.dir, '--format', 'sarif']);
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout) as Log;
    const ok = validateSarif(log);
    expect(
      validateSarif.errors ?? [],
      JSON.stringify(validateSarif.errors?.slice(0, 5), null, 2),
    ).toEqual([]);
    expect(ok).toBe(true);
    const run0 = log.runs[0]!;
    expect(run0.results!.length).toBeGreaterThan(3);
    for (const res of run0.results!) {
      expect(res.ruleId).toMatch(/^[a-z-]+\/[a-z0-9-]+$/);
      expect(res.message.text?.trim()).toBeTruthy();
      const loc = res.locations?.[0]?.physicalLocation;
      expect(loc?.artifactLocation?.uri).toBeTruthy();
      expect(loc?.region?.startLine).toBeGreaterThanOrEqual(1);
      expect(run0.tool.driver.rules![res.ruleIndex!]!.id).toBe(res.ruleId);
    }
    for (const rule of run0.tool.driver.rules!) {
      expect(rule.shortDescription?.text?.trim()).toBeTruthy();
      expect(rule.fullDescription?.text?.trim()).toBeTruthy();
      expect(rule.help?.text?.trim()).toBeTruthy();
    }
    expect(r.stdout).not.toContain('ghp_AAAA');
  });

  it('Markdown output stays within the summary limit and echoes no secret', async () => {
    const r = await run(['check', repo.dir, '--format', 'markdown']);
    expect(r.code).toBe(1);
    expect(r.stdout.length).toBeLessThanOrEqual(65_535);
    expect(r.stdout).not.toContain('ghp_AAAA');
  });
});
