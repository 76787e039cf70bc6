/**
 * SARIF 2.1.0 output (OASIS SARIF v2.1.0; GitHub code scanning's accepted subset): one run,
 * driver `autopack`, one reportingDescriptor per rule (`<check-id>/<rule-id>`), results with
 * level `error`/`warning`/`note`, repository-relative locations under `%SRCROOT%` (1-based line
 * and column), `partialFingerprints["autopack/v1"]`, and `baselineState` where a check sets it.
 */
import type { Log, ReportingDescriptor, Result } from 'sarif';
import { redact } from '../redact.js';
import type { Check, Finding, Report, Severity } from '../model.js';
import { CHECKS } from '../registry.js';

const LEVEL: Record<Severity, Result.level> = { error: 'error', warning: 'warning', notice: 'note' };

/** The SARIF log object for a report; `checks` supplies rule metadata (default: the registry). */
export function toSarif(report: Report, checks: readonly Check[] = CHECKS): Log {
  const rules: ReportingDescriptor[] = [];
  const ruleIndex = new Map<string, number>();
  const addRule = (id: string, description: string, help: string, severity: Severity) => {
    if (ruleIndex.has(id)) return;
    ruleIndex.set(id, rules.length);
    rules.push({
      id,
      name: id.replace(/[/-](\w)/g, (_m, c: string) => c.toUpperCase()).replace(/^\w/, (c) => c.toUpperCase()),
      shortDescription: { text: description },
      help: { text: help },
      defaultConfiguration: { level: LEVEL[severity] },
    });
  };
  for (const c of checks) for (const r of c.rules) addRule(`${c.id}/${r.id}`, r.description, r.help, r.defaultSeverity);
  const results: Result[] = [];
  for (const res of report.results) {
    for (const f of res.findings) {
      const ruleId = `${f.checkId}/${f.ruleId}`;
      addRule(ruleId, `${f.checkId} ${f.ruleId}`, f.help ?? 'See the Autopack docs for this check.', f.severity);
      results.push(toResult(f, ruleId, ruleIndex.get(ruleId)!));
    }
  }
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'autopack',
            version: report.tool.version,
            semanticVersion: report.tool.version,
            informationUri: 'https://github.com/autopack/autopack',
            rules,
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The repository root.' } } },
        ...(report.headSha ? { versionControlProvenance: [{ repositoryUri: 'urn:autopack:repository', revisionId: report.headSha }] } : {}),
        results,
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
}

function toResult(f: Finding, ruleId: string, ruleIndex: number): Result {
  const text = redact(f.help ? `${f.message} ${f.help}` : f.message);
  const result: Result = {
    ruleId,
    ruleIndex,
    level: LEVEL[f.severity],
    message: { text },
    partialFingerprints: { 'autopack/v1': f.fingerprint },
  };
  if (f.path) {
    const region: NonNullable<Result['locations']>[number]['physicalLocation'] = {
      artifactLocation: { uri: encodeURI(f.path).replace(/#/g, '%23').replace(/\?/g, '%3F'), uriBaseId: '%SRCROOT%' },
    };
    if (f.line) {
      region.region = {
        startLine: f.line,
        ...(f.column ? { startColumn: f.column } : {}),
        ...(f.endLine ? { endLine: f.endLine } : {}),
        ...(f.endColumn ? { endColumn: f.endColumn } : {}),
      };
    }
    result.locations = [{ physicalLocation: region }];
  }
  const state = f.properties?.baselineState;
  if (state === 'new' || state === 'unchanged' || state === 'updated' || state === 'absent') result.baselineState = state;
  if (f.properties) result.properties = Object.fromEntries(Object.entries(f.properties).filter(([k]) => k !== 'baselineState'));
  return result;
}

/** The SARIF log as text (2-space JSON), ready to upload to code scanning. */
export function formatSarif(report: Report, checks?: readonly Check[]): string {
  return JSON.stringify(toSarif(report, checks), null, 2) + '\n';
}
