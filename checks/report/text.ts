import { redact } from '../redact.js';
import type { Finding, Report } from '../model.js';

/** Options for {@link formatText}. */
export interface TextOptions {
  /** ANSI colour; shells pass true only when writing to a TTY (and NO_COLOR is unset). */
  color?: boolean;
}

const ANSI = { red: 31, yellow: 33, cyan: 36, green: 32, dim: 2, bold: 1 } as const;

/**
 * Redacts, then makes control characters visible (`\n`, `\t`, `\u001b`...), so a file name or
 * an echoed line can neither break the one-finding-per-line layout nor send escape sequences to
 * the terminal.
 */
export function terminalSafe(s: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return redact(s).replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) =>
    c === '\n'
      ? '\\n'
      : c === '\t'
        ? '\\t'
        : c === '\r'
          ? '\\r'
          : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Human-readable report for a terminal: grouped by check, then by file, one line per finding
 * (`  12:5  error  message  rule-id`), then a totals line. Every echoed string is redacted.
 */
export function formatText(report: Report, opts: TextOptions = {}): string {
  const paint = (code: keyof typeof ANSI, s: string) =>
    opts.color ? `\u001b[${ANSI[code]}m${s}\u001b[0m` : s;
  const sev = (f: Finding) =>
    f.severity === 'error'
      ? paint('red', 'error  ')
      : f.severity === 'warning'
        ? paint('yellow', 'warning')
        : paint('cyan', 'notice ');
  const out: string[] = [];
  for (const r of report.results) {
    const mark =
      r.conclusion === 'success'
        ? paint('green', '✔')
        : r.conclusion === 'failure'
          ? paint('red', '✖')
          : paint('yellow', '●');
    out.push(
      `${mark} ${paint('bold', `autopack/${r.checkId}`)} ${paint('dim', `${r.conclusion}, ${r.findings.length} finding(s), ${Math.round(r.durationMs)} ms`)}`,
    );
    const byFile = new Map<string, Finding[]>();
    for (const f of r.findings) {
      const k = f.path ?? '(repository)';
      let list = byFile.get(k);
      if (!list) byFile.set(k, (list = []));
      list.push(f);
    }
    for (const [file, list] of byFile) {
      out.push(`  ${paint('bold', terminalSafe(file))}`);
      for (const f of list) {
        const loc = f.line ? `${f.line}:${f.column ?? 1}` : '';
        out.push(
          `    ${loc.padEnd(8)} ${sev(f)}  ${terminalSafe(f.message)}  ${paint('dim', f.ruleId)}`,
        );
        if (f.help) out.push(`    ${''.padEnd(8)} ${paint('dim', `→ ${terminalSafe(f.help)}`)}`);
      }
    }
  }
  const t = report.totals;
  out.push('');
  out.push(
    `${t.error} error(s), ${t.warning} warning(s), ${t.notice} notice(s) in ${report.results.length} check(s)`,
  );
  return out.join('\n') + '\n';
}
