/**
 * The JSON reporter against schemas/report.schema.json: real reports (the real runner over a real
 * git fixture, with and without `--base`) validate, and the schema is strict enough that a pass
 * means something.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_IDS, type Report } from '../../checks/model.js';
import { REPORT_SCHEMA_VERSION, formatJson } from '../../checks/report/json.js';
import { runChecks } from '../../checks/runner.js';
import { resolveConfig } from '../../policies/load.js';
import { loadLocalSnapshot } from '../../snapshots/local.js';
import type { Fixture } from '../helpers/git-fixture.js';
import { PLANTED_TOKEN, TEST_CHECKS, bigReport, buildReport } from './report-fixture.js';

const addFormats = ((addFormatsImport as unknown as { default?: unknown }).default ??
  addFormatsImport) as (ajv: Ajv) => Ajv;
const schema = JSON.parse(
  readFileSync(new URL('../../schemas/report.schema.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

let validate: ValidateFunction;
let repo: Fixture;
let report: Report;

beforeAll(async () => {
  const ajv = new Ajv({ allErrors: true, strict: true });
  addFormats(ajv);
  validate = ajv.compile(schema);
  ({ repo, report } = await buildReport());
});
afterAll(async () => repo?.cleanup());

function expectValid(value: unknown) {
  const ok = validate(value);
  expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
  expect(ok).toBe(true);
}

describe('real reports validate against schemas/report.schema.json', () => {
  it('a report with every finding shape, a summary, stats and a failed check', () => {
    const out = JSON.parse(formatJson(report)) as Record<string, unknown>;
    expectValid(out);
    expect(out.$schema).toBe(schema.$id);
    expect(out.schemaVersion).toBe(REPORT_SCHEMA_VERSION);
    expect(out.headSha).toBe(repo.git('rev-parse', 'HEAD').trim());
  });

  it('a --base report carries baseRef', async () => {
    repo.git('checkout', '-q', '-b', 'feature');
    await repo.write('LICENSE', 'MIT\n');
    repo.commit('licence');
    const snapshot = await loadLocalSnapshot(repo.dir, { baseRef: 'main' });
    const config = await resolveConfig({ readFile: async () => undefined });
    const r = await runChecks({
      snapshot,
      config,
      checks: TEST_CHECKS,
      only: ['workspace-structure'],
    });
    const out = JSON.parse(formatJson(r)) as Record<string, unknown>;
    expectValid(out);
    expect(out.baseRef).toBe('main');
  });

  it('a report from a GitHub source with many findings', () => {
    expectValid(JSON.parse(formatJson(bigReport(500))));
  });

  it('an empty report (no check selected)', () => {
    const empty: Report = {
      tool: { name: 'autopack', version: '0.1.0' },
      source: 'local:/x',
      results: [],
      totals: { error: 0, warning: 0, notice: 0 },
    };
    expectValid(JSON.parse(formatJson(empty)));
  });
});

describe('the JSON output itself', () => {
  it('is redacted everywhere and rounds durations', () => {
    const text = formatJson(report);
    expect(text).not.toContain(PLANTED_TOKEN);
    const out = JSON.parse(text) as { results: Array<{ durationMs: number }> };
    for (const r of out.results) expect(Number.isInteger(r.durationMs)).toBe(true);
  });

  it('keeps every field of the report model (nothing dropped, nothing renamed)', () => {
    const out = JSON.parse(formatJson(report)) as Report;
    expect(out.totals).toEqual(report.totals);
    expect(out.results.map((r) => [r.checkId, r.conclusion, r.findings.length])).toEqual(
      report.results.map((r) => [r.checkId, r.conclusion, r.findings.length]),
    );
    const f = report.results[1]!.findings[0]!;
    const g = out.results[1]!.findings[0]!;
    expect(Object.keys(g).sort()).toEqual(Object.keys(f).sort());
  });
});

describe('the schema is strict (a pass means something)', () => {
  const good = () =>
    JSON.parse(formatJson(report)) as Record<string, unknown> & {
      results: Array<Record<string, unknown>>;
    };

  it('the check ids in the schema are exactly the model’s', () => {
    const defs = schema.definitions as Record<string, { enum?: string[] }>;
    expect(defs.checkId?.enum).toEqual([...CHECK_IDS]);
  });

  it.each([
    ['an unknown top-level key', (o: ReturnType<typeof good>) => Object.assign(o, { extra: 1 })],
    [
      'a wrong schemaVersion',
      (o: ReturnType<typeof good>) => Object.assign(o, { schemaVersion: 2 }),
    ],
    ['a missing totals', (o: ReturnType<typeof good>) => delete o.totals],
    [
      'an unknown check id',
      (o: ReturnType<typeof good>) => Object.assign(o.results[0]!, { checkId: 'lint' }),
    ],
    [
      'an unknown conclusion',
      (o: ReturnType<typeof good>) => Object.assign(o.results[0]!, { conclusion: 'passed' }),
    ],
    [
      'a severity outside error/warning/notice',
      (o: ReturnType<typeof good>) =>
        Object.assign((o.results[1]!.findings as Array<Record<string, unknown>>)[0]!, {
          severity: 'info',
        }),
    ],
    [
      'a 0-based line',
      (o: ReturnType<typeof good>) =>
        Object.assign((o.results[1]!.findings as Array<Record<string, unknown>>)[0]!, { line: 0 }),
    ],
    [
      'a finding without a fingerprint',
      (o: ReturnType<typeof good>) =>
        delete (o.results[1]!.findings as Array<Record<string, unknown>>)[0]!.fingerprint,
    ],
    [
      'a fractional duration',
      (o: ReturnType<typeof good>) => Object.assign(o.results[0]!, { durationMs: 1.5 }),
    ],
  ])('rejects %s', (_name, mutate) => {
    const o = good();
    mutate(o);
    expect(validate(o)).toBe(false);
  });
});
