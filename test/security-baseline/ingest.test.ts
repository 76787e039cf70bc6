/**
 * SARIF ingestion and identity on real logs: CodeQL (github/codeql-action test data), Semgrep
 * (semgrep's own e2e snapshots), Trivy (its integration golden file), ESLint (produced here with
 * @microsoft/eslint-formatter-sarif). Provenance: test/fixtures/sarif/README.md.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Log } from 'sarif';
import { extractFindings, snapshotReader } from '../../checks/security-baseline/extract.js';
import { computeLineHashes } from '../../checks/security-baseline/linehash.js';
import { parseSarifFile } from '../../checks/security-baseline/sarif.js';
import type { SarifFinding } from '../../checks/security-baseline/types.js';
import { loadLocalSnapshot } from '../../snapshots/local.js';
import { gitFixture, type Fixture } from '../helpers/git-fixture.js';
import { fixture, sarifInput } from './helpers.js';

function parsed(rel: string): { file: string; log: Log } {
  const r = parseSarifFile(sarifInput(rel));
  if (!r.ok) throw new Error(r.message);
  return { file: r.file, log: r.log };
}

async function extract(
  rels: string[],
  files: Record<string, string> = {},
): Promise<{ findings: SarifFinding[]; dup: number; suppressed: number; tools: string[] }> {
  const repo = await gitFixture({ 'README.md': '# x\n', ...files });
  try {
    const snapshot = await loadLocalSnapshot(repo.dir);
    const r = await extractFindings(
      rels.map(parsed),
      (p) => snapshot.hasFile(p),
      snapshotReader(snapshot),
    );
    return {
      findings: r.findings,
      dup: r.stats.duplicates,
      suppressed: r.stats.suppressed,
      tools: [...r.scannedTools].sort(),
    };
  } finally {
    await repo.cleanup();
  }
}

describe('primaryLocationLineHash', () => {
  it('reproduces the values of github/codeql-action src/fingerprints.test.ts', () => {
    expect(computeLineHashes('')).toEqual(['c129715d7a2bc9a3:1']);
    expect(computeLineHashes(' a\nb\n  \t\tc\n d')).toEqual([
      '271789c17abda88f:1',
      '54703d4cd895b18:1',
      '180aee12dab6264:1',
      'a23a3dc5e078b07b:1',
    ]);
    const expected = [
      'e9496ae3ebfced30:1',
      'fb7c023a8b9ccb3f:1',
      'ce8ba1a563dcdaca:1',
      'e20e36e16fcb0cc8:1',
      'b3edc88f2938467e:1',
      'c8e28b0b4002a3a0:1',
      'c129715d7a2bc9a3:1',
    ];
    expect(computeLineHashes(' hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n')).toEqual(
      expected,
    );
    expect(computeLineHashes(' hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r')).toEqual(
      expected,
    );
    expect(
      computeLineHashes(' hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n'),
    ).toEqual(expected);
    expect(computeLineHashes('Lorem ipsum dolor sit amet.\n'.repeat(10))).toEqual([
      'a7f2ff13bc495cf2:1',
      'a7f2ff13bc495cf2:2',
      'a7f2ff13bc495cf2:3',
      'a7f2ff13bc495cf2:4',
      'a7f2ff13bc495cf2:5',
      'a7f2ff13bc495cf2:6',
      'a7f2ff1481e87703:1',
      'a9cf91f7bbf1862b:1',
      '55ec222b86bcae53:1',
      'cc97dc7b1d7d8f7b:1',
      'c129715d7a2bc9a3:1',
    ]);
  });

  it('computes the fingerprints codeql-action adds to its fingerprinting test log', async () => {
    // fingerprinting.expected.sarif gives 5e4d5a9cf1294ad9:1 (testFile1.js line 1) and f7592a95a9381ac0:1 (testFile2.js line 2).
    const { findings } = await extract(['codeql/fingerprinting.input.sarif'], {
      'testFile1.js': fixture('codeql/testFile1.js.txt'),
      'testFile2.js': fixture('codeql/testFile2.js.txt'),
    });
    expect(findings.map((f) => [f.path, f.line, f.fingerprint, f.fingerprintSource])).toEqual([
      ['testFile1.js', 1, 'primaryLocationLineHash=5e4d5a9cf1294ad9:1', 'line-hash'],
      ['testFile2.js', 2, 'primaryLocationLineHash=f7592a95a9381ac0:1', 'line-hash'],
    ]);
  });
});

describe('parseSarifFile', () => {
  it('accepts the real logs of CodeQL, Semgrep, Trivy and ESLint', () => {
    for (const rel of [
      'codeql/valid-sarif.sarif',
      'semgrep/include-nosemgrep.sarif',
      'semgrep/dataflow-traces.sarif',
      'trivy/alpine-310.sarif',
      'eslint/v1.sarif',
    ]) {
      const r = parseSarifFile(sarifInput(rel));
      expect(r.ok, rel).toBe(true);
    }
  });

  it('names the file and the place of a truncated log', () => {
    const r = parseSarifFile(sarifInput('malformed/truncated-eslint.sarif'));
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.message).toMatch(
        /^malformed\/truncated-eslint\.sarif: not valid JSON \(.+ at line \d+, column \d+\); the file may be truncated$/,
      );
  });

  it('rejects a log that breaks the official schema (codeql-action invalid-sarif.sarif)', () => {
    const r = parseSarifFile(sarifInput('malformed/codeql-invalid-sarif.sarif'));
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.message).toContain(
        'malformed/codeql-invalid-sarif.sarif: does not match the SARIF 2.1.0 schema: /runs/0/results must be array',
      );
  });

  it('rejects SARIF 1.0 and non-objects with a reason', () => {
    const v1 = parseSarifFile({ path: 'old.sarif', text: '{"version":"1.0.0","runs":[]}' });
    expect(!v1.ok && v1.message).toContain('SARIF version "1.0.0" is not supported');
    const arr = parseSarifFile({ path: 'a.sarif', text: '[]' });
    expect(!arr.ok && arr.message).toContain('a SARIF log is a JSON object');
    const empty = parseSarifFile({ path: 'e.sarif', text: '  \n' });
    expect(!empty.ok && empty.message).toBe('e.sarif: the file is empty, not a SARIF log');
  });

  it('validates against the schema, not just JSON: an unknown result property fails', () => {
    const log = JSON.parse(fixture('eslint/v1.sarif'));
    log.runs[0].results[0].severity = 'high';
    const r = parseSarifFile({ path: 'x.sarif', text: JSON.stringify(log) });
    expect(!r.ok && r.message).toContain('must NOT have additional properties "severity"');
  });
});

describe('extractFindings', () => {
  it('CodeQL: takes the tool fingerprints and reads both runs of one file', async () => {
    const { findings, tools } = await extract(['codeql/valid-sarif.sarif']);
    expect(tools).toEqual(['CodeQL command-line toolchain', 'LGTM.com']);
    const lgtm = findings.filter((f) => f.tool === 'LGTM.com');
    expect(lgtm.map((f) => [f.rule, f.path, f.fingerprint, f.severity])).toEqual([
      ['js/unused-local-variable', 'main.js', 'primaryLocationLineHash=39fa2ee980eb94b0:1', 'note'],
    ]);
    const inconsistent = findings.find((f) => f.rule === 'js/inconsistent-use-of-new');
    expect(inconsistent?.touchedPaths).toEqual([
      'src/LiveQueryClient.js',
      'src/ParseObject.js',
      'src/promiseUtils.js',
    ]);
  });

  it('Semgrep: matchBasedId fingerprints, in-source suppressions skipped, code-flow paths touched', async () => {
    const a = await extract(['semgrep/include-nosemgrep.sarif']);
    expect(a.suppressed).toBe(1);
    expect(a.findings).toHaveLength(1);
    expect(a.findings[0]!.fingerprint).toMatch(/^matchBasedId\/v1=4440db75.*_1$/);
    expect(a.findings[0]!.severity).toBe('error');
    const b = await extract(['semgrep/dataflow-traces.sarif']);
    expect(b.findings[0]!.touchedPaths).toEqual(['targets/taint/taint.py']);
  });

  it('Trivy: security-severity → medium; packages sharing CVE and location stay distinct', async () => {
    const { findings } = await extract(['trivy/alpine-310.sarif']);
    expect(findings).toHaveLength(4);
    expect(new Set(findings.map((f) => f.severity))).toEqual(new Set(['medium']));
    // The image is not a repository file: no source line to hash, so the message identifies it.
    expect(findings.every((f) => f.fingerprintSource === 'message')).toBe(true);
    expect(new Set(findings.map((f) => `${f.rule} ${f.fingerprint}`)).size).toBe(4);
    expect(findings[0]!.path).toBe('testdata/fixtures/images/alpine-310.tar.gz');
  });

  it('ESLint: absolute file:// URIs map onto the tracked path; no fingerprints, so line hashes are computed', async () => {
    const { findings } = await extract(['eslint/v1.sarif'], {
      'src/app.js': fixture('eslint/app.v1.js.txt'),
    });
    expect(findings.map((f) => [f.rule, f.path, f.line, f.fingerprintSource])).toEqual([
      ['no-unused-vars', 'src/app.js', 3, 'line-hash'],
      ['no-eval', 'src/app.js', 4, 'line-hash'],
      ['no-unused-vars', 'src/app.js', 12, 'line-hash'],
      ['no-eval', 'src/app.js', 13, 'line-hash'],
    ]);
    const hashes = computeLineHashes(fixture('eslint/app.v1.js.txt'));
    expect(findings[1]!.fingerprint).toBe(`primaryLocationLineHash=${hashes[3]}`);
  });

  it('a duplicated finding (the same log given twice) is kept once and counted', async () => {
    const r = await extract(['eslint/v1.sarif', 'eslint/v1.sarif'], {
      'src/app.js': fixture('eslint/app.v1.js.txt'),
    });
    expect(r.findings).toHaveLength(4);
    expect(r.dup).toBe(4);
  });
});

let repo: Fixture;
beforeAll(async () => {
  repo = await gitFixture({ 'a.txt': 'x\n' });
});
afterAll(async () => {
  await repo.cleanup();
});

describe('path resolution', () => {
  it('follows originalUriBaseIds and artifacts[index]', async () => {
    const log = {
      version: '2.1.0',
      runs: [
        {
          tool: { driver: { name: 'T' } },
          originalUriBaseIds: { SRC: { uri: 'file:///home/runner/work/r/r/' } },
          artifacts: [{ location: { uri: 'a.txt', uriBaseId: 'SRC' } }],
          results: [
            {
              ruleId: 'r',
              message: { text: 'm' },
              locations: [
                { physicalLocation: { artifactLocation: { index: 0 }, region: { startLine: 1 } } },
              ],
            },
          ],
        },
      ],
    };
    const r = parseSarifFile({ path: 'l.sarif', text: JSON.stringify(log) });
    expect(r.ok).toBe(true);
    const snapshot = await loadLocalSnapshot(repo.dir);
    const out = await extractFindings(
      [{ file: 'l.sarif', log: (r as { log: Log }).log }],
      (p) => snapshot.hasFile(p),
      snapshotReader(snapshot),
    );
    expect(out.findings[0]!.path).toBe('a.txt');
    expect(out.findings[0]!.fingerprintSource).toBe('line-hash');
  });
});
