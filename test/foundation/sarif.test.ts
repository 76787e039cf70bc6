/**
 * The SARIF reporter against the OFFICIAL OASIS SARIF 2.1.0 schema (vendored, draft-04, checked
 * with ajv-draft-04 + ajv-formats, as codeql-action checks a file before upload), plus GitHub code
 * scanning's ingestion rules that the schema does not express.
 */
import { readFileSync } from 'node:fs';
import AjvDraft04Import from 'ajv-draft-04';
import addFormatsImport from 'ajv-formats';
import type { Ajv as AjvCore, Options, ValidateFunction } from 'ajv';
import type { Log, Result } from 'sarif';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../checks/model.js';
import {
  GITHUB_MAX_RESULTS_PER_RUN,
  SARIF_SCHEMA_URI,
  formatSarif,
  pathToUri,
  toSarif,
} from '../../checks/report/sarif.js';
import type { Fixture } from '../helpers/git-fixture.js';
import { ODD_NAMES, PLANTED_TOKEN, TEST_CHECKS, bigReport, buildReport } from './report-fixture.js';

// Both are CommonJS modules with a `default` export; under NodeNext the import may be the
// module object or the default itself, depending on the loader.
const cjsDefault = <T>(m: unknown): T => ((m as { default?: unknown }).default ?? m) as T;
const AjvDraft04 = cjsDefault<new (opts?: Options) => AjvCore>(AjvDraft04Import);
const addFormats = cjsDefault<(ajv: AjvCore) => AjvCore>(addFormatsImport);

const schema = JSON.parse(
  readFileSync(new URL('../../schemas/vendor/sarif-schema-2.1.0.json', import.meta.url), 'utf8'),
) as { id: string };

let validate: ValidateFunction;
let repo: Fixture;
let report: Report;
let log: Log;
let text: string;

beforeAll(async () => {
  const ajv = new AjvDraft04({ allErrors: true, strict: false });
  addFormats(ajv);
  validate = ajv.compile(schema);
  ({ repo, report } = await buildReport());
  text = formatSarif(report, TEST_CHECKS);
  log = JSON.parse(text) as Log;
});
afterAll(async () => repo?.cleanup());

function expectValid(value: unknown) {
  const ok = validate(value);
  expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
  expect(ok).toBe(true);
}

/** GitHub code scanning's ingestion rules (sarif-sdk GH1001..GH2012, docs.github.com limits). */
function githubIngestionProblems(l: Log): string[] {
  const problems: string[] = [];
  if (!l.$schema || !/2\.1\.0(\.json)?$/.test(l.$schema))
    problems.push('$schema must name the final 2.1.0 schema');
  if (l.runs.length > 20) problems.push('more than 20 runs');
  for (const run of l.runs) {
    if (!run.tool.driver.name) problems.push('driver.name');
    if (!run.tool.driver.rules) problems.push('driver.rules');
    if ((run.results ?? []).length > GITHUB_MAX_RESULTS_PER_RUN)
      problems.push('more than 25,000 results');
    for (const rule of run.tool.driver.rules ?? []) {
      if (!rule.shortDescription?.text?.trim()) problems.push(`${rule.id}: shortDescription`);
      if (!rule.fullDescription?.text?.trim()) problems.push(`${rule.id}: fullDescription`);
      if (!rule.help?.text?.trim()) problems.push(`${rule.id}: help.text`);
    }
    for (const [i, r] of (run.results ?? []).entries()) {
      if (!r.message.text?.trim()) problems.push(`result ${i}: message.text`);
      if (!r.locations?.length) problems.push(`result ${i}: expected at least one location`);
      for (const loc of r.locations ?? []) {
        const uri = loc.physicalLocation?.artifactLocation?.uri;
        if (!uri) problems.push(`result ${i}: physicalLocation.artifactLocation.uri`);
        else if (/^[a-z][a-z0-9+.-]*:/i.test(uri) || uri.startsWith('/'))
          problems.push(`result ${i}: uri not relative`);
        const region = loc.physicalLocation?.region;
        if (!region?.startLine) problems.push(`result ${i}: region.startLine`);
        if (region?.endLine !== undefined && region.endLine < (region.startLine ?? 0))
          problems.push(`result ${i}: endLine`);
      }
      if (r.ruleIndex !== undefined && run.tool.driver.rules?.[r.ruleIndex]?.id !== r.ruleId) {
        problems.push(`result ${i}: ruleIndex does not point at ruleId`);
      }
    }
  }
  return problems;
}

describe('the vendored schema and the validator', () => {
  it('is the official OASIS SARIF 2.1.0 errata01 schema', () => {
    expect(schema.id).toBe(SARIF_SCHEMA_URI);
  });

  it('rejects logs that break it (so a pass means something)', () => {
    const bad = JSON.parse(text) as Log;
    (bad.runs[0]!.results![0] as unknown as { level: string }).level = 'notice';
    expect(validate(bad)).toBe(false);
    const noVersion = { ...JSON.parse(text), version: '2.0.0' };
    expect(validate(noVersion)).toBe(false);
    const badUri = JSON.parse(text) as Log;
    badUri.runs[0]!.results![0]!.locations![0]!.physicalLocation!.artifactLocation!.uri =
      'has space';
    expect(validate(badUri)).toBe(false);
    const extra = JSON.parse(text) as Log & { bogus?: number };
    extra.bogus = 1;
    expect(validate(extra)).toBe(false);
  });
});

describe('a real report as SARIF', () => {
  it('is valid against the official SARIF 2.1.0 schema', () => {
    expectValid(log);
  });

  it('meets GitHub code scanning ingestion rules', () => {
    expect(githubIngestionProblems(log)).toEqual([]);
  });

  it('names each rule <check-id>/<rule-id>, with its level and a partial fingerprint', () => {
    const results = log.runs[0]!.results!;
    const ids = results.map((r) => r.ruleId);
    expect(ids).toContain('workspace-structure/required-file');
    expect(ids).toContain('workspace-structure/forbidden-path');
    expect(ids).toContain('drift/forbidden-pattern');
    expect(ids).toContain('drift/stale-note');
    expect(ids).toContain('sot/internal-error');
    const all = report.results.flatMap((r) => r.findings);
    expect(results).toHaveLength(all.length);
    for (const [i, r] of results.entries()) {
      const f = all[i]!;
      expect(r.ruleId).toBe(`${f.checkId}/${f.ruleId}`);
      expect(r.level).toBe({ error: 'error', warning: 'warning', notice: 'note' }[f.severity]);
      expect(r.partialFingerprints).toEqual({ 'autopack/v1': f.fingerprint });
    }
    const rules = log.runs[0]!.tool.driver.rules!;
    expect(rules.find((r) => r.id === 'workspace-structure/required-file')).toMatchObject({
      name: 'WorkspaceStructureRequiredFile',
      shortDescription: { text: 'A file the policy requires is missing.' },
      help: { text: 'Add the file.' },
      defaultConfiguration: { level: 'error' },
    });
    // A rule only seen in findings still gets a descriptor (with the finding's help).
    expect(rules.find((r) => r.id === 'drift/stale-note')?.defaultConfiguration?.level).toBe(
      'note',
    );
  });

  it('locates a line finding with 1-based line and column range', () => {
    const r = log.runs[0]!.results!.find((x) => x.ruleId === 'drift/forbidden-pattern')!;
    expect(r.locations![0]!.physicalLocation).toEqual({
      artifactLocation: { uri: 'config/app.env', uriBaseId: '%SRCROOT%' },
      region: { startLine: 2, startColumn: 14, endLine: 2, endColumn: 54 },
    });
    expect(r.baselineState).toBe('new');
    expect(r.properties).not.toHaveProperty('baselineState');
  });

  it('anchors a repository-level finding at the config file, and a file-level one at line 1', () => {
    const results = log.runs[0]!.results!;
    const repoLevel = results.find((x) => x.ruleId === 'workspace-structure/required-file')!;
    expect(repoLevel.locations![0]!.physicalLocation).toEqual({
      artifactLocation: { uri: '.github/autopack.yml', uriBaseId: '%SRCROOT%' },
      region: { startLine: 1 },
    });
    expect(repoLevel.properties).toEqual({ autopackAnchor: 'repository' });
    const fileLevel = results.find((x) => x.ruleId === 'workspace-structure/forbidden-path')!;
    expect(fileLevel.locations![0]!.physicalLocation!.region).toEqual({ startLine: 1 });
    expect(fileLevel.properties).toEqual({ autopackAnchor: 'file' });
  });

  it('encodes odd file names as one relative URI each, decoding back to the path', () => {
    const uris = log.runs[0]!.results!.map(
      (r) => r.locations![0]!.physicalLocation!.artifactLocation!.uri!,
    );
    for (const name of ODD_NAMES) {
      const uri = pathToUri(name);
      expect(uris).toContain(uri);
      expect(uri.split('/').map(decodeURIComponent).join('/')).toBe(name);
      expect(uri).not.toMatch(/[\s#?]/);
      expect(uri.split('/')[0]).not.toContain(':'); // would read as a URI scheme
    }
  });

  it('echoes no secret anywhere (messages, properties, notifications)', () => {
    expect(text).not.toContain(PLANTED_TOKEN);
    expect(text).toContain('[REDACTED]');
  });

  it('says which check could not complete, and that the run was not fully successful', () => {
    const inv = log.runs[0]!.invocations![0]!;
    expect(inv.executionSuccessful).toBe(false);
    expect(inv.toolExecutionNotifications).toEqual([
      { level: 'error', message: { text: 'The sot check could not complete.' } },
    ]);
  });

  it('carries no placeholder provenance for a local source, and real provenance for a GitHub one', () => {
    expect(log.runs[0]!.versionControlProvenance).toBeUndefined();
    const gh = toSarif(bigReport(1));
    expect(gh.runs[0]!.versionControlProvenance).toEqual([
      { repositoryUri: 'https://github.com/octo-org/octo-repo', revisionId: 'a'.repeat(40) },
    ]);
    expectValid(gh);
  });
});

describe('edge cases', () => {
  it('an empty report is a valid log with no results', () => {
    const empty: Report = {
      tool: { name: 'autopack', version: '0.1.0' },
      source: 'local:/x',
      results: [],
      totals: { error: 0, warning: 0, notice: 0 },
    };
    const l = toSarif(empty, []);
    expectValid(l);
    expect(l.runs[0]!.results).toEqual([]);
    expect(githubIngestionProblems(l)).toEqual([]);
  });

  it('drops an inconsistent end position instead of writing an invalid region', () => {
    const r = bigReport(1);
    Object.assign(r.results[0]!.findings[0]!, { line: 5, column: 10, endLine: 3, endColumn: 2 });
    const region = toSarif(r).runs[0]!.results![0]!.locations![0]!.physicalLocation!.region!;
    expect(region).toEqual({ startLine: 5, startColumn: 10 });
  });

  it(`keeps at most ${GITHUB_MAX_RESULTS_PER_RUN.toLocaleString('en-US')} results, errors first, and says so`, () => {
    const big = bigReport(GITHUB_MAX_RESULTS_PER_RUN + 30, 20);
    const l = toSarif(big);
    const results = l.runs[0]!.results as Result[];
    expect(results).toHaveLength(GITHUB_MAX_RESULTS_PER_RUN);
    const errors = big.results[0]!.findings.filter((f) => f.severity === 'error').length;
    expect(results.filter((r) => r.level === 'error')).toHaveLength(errors);
    expect(l.runs[0]!.invocations![0]!.toolExecutionNotifications![0]!.message.text).toMatch(
      /^30 of 25030 results were left out/,
    );
    expect(githubIngestionProblems(l)).toEqual([]);
    expectValid(l);
  });
});
