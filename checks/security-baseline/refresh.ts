/**
 * Baseline refresh: the new baseline from the old one and the current findings. Used by
 * `autopack baseline update` and by the Action's `mode: baseline-refresh` (which opens the pull
 * request with github/baseline-refresh-pr.ts).
 *
 * Rules: entries that still match a finding (any stage of match.ts) keep their `firstSeen` and
 * `justification` and take the finding's current identity (path, rule, fingerprint, severity);
 * findings that match nothing enter with `firstSeen` = today; entries of tools that ran and no
 * longer report them leave; entries of tools with no run in the input are kept untouched (a
 * scanner that did not run has not fixed anything).
 */
import type { Log } from 'sarif';
import { mdEscape } from '../report/markdown.js';
import { parseBaseline, serializeBaseline, sortEntries } from './baseline.js';
import { extractFindings, type ExtractStats, type SourceReader } from './extract.js';
import { matchFindings } from './match.js';
import { parseSarifFile } from './sarif.js';
import {
  toolKey,
  type BaselineEntry,
  type BaselineFile,
  type SarifFinding,
  type SarifInputFile,
} from './types.js';

/** Inputs of {@link refreshBaseline}. */
export interface RefreshInput {
  /** The baseline being replaced (undefined: none yet). */
  previous?: BaselineFile;
  findings: readonly SarifFinding[];
  /** `toolKey`s of the runs read: only these tools' entries can leave. */
  scannedTools: ReadonlySet<string>;
  /** Today's date, `YYYY-MM-DD` (UTC), for new entries' `firstSeen`. */
  today: string;
}

/** What a refresh produced. */
export interface RefreshResult {
  /** The new baseline file's text (deterministic). */
  text: string;
  entries: BaselineEntry[];
  /** Findings recorded for the first time. */
  entered: BaselineEntry[];
  /** Entries whose findings are gone (fixed) — burndown. */
  left: BaselineEntry[];
  /** Entries whose identity was rewritten (moved, renamed, re-fingerprinted, rule renamed). */
  updated: Array<{ before: BaselineEntry; after: BaselineEntry }>;
  /** Entries carried over unchanged. */
  unchanged: number;
  /** Entries kept because their tool had no run in the input. */
  notScanned: BaselineEntry[];
  /** Messages of the entered findings, by entry, for the summary. */
  messages: Map<BaselineEntry, string>;
  /** Markdown: counts, then what entered and what left (for the pull request body). */
  summary: string;
}

/** Computes the new baseline. Pure (no I/O); deterministic for the same inputs. */
export async function refreshBaseline(input: RefreshInput): Promise<RefreshResult> {
  const previous = input.previous?.entries ?? [];
  const scanned: BaselineEntry[] = [];
  const notScanned: BaselineEntry[] = [];
  for (const e of previous) (input.scannedTools.has(toolKey(e)) ? scanned : notScanned).push(e);
  const outcome = await matchFindings(scanned, input.findings);
  const entries: BaselineEntry[] = [...notScanned];
  const entered: BaselineEntry[] = [];
  const updated: RefreshResult['updated'] = [];
  const messages = new Map<BaselineEntry, string>();
  let unchanged = 0;
  for (const m of outcome.findings) {
    const f = m.finding;
    const base = m.entry !== undefined ? scanned[m.entry] : undefined;
    const entry: BaselineEntry = {
      tool: f.tool,
      ...(f.category ? { category: f.category } : {}),
      rule: f.rule,
      path: f.path,
      fingerprint: f.fingerprint,
      severity: f.severity,
      firstSeen: base?.firstSeen ?? input.today,
      ...(base?.justification ? { justification: base.justification } : {}),
    };
    entries.push(entry);
    if (!base) {
      entered.push(entry);
      messages.set(entry, f.message);
    } else if (
      base.path !== entry.path ||
      base.rule !== entry.rule ||
      base.fingerprint !== entry.fingerprint ||
      base.severity !== entry.severity
    ) {
      updated.push({ before: base, after: entry });
    } else unchanged++;
  }
  const left = outcome.absent.map((i) => scanned[i]!);
  const sorted = sortEntries(entries);
  const text = serializeBaseline(sorted, true);
  const result: RefreshResult = {
    text,
    entries: sorted,
    entered,
    left,
    updated,
    unchanged,
    notScanned,
    messages,
    summary: '',
  };
  result.summary = refreshSummary(result);
  return result;
}

const MAX_ROWS = 50;

/** Markdown summary of a refresh: counts, then the entries that entered and left. */
export function refreshSummary(r: Omit<RefreshResult, 'summary'>): string {
  const lines = [
    '### Security baseline refresh',
    '',
    '| | Findings |',
    '|---|---:|',
    `| 🆕 Entered the baseline | ${r.entered.length} |`,
    `| ✅ Left the baseline (fixed) | ${r.left.length} |`,
    `| ✏️ Identity updated (moved, renamed, rule id changed) | ${r.updated.length} |`,
    `| Unchanged | ${r.unchanged} |`,
    `| Kept: tool not scanned in this run | ${r.notScanned.length} |`,
    `| **Total in the new baseline** | **${r.entries.length}** |`,
  ];
  const table = (
    title: string,
    rows: BaselineEntry[],
    msg?: (e: BaselineEntry) => string,
  ): void => {
    if (rows.length === 0) return;
    lines.push(
      '',
      `#### ${title}`,
      '',
      '| Tool | Rule | Path | Severity | First seen |' + (msg ? ' Message |' : ''),
      '|---|---|---|---|---|' + (msg ? '---|' : ''),
    );
    for (const e of rows.slice(0, MAX_ROWS)) {
      lines.push(
        `| ${mdEscape(toolKey(e))} | \`${mdEscape(e.rule)}\` | ${e.path ? `\`${mdEscape(e.path)}\`` : '—'} | ${e.severity} | ${e.firstSeen} |` +
          (msg ? ` ${mdEscape(firstLine(msg(e)))} |` : ''),
      );
    }
    if (rows.length > MAX_ROWS) lines.push('', `_…and ${rows.length - MAX_ROWS} more._`);
  };
  table('Entered', r.entered, (e) => r.messages.get(e) ?? '');
  table('Left (fixed)', r.left);
  table(
    'Identity updated',
    r.updated.map((u) => u.after),
  );
  return lines.join('\n') + '\n';
}

function firstLine(s: string): string {
  const l = s.split(/\r?\n/, 1)[0] ?? '';
  return l.length > 160 ? `${l.slice(0, 157)}…` : l;
}

/** A refresh that must not write anything: bad SARIF or a bad previous baseline. */
export class BaselineRefreshError extends Error {
  constructor(readonly problems: string[]) {
    super(`the baseline was not refreshed:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'BaselineRefreshError';
  }
}

/** Inputs of {@link computeBaselineRefresh}. */
export interface ComputeRefreshInput {
  sarif: readonly SarifInputFile[];
  /** The current baseline's text, if the file exists. */
  previousText?: string;
  /** Names the baseline in messages (its path). */
  previousLabel: string;
  /** Is this a tracked file (maps absolute SARIF URIs onto the repository). */
  hasFile: (path: string) => boolean;
  /** Reads source for computed line hashes (the checkout the SARIF was produced from). */
  readSource: SourceReader;
  today: string;
}

/**
 * Parses the SARIF logs and the old baseline, then refreshes. Rejects with BaselineRefreshError
 * (every problem, each naming its file) when any SARIF log or the old baseline is unusable:
 * a refresh from partial input would drop the findings of the unreadable file.
 */
export async function computeBaselineRefresh(
  input: ComputeRefreshInput,
): Promise<RefreshResult & { stats: ExtractStats }> {
  const problems: string[] = [];
  if (input.sarif.length === 0)
    problems.push("no SARIF input: give the scanners' SARIF logs (--sarif or the `sarif` globs)");
  const logs: Array<{ file: string; log: Log }> = [];
  for (const s of input.sarif) {
    const r = parseSarifFile(s);
    if (r.ok) logs.push({ file: r.file, log: r.log });
    else problems.push(r.message);
  }
  let previous: BaselineFile | undefined;
  if (input.previousText !== undefined) {
    const p = parseBaseline(input.previousText, input.previousLabel);
    if (p.ok) previous = p.baseline;
    else problems.push(p.message);
  }
  if (problems.length) throw new BaselineRefreshError(problems);
  const extracted = await extractFindings(logs, input.hasFile, input.readSource);
  const result = await refreshBaseline({
    previous,
    findings: extracted.findings,
    scannedTools: extracted.scannedTools,
    today: input.today,
  });
  return { ...result, stats: extracted.stats };
}

/** Today's UTC date as `YYYY-MM-DD`. */
export function utcDate(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}
