import { redact } from '../redact.js';
import type { CheckResult, Finding, Report } from '../model.js';

/** GitHub's limit for a Check Run `output.summary` and a job summary step (characters). */
export const GITHUB_SUMMARY_LIMIT = 65_535;

/** Escapes text for a Markdown table cell or inline use (pipes, backticks, angle brackets, newlines). */
export function mdEscape(s: string): string {
  return redact(s)
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/`/g, '\\`')
    .replace(/\r?\n/g, ' ');
}

const ICON: Record<string, string> = { error: '🔴', warning: '🟡', notice: '🔵' };

/**
 * Markdown for one check's result, as a Check Run summary shows it: a one-line verdict, the
 * check's own summary (tables, burndown), then a findings table. Cut cleanly at `limit`
 * characters with a note that says how many findings were left out.
 */
export function formatCheckMarkdown(r: CheckResult, limit = GITHUB_SUMMARY_LIMIT): string {
  const head: string[] = [];
  const n = r.findings.length;
  const counts = countBySeverity(r.findings);
  head.push(
    n === 0
      ? `✅ **autopack/${r.checkId}**: no findings.`
      : `${r.conclusion === 'failure' ? '❌' : '⚠️'} **autopack/${r.checkId}**: ${counts}.`,
  );
  if (r.summary) head.push('', redact(r.summary));
  if (n === 0) return head.join('\n') + '\n';
  head.push('', '| | Rule | Location | Finding |', '|---|---|---|---|');
  let text = head.join('\n') + '\n';
  for (let i = 0; i < n; i++) {
    const row = findingRow(r.findings[i]!);
    const note = `\n_…and ${n - i} more finding(s) not shown: the summary is limited to ${limit.toLocaleString('en-US')} characters. Run \`autopack check\` locally for the full list._\n`;
    if (text.length + row.length + note.length + 200 > limit) return text + note;
    text += row;
  }
  return text;
}

function findingRow(f: Finding): string {
  const loc = f.path ? `\`${mdEscape(f.path)}${f.line ? `:${f.line}` : ''}\`` : '—';
  const help = f.help ? `<br>→ ${mdEscape(f.help)}` : '';
  return `| ${ICON[f.severity]} | \`${f.ruleId}\` | ${loc} | ${mdEscape(f.message)}${help} |\n`;
}

function countBySeverity(findings: readonly Finding[]): string {
  const c = { error: 0, warning: 0, notice: 0 };
  for (const f of findings) c[f.severity]++;
  return (['error', 'warning', 'notice'] as const)
    .filter((k) => c[k])
    .map((k) => `${c[k]} ${k}${c[k] === 1 ? '' : 's'}`)
    .join(', ');
}

/**
 * Markdown for a whole report (the Action's job summary, `--format markdown`): an overview
 * table of checks, then each check's section; cut at `limit` characters with a note.
 */
export function formatMarkdown(report: Report, limit = GITHUB_SUMMARY_LIMIT): string {
  const lines = ['## Autopack', '', '| Check | Conclusion | Errors | Warnings | Notices |', '|---|---|---|---|---|'];
  for (const r of report.results) {
    const c = { error: 0, warning: 0, notice: 0 };
    for (const f of r.findings) c[f.severity]++;
    lines.push(`| \`autopack/${r.checkId}\` | ${r.conclusion} | ${c.error} | ${c.warning} | ${c.notice} |`);
  }
  let text = lines.join('\n') + '\n';
  const per = Math.max(2_000, Math.floor((limit - text.length) / Math.max(1, report.results.length)));
  for (const r of report.results) {
    const section = `\n### autopack/${r.checkId}\n\n${formatCheckMarkdown(r, per)}`;
    if (text.length + section.length > limit - 200) {
      text += `\n_Further checks were left out: the summary is limited to ${limit.toLocaleString('en-US')} characters._\n`;
      break;
    }
    text += section;
  }
  return text;
}
