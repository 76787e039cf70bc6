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

/**
 * Escapes redacted text for plain Markdown (a table cell, a list item): Markdown punctuation is
 * backslash-escaped so file content cannot inject links, images, emphasis or HTML; newlines
 * become spaces; `@name` gets a zero-width space so echoed text never mentions anyone (an issue
 * body would notify them).
 */
export function mdText(s: string): string {
  return redact(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]~|!#]/g, (c) => `\\${c}`)
    .replace(/@(?=[A-Za-z0-9])/g, '@\u200b')
    .replace(/\r?\n|\r/g, ' ');
}

/**
 * Redacted text as one inline code span that survives any content: the fence is longer than
 * any backtick run inside, pipes are escaped (GFM tables split on them even in code), newlines
 * become spaces.
 */
export function mdCode(s: string): string {
  const body = redact(s)
    .replace(/\r?\n|\r/g, ' ')
    .replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = body.startsWith('`') || body.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

const ICON: Record<string, string> = { error: '🔴', warning: '🟡', notice: '🔵' };

/**
 * Markdown for one check's result, as a Check Run summary shows it: a one-line verdict, the
 * check's own summary (tables, burndown), then a findings table. Never longer than `limit`
 * characters (UTF-16 code units, GitHub's `output.summary` limit by default): the check's summary
 * is cut first if it alone would not fit, then findings are left out with a note saying how many.
 */
export function formatCheckMarkdown(r: CheckResult, limit = GITHUB_SUMMARY_LIMIT): string {
  const n = r.findings.length;
  const counts = countBySeverity(r.findings);
  let text =
    n === 0
      ? `✅ **autopack/${r.checkId}**: no findings.\n`
      : `${r.conclusion === 'failure' ? '❌' : '⚠️'} **autopack/${r.checkId}**: ${counts}.\n`;
  if (r.summary) {
    const summary = redact(r.summary);
    // With findings to show, the check's own summary gets at most half of the space.
    const budget = (n ? Math.floor(limit / 2) : limit) - text.length - 200;
    if (summary.length + 2 <= budget) text += `\n${summary}\n`;
    else if (budget > 200) {
      let cut = summary.slice(0, budget - 120); // the note below is shorter than 120 characters
      const nl = cut.lastIndexOf('\n');
      if (nl > cut.length / 2) cut = cut.slice(0, nl);
      const left = (summary.length - cut.length).toLocaleString('en-US');
      text += `\n${cut}\n\n_…the check's summary was cut here: ${left} more characters._\n`;
    }
  }
  if (n === 0) return clip(text, limit);
  text += '\n| | Rule | Location | Finding |\n|---|---|---|---|\n';
  for (let i = 0; i < n; i++) {
    const row = findingRow(r.findings[i]!);
    const note = `\n_…and ${n - i} more finding(s) not shown: the summary is limited to ${limit.toLocaleString('en-US')} characters. Run \`autopack check\` locally for the full list._\n`;
    if (text.length + row.length + note.length + 100 > limit) return clip(text + note, limit);
    text += row;
  }
  return clip(text, limit);
}

/** Last resort for tiny limits: never return more than `limit` characters. */
function clip(text: string, limit: number): string {
  return text.length <= limit ? text : text.slice(0, Math.max(0, limit - 1)) + '…';
}

function findingRow(f: Finding): string {
  const loc = f.path ? mdCode(`${f.path}${f.line ? `:${f.line}` : ''}`) : '—';
  const help = f.help ? `<br>→ ${mdText(f.help)}` : '';
  return `| ${ICON[f.severity]} | ${mdCode(f.ruleId)} | ${loc} | ${mdText(f.message)}${help} |\n`;
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
 * table of every check, then each check's section. Never longer than `limit` characters: the
 * space left is shared among the remaining checks in turn (a short section leaves more to the
 * next), and when a section can no longer get a useful share the rest are left out with a note
 * (the overview table still counts their findings).
 */
export function formatMarkdown(report: Report, limit = GITHUB_SUMMARY_LIMIT): string {
  const lines = [
    '## Autopack',
    '',
    '| Check | Conclusion | Errors | Warnings | Notices |',
    '|---|---|---|---|---|',
  ];
  for (const r of report.results) {
    const c = { error: 0, warning: 0, notice: 0 };
    for (const f of r.findings) c[f.severity]++;
    lines.push(
      `| \`autopack/${r.checkId}\` | ${r.conclusion} | ${c.error} | ${c.warning} | ${c.notice} |`,
    );
  }
  let text = lines.join('\n') + '\n';
  const results = report.results;
  for (let i = 0; i < results.length; i++) {
    const r = results[i]!;
    const header = `\n### autopack/${r.checkId}\n\n`;
    const share = Math.floor((limit - text.length - 200) / (results.length - i)) - header.length;
    if (share < 300) {
      text += `\n_…${results.length - i} more check section(s) left out: the summary is limited to ${limit.toLocaleString('en-US')} characters._\n`;
      break;
    }
    text += header + formatCheckMarkdown(r, share);
  }
  return clip(text, limit);
}
