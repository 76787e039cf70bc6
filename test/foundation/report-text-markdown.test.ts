/**
 * The text and Markdown reporters on real reports: grouping, colour only when asked, terminal
 * safety, Markdown escaping, and GitHub's 65,535-character summary limit with its note.
 */
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { toString } from 'mdast-util-to-string';
import { gfm } from 'micromark-extension-gfm';
import type { Root, Table } from 'mdast';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprint } from '../../checks/fingerprint.js';
import type { CheckResult, Finding, Report } from '../../checks/model.js';
import {
  GITHUB_SUMMARY_LIMIT,
  formatCheckMarkdown,
  formatMarkdown,
  mdCode,
  mdText,
} from '../../checks/report/markdown.js';
import { formatText, terminalSafe } from '../../checks/report/text.js';
import type { Fixture } from '../helpers/git-fixture.js';
import { PLANTED_TOKEN, bigReport, buildReport } from './report-fixture.js';

let repo: Fixture;
let report: Report;
beforeAll(async () => {
  ({ repo, report } = await buildReport());
});
afterAll(async () => repo?.cleanup());

const ESC = '\u001b';
const parseMd = (md: string): Root =>
  fromMarkdown(md, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });
function tables(md: string): Table[] {
  const out: Table[] = [];
  const walk = (n: { type: string; children?: unknown[] }) => {
    if (n.type === 'table') out.push(n as Table);
    for (const c of n.children ?? []) walk(c as { type: string; children?: unknown[] });
  };
  walk(parseMd(md));
  return out;
}

describe('text', () => {
  it('groups by check, then by file, one line per finding, then totals', () => {
    const out = formatText(report);
    const lines = out.split('\n');
    const checkLines = lines.filter((l) => /^[✔✖●] autopack\//.test(l));
    expect(checkLines.map((l) => l.split(' ')[1])).toEqual([
      'autopack/workspace-structure',
      'autopack/drift',
      'autopack/sot',
    ]);
    expect(checkLines[0]).toMatch(
      /^✖ autopack\/workspace-structure failure, \d+ finding\(s\), \d+ ms$/,
    );
    // The repository-level finding sits under "(repository)"; each file heads its own group.
    const ws = out.slice(
      out.indexOf('autopack/workspace-structure'),
      out.indexOf('autopack/drift'),
    );
    expect(ws).toContain('\n  (repository)\n');
    expect(ws).toMatch(/\n {13}error {4}required file LICENSE is missing {2}required-file\n/);
    expect(ws).toContain('\n  docs/with space.md\n');
    const drift = out.slice(out.indexOf('autopack/drift'), out.indexOf('autopack/sot'));
    expect(drift).toMatch(
      /\n {2}config\/app\.env\n {4}2:14 {5}error {4}token in config\/app\.env: /,
    );
    expect(lines.at(-2)).toBe(
      `${report.totals.error} error(s), ${report.totals.warning} warning(s), ${report.totals.notice} notice(s) in 3 check(s)`,
    );
  });

  it('prints help under its finding', () => {
    const out = formatText(report);
    expect(out).toMatch(
      /required file LICENSE is missing.*\n\s+→ Add a LICENSE file at the repository root\./,
    );
  });

  it('has no colour unless asked, and colour when asked', () => {
    expect(formatText(report)).not.toContain(ESC);
    expect(formatText(report, { color: false })).not.toContain(ESC);
    const coloured = formatText(report, { color: true });
    expect(coloured).toContain(`${ESC}[31merror  ${ESC}[0m`);
    expect(coloured).toContain(`${ESC}[33mwarning${ESC}[0m`);
    expect(coloured).toContain(`${ESC}[1mautopack/drift${ESC}[0m`);
    // Same words, only the escapes differ.
    expect(coloured.replaceAll(new RegExp(`${ESC}\\[\\d+m`, 'g'), '')).toBe(formatText(report));
  });

  it('never echoes a secret', () => {
    expect(formatText(report)).not.toContain(PLANTED_TOKEN);
    expect(formatText(report)).toContain('[REDACTED]');
  });

  it('makes control characters in names and messages visible instead of sending them', () => {
    const r = bigReport(1);
    const f = r.results[0]!.findings[0]!;
    f.path = 'evil\u001b[2Jname\nsecond line.md';
    f.message = 'bell\u0007 and tab\there';
    const out = formatText(r);
    expect(out).not.toContain(ESC);
    expect(out).not.toContain('\u0007');
    expect(out).toContain('evil\\u001b[2Jname\\nsecond line.md');
    expect(out).toContain('bell\\u0007 and tab\\there');
    expect(terminalSafe('plain')).toBe('plain');
  });
});

describe('markdown', () => {
  it('has an overview table of every check with counts, then a section per check', () => {
    const md = formatMarkdown(report);
    const [overview] = tables(md);
    const rows = overview!.children.slice(1).map((row) => row.children.map((c) => toString(c)));
    const count = (id: string, sev: Finding['severity']) =>
      String(
        report.results.find((r) => r.checkId === id)!.findings.filter((f) => f.severity === sev)
          .length,
      );
    expect(rows).toEqual(
      report.results.map((r) => [
        `autopack/${r.checkId}`,
        r.conclusion,
        count(r.checkId, 'error'),
        count(r.checkId, 'warning'),
        count(r.checkId, 'notice'),
      ]),
    );
    for (const r of report.results) expect(md).toContain(`\n### autopack/${r.checkId}\n`);
  });

  it('renders each finding as one table row whose cells read back as the finding', () => {
    const md = formatCheckMarkdown(report.results[0]!);
    const [table] = tables(md);
    const rows = table!.children.slice(1).map((row) => row.children.map((c) => toString(c)));
    const findings = report.results[0]!.findings;
    expect(rows).toHaveLength(findings.length);
    for (const [i, f] of findings.entries()) {
      expect(rows[i]![1]).toBe(f.ruleId);
      expect(rows[i]![2]).toBe(f.path ? f.path : '—');
      expect(rows[i]![3]!.startsWith(f.message)).toBe(true);
    }
  });

  it('escapes echoed text so it cannot inject links, images, HTML or mentions', () => {
    const hostile =
      '[click](https://evil.example) ![img](x.png) <script>alert(1)</script> **bold** @octocat | pipe `tick`';
    const md = mdText(hostile);
    const tree = parseMd(`| a |\n|---|\n| ${md} |\n`);
    const types = new Set<string>();
    const walk = (n: { type: string; children?: unknown[] }) => {
      types.add(n.type);
      for (const c of n.children ?? []) walk(c as { type: string; children?: unknown[] });
    };
    const links: Array<{ url: string; text: string }> = [];
    const walkLinks = (n: { type: string; url?: string; children?: unknown[] }) => {
      if (n.type === 'link') links.push({ url: n.url!, text: toString(n as never) });
      for (const c of n.children ?? []) walkLinks(c as { type: string; children?: unknown[] });
    };
    walk(tree);
    walkLinks(tree);
    for (const t of ['image', 'html', 'strong', 'emphasis', 'inlineCode'])
      expect(types).not.toContain(t);
    // Only GFM's literal autolinks remain, which show their own target: no disguised link.
    expect(links).toEqual([{ url: 'https://evil.example', text: 'https://evil.example' }]);
    const cell = toString(tables(`| a |\n|---|\n| ${md} |\n`)[0]!.children[1]!.children[0]!);
    expect(cell.replace(/\u200b/g, '')).toBe(hostile);
    expect(md).toContain('@\u200boctocat');
  });

  it('mdCode keeps any path as one code span, backticks and pipes included', () => {
    for (const s of ['a`b.md', '``x``', 'p|q.md', 'new\nline.md', '`lead']) {
      const cell = tables(`| a |\n|---|\n| ${mdCode(s)} |\n`)[0]!.children[1]!.children[0]!;
      expect(cell.children).toHaveLength(1);
      expect(cell.children[0]!.type).toBe('inlineCode');
      expect(toString(cell).trim()).toBe(s.replace('\n', ' '));
    }
  });

  it('never echoes a secret', () => {
    expect(formatMarkdown(report)).not.toContain(PLANTED_TOKEN);
  });

  it(`stays within ${GITHUB_SUMMARY_LIMIT.toLocaleString('en-US')} characters and says how many findings were left out`, () => {
    const big = bigReport(5_000, 120);
    const md = formatCheckMarkdown(big.results[0]!);
    expect(md.length).toBeLessThanOrEqual(GITHUB_SUMMARY_LIMIT);
    const shown = tables(md)[0]!.children.length - 1;
    const m =
      /_…and (\d+) more finding\(s\) not shown: the summary is limited to 65,535 characters\. Run `autopack check` locally for the full list\._\n$/.exec(
        md,
      );
    expect(m).not.toBeNull();
    expect(shown + Number(m![1])).toBe(5_000);
    expect(shown).toBeGreaterThan(100);
    const whole = formatMarkdown(big);
    expect(whole.length).toBeLessThanOrEqual(GITHUB_SUMMARY_LIMIT);
    expect(whole).toContain('more finding(s) not shown');
  });

  it('keeps a short report whole (no note)', () => {
    const md = formatMarkdown(report);
    expect(md).not.toContain('not shown');
    expect(md).not.toContain('left out');
  });

  it('cuts a huge check summary too, and still shows findings', () => {
    const r: CheckResult = {
      ...bigReport(10).results[0]!,
      summary: Array.from({ length: 5_000 }, (_, i) => `| row ${i} | ${'x'.repeat(30)} |`).join(
        '\n',
      ),
    };
    const md = formatCheckMarkdown(r);
    expect(md.length).toBeLessThanOrEqual(GITHUB_SUMMARY_LIMIT);
    expect(md).toMatch(/_…the check's summary was cut here: [\d,]+ more characters\._/);
    expect(tables(md).at(-1)!.children).toHaveLength(11);
  });

  it('shares the space among many checks and leaves none over the limit', () => {
    const results: CheckResult[] = (
      [
        'workspace-structure',
        'drift',
        'sot',
        'actions-pinning',
        'governance',
        'security-baseline',
      ] as const
    ).map((checkId) => ({
      checkId,
      title: checkId,
      conclusion: 'failure',
      durationMs: 1,
      findings: Array.from({ length: 2_000 }, (_, i) => ({
        checkId,
        ruleId: 'some-rule',
        severity: 'error',
        message: `problem ${i} `.padEnd(100, 'y'),
        path: `p/${i}.md`,
        fingerprint: fingerprint(checkId, i),
      })),
    }));
    const r: Report = {
      tool: { name: 'autopack', version: '0.1.0' },
      source: 'local:/x',
      results,
      totals: { error: 12_000, warning: 0, notice: 0 },
    };
    for (const limit of [GITHUB_SUMMARY_LIMIT, 20_000, 3_000, 1_500]) {
      const md = formatMarkdown(r, limit);
      expect(md.length).toBeLessThanOrEqual(limit);
    }
    const md = formatMarkdown(r);
    for (const c of results) expect(md).toContain(`### autopack/${c.checkId}`);
    expect(formatMarkdown(r, 1_500)).toMatch(/more check section\(s\) left out/);
  });
});
