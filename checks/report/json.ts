import { redactDeep } from '../redact.js';
import type { Report } from '../model.js';

/** The JSON report format version; schemas/report.schema.json describes it. */
export const REPORT_SCHEMA_VERSION = 1;

/**
 * The machine-readable report: `{ schemaVersion, tool, source, headSha?, baseRef?, totals,
 * results: [{ checkId, title, conclusion, durationMs, stats?, summary?, findings: [...] }] }`,
 * valid against schemas/report.schema.json. Every string is redacted.
 */
export function formatJson(report: Report): string {
  const body = {
    $schema: 'urn:autopack:schema:report',
    schemaVersion: REPORT_SCHEMA_VERSION,
    ...report,
    results: report.results.map((r) => ({ ...r, durationMs: Math.round(r.durationMs) })),
  };
  return JSON.stringify(redactDeep(body), null, 2) + '\n';
}
