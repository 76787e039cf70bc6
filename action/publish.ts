/**
 * What the step writes for the runner: workflow-command annotations (`::error file=...,line=...`),
 * the job summary (the Markdown reporter), the JSON report and SARIF files, and the step outputs.
 * Everything echoed passes checks/redact.ts (the reporters redact; annotations are redacted here).
 *
 * Source: GitHub Docs, "Workflow commands for GitHub Actions" (annotations, `GITHUB_OUTPUT`,
 * `GITHUB_STEP_SUMMARY`); the runner shows at most 10 error and 10 warning annotations per step
 * and 50 per job, so the Action caps what it writes and says how many it left out.
 */
import * as core from '@actions/core';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Conclusion, Finding, Report, Severity } from '../checks/model.js';
import { redact } from '../checks/redact.js';
import { formatJson } from '../checks/report/json.js';
import { formatMarkdown } from '../checks/report/markdown.js';
import { formatSarif } from '../checks/report/sarif.js';

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, notice: 2 };

/**
 * Writes one annotation per finding, errors first, at most `cap` of them; a finding without a
 * path is annotated without a location. Returns how many were written and how many left out.
 */
export function annotate(
  findings: readonly Finding[],
  cap: number,
): { written: number; omitted: number } {
  const ordered = [...findings].sort(
    (a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity],
  );
  const shown = ordered.slice(0, cap);
  for (const f of shown) {
    const props: core.AnnotationProperties = { title: `autopack/${f.checkId} ${f.ruleId}` };
    if (f.path) {
      props.file = f.path;
      if (f.line) {
        props.startLine = f.line;
        if (f.endLine) props.endLine = f.endLine;
        // The runner accepts columns only for a single-line range.
        if (f.column && (!f.endLine || f.endLine === f.line)) {
          props.startColumn = f.column;
          if (f.endColumn) props.endColumn = f.endColumn;
        }
      }
    }
    const text = redact(f.help ? `${f.message}\n${f.help}` : f.message);
    if (f.severity === 'error') core.error(text, props);
    else if (f.severity === 'warning') core.warning(text, props);
    else core.notice(text, props);
  }
  const omitted = ordered.length - shown.length;
  if (omitted > 0 && cap > 0) {
    core.notice(
      `${omitted} more finding(s) were not annotated (input "annotations" caps them at ${cap}); the job summary and the report list every one.`,
      { title: 'autopack' },
    );
  }
  return { written: shown.length, omitted };
}

/** Appends the report's Markdown (plus any extra sections) to the job summary, when the runner gives one. */
export async function writeJobSummary(markdown: string): Promise<boolean> {
  if (!process.env.GITHUB_STEP_SUMMARY) return false;
  await core.summary.addRaw(markdown, true).write();
  return true;
}

/** The job summary's Markdown for a report (the Markdown reporter, cut to fit one step summary). */
export function reportSummary(report: Report, preface = ''): string {
  // GitHub keeps at most 1 MiB of summary per step; the reporter's 65,535-character cut fits.
  return (preface ? `${redact(preface.trimEnd())}\n\n` : '') + formatMarkdown(report);
}

/** The paths of the files written for a report. */
export interface ReportFiles {
  report: string;
  sarif: string;
}

/** Writes the JSON report and the SARIF log (creating directories). */
export async function writeReportFiles(
  report: Report,
  dir: string,
  sarifOutput?: string,
): Promise<ReportFiles> {
  const reportPath = path.join(dir, 'autopack-report.json');
  const sarifPath = sarifOutput ? path.resolve(sarifOutput) : path.join(dir, 'autopack.sarif');
  await mkdir(path.dirname(reportPath), { recursive: true });
  await mkdir(path.dirname(sarifPath), { recursive: true });
  await writeFile(reportPath, formatJson(report));
  await writeFile(sarifPath, formatSarif(report));
  return { report: reportPath, sarif: sarifPath };
}

const CONCLUSION_RANK: Record<Conclusion, number> = {
  failure: 0,
  timed_out: 1,
  cancelled: 2,
  action_required: 3,
  neutral: 4,
  success: 5,
  skipped: 6,
};

/** The worst conclusion of the report's results (`success` for a report without results). */
export function overallConclusion(report: Report): Conclusion {
  let worst: Conclusion = 'success';
  for (const r of report.results)
    if (CONCLUSION_RANK[r.conclusion] < CONCLUSION_RANK[worst]) worst = r.conclusion;
  return worst;
}

/** Sets the step outputs `conclusion`, `findings` (the count), `report` and `sarif` (paths). */
export function setOutputs(out: {
  conclusion: string;
  findings: number;
  report?: string;
  sarif?: string;
}): void {
  core.setOutput('conclusion', out.conclusion);
  core.setOutput('findings', String(out.findings));
  core.setOutput('report', out.report ?? '');
  core.setOutput('sarif', out.sarif ?? '');
}
