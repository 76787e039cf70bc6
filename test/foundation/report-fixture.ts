/**
 * Builds real Reports for the reporter tests: the real runner over a real `git init` fixture,
 * with two small test checks whose findings cover every shape a reporter must handle (a
 * repository-level finding, a file-level one, line/column ranges, odd file names, secrets in
 * messages, each severity, a `baselineState`, a check that throws).
 */
import { fingerprint } from '../../checks/fingerprint.js';
import type { Check, Finding, Report } from '../../checks/model.js';
import { runChecks } from '../../checks/runner.js';
import { resolveConfig } from '../../policies/load.js';
import { loadLocalSnapshot } from '../../snapshots/local.js';
import { gitFixture, type Fixture } from '../helpers/git-fixture.js';

/** A GitHub token shape planted in a fixture file; no reporter may echo it. */
export const PLANTED_TOKEN = 'ghp_' + 'Q'.repeat(36);

/** File names that need encoding in URIs, escaping in Markdown and care in terminals. */
export const ODD_NAMES = ['docs/with space.md', 'ünï/文件#1?.md', 'a:b|c`d.md', 'x<y>&z.md'];

const structureCheck: Check = {
  id: 'workspace-structure',
  title: 'Workspace structure (test double)',
  rules: [
    {
      id: 'required-file',
      description: 'A file the policy requires is missing.',
      help: 'Add the file.',
      defaultSeverity: 'error',
    },
    {
      id: 'forbidden-path',
      description: 'A tracked path the policy forbids.',
      help: 'Remove it from git.',
      defaultSeverity: 'error',
    },
  ],
  async run({ snapshot }) {
    const findings: Finding[] = [];
    if (!snapshot.hasFile('LICENSE')) {
      findings.push({
        checkId: 'workspace-structure',
        ruleId: 'required-file',
        severity: 'error',
        message: 'required file LICENSE is missing',
        help: 'Add a LICENSE file at the repository root.',
        fingerprint: fingerprint('workspace-structure', 'required-file', 'LICENSE'),
      });
    }
    for (const f of snapshot.files) {
      if (ODD_NAMES.includes(f.path)) {
        findings.push({
          checkId: 'workspace-structure',
          ruleId: 'forbidden-path',
          severity: 'warning',
          message: `odd name ${f.path}`,
          path: f.path,
          fingerprint: fingerprint('workspace-structure', 'forbidden-path', f.path),
        });
      }
    }
    return { findings, stats: { files: snapshot.files.length } };
  },
};

const contentCheck: Check = {
  id: 'drift',
  title: 'Drift (test double)',
  rules: [
    {
      id: 'forbidden-pattern',
      description: 'A forbidden pattern in a document.',
      help: 'Replace it.',
      defaultSeverity: 'error',
    },
  ],
  async run({ snapshot }) {
    const findings: Finding[] = [];
    for (const f of snapshot.files) {
      const c = await snapshot.read(f.path);
      if (c.kind !== 'text') continue;
      for (const [i, line] of c.text.split('\n').entries()) {
        const col = line.indexOf('ghp_');
        if (col >= 0) {
          findings.push({
            checkId: 'drift',
            ruleId: 'forbidden-pattern',
            severity: 'error',
            message: `token in ${f.path}: ${line}`,
            path: f.path,
            line: i + 1,
            column: col + 1,
            endLine: i + 1,
            endColumn: col + 1 + 40,
            fingerprint: fingerprint('drift', 'forbidden-pattern', f.path, line),
            properties: { baselineState: 'new', matched: line },
          });
        }
      }
    }
    findings.push({
      checkId: 'drift',
      ruleId: 'stale-note',
      severity: 'notice',
      message: 'a notice without a registered rule',
      path: 'README.md',
      line: 1,
      fingerprint: fingerprint('drift', 'stale-note'),
    });
    return { findings, summary: `Scanned ${snapshot.files.length} files | with a pipe` };
  },
};

const throwingCheck: Check = {
  id: 'sot',
  title: 'SOT (throws)',
  rules: [],
  async run() {
    throw new Error(`boom with ${PLANTED_TOKEN}`);
  },
};

/** The test checks, for callers that want SARIF rule metadata from them. */
export const TEST_CHECKS: readonly Check[] = [structureCheck, contentCheck, throwingCheck];

/** A repository fixture with the shapes above, and the Report the runner makes of it. */
export async function buildReport(): Promise<{ repo: Fixture; report: Report }> {
  const files: Record<string, string> = {
    'README.md': '# Fixture\n',
    'config/app.env': `first line\nGITHUB_TOKEN=${PLANTED_TOKEN}\n`,
  };
  for (const n of ODD_NAMES) files[n] = 'odd\n';
  const repo = await gitFixture(files);
  const snapshot = await loadLocalSnapshot(repo.dir);
  const config = await resolveConfig({ readFile: async () => undefined });
  const report = await runChecks({
    snapshot,
    config,
    checks: TEST_CHECKS,
    only: ['workspace-structure', 'drift', 'sot'],
  });
  return { repo, report };
}

/** A synthetic report of `n` findings for one check (for size limits). */
export function bigReport(n: number, messageLength = 80): Report {
  const findings: Finding[] = Array.from({ length: n }, (_, i) => ({
    checkId: 'drift',
    ruleId: i % 3 === 0 ? 'broken-link' : 'forbidden-pattern',
    severity: i % 3 === 0 ? 'error' : i % 3 === 1 ? 'warning' : 'notice',
    message: `finding ${i} `.padEnd(messageLength, 'x'),
    path: `docs/page-${i}.md`,
    line: (i % 50) + 1,
    fingerprint: fingerprint('drift', 'big', i),
  }));
  const totals = { error: 0, warning: 0, notice: 0 };
  for (const f of findings) totals[f.severity]++;
  return {
    tool: { name: 'autopack', version: '0.1.0' },
    source: 'github:octo-org/octo-repo@' + 'a'.repeat(40),
    headSha: 'a'.repeat(40),
    results: [
      { checkId: 'drift', title: 'Drift', conclusion: 'failure', findings, durationMs: 12.6 },
    ],
    totals,
  };
}
