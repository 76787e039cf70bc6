/**
 * Turns validated SARIF logs into normalised findings: resolves rules (`ruleId`, `ruleIndex`,
 * `rule.toolComponent` for CodeQL's query packs), messages (`message.id` + arguments), locations
 * (`artifacts[index]`, `uriBaseId` chains, `file://` URIs), severities (`security-severity`, then
 * `level`), skips what is not an open finding (`kind` pass / notApplicable, accepted suppressions,
 * `baselineState: absent`), and gives each finding a stable fingerprint (see {@link identify}).
 *
 * Source: OASIS SARIF 2.1.0 (§3.27 result, §3.4 artifactLocation, §3.14.14 originalUriBaseIds,
 * §3.49 reportingDescriptor, §3.52 toolComponentReference); GitHub "SARIF support for code
 * scanning" for `security-severity` and `partialFingerprints.primaryLocationLineHash`.
 */
import { createHash } from 'node:crypto';
import type { ArtifactLocation, Location, Log, ReportingDescriptor, Result, Run } from 'sarif';
import { normalizeRepoPath, type RepoSnapshot } from '../snapshot.js';
import { computeLineHashes } from './linehash.js';
import type { BaselineSeverity, SarifFinding } from './types.js';

/** What extraction skipped or merged, for the summary. */
export interface ExtractStats {
  results: number;
  suppressed: number;
  notFailures: number;
  absentInInput: number;
  duplicates: number;
}

/** Findings of several logs, plus the tools (and categories) whose runs were read. */
export interface Extracted {
  findings: SarifFinding[];
  /** `toolKey`s of every run read, even runs with no results: those tools were scanned. */
  scannedTools: Set<string>;
  stats: ExtractStats;
}

/** Reads source text for line hashes; returns undefined when the file is not readable text. */
export type SourceReader = (path: string) => Promise<string | undefined>;

/** A SourceReader over a snapshot (the head of a change, or the working tree). */
export function snapshotReader(snapshot: RepoSnapshot): SourceReader {
  return async (p) => {
    if (!snapshot.hasFile(p)) return undefined;
    const c = await snapshot.read(p);
    return c.kind === 'text' ? c.text : undefined;
  };
}

/**
 * Extracts findings from parsed logs. `hasFile` maps absolute URIs onto tracked paths;
 * `readSource` supplies text for computed line hashes (each file is read and hashed once).
 */
export async function extractFindings(
  logs: ReadonlyArray<{ file: string; log: Log }>,
  hasFile: (path: string) => boolean,
  readSource: SourceReader,
): Promise<Extracted> {
  const stats: ExtractStats = {
    results: 0,
    suppressed: 0,
    notFailures: 0,
    absentInInput: 0,
    duplicates: 0,
  };
  const scannedTools = new Set<string>();
  const pending: Array<{
    f: SarifFinding;
    partial?: Record<string, string>;
    full?: Record<string, string>;
  }> = [];
  for (const { file, log } of logs) {
    (log.runs ?? []).forEach((run, runIndex) => {
      const resolved = new Map<string, string | undefined>();
      const where = (l: Location | undefined): string | undefined => {
        const al = l?.physicalLocation?.artifactLocation;
        if (!al) return undefined;
        const k = `${al.index ?? ''}\0${al.uriBaseId ?? ''}\0${al.uri ?? ''}`;
        if (resolved.has(k)) return resolved.get(k);
        const p = resolveLocation(run, l, hasFile);
        resolved.set(k, p);
        return p;
      };
      const tool = run.tool?.driver?.name ?? 'unknown tool';
      const category = categoryOf(run);
      scannedTools.add(category ? `${tool} (${category})` : tool);
      (run.results ?? []).forEach((result, resultIndex) => {
        stats.results++;
        const kind = result.kind ?? 'fail';
        if (kind === 'pass' || kind === 'notApplicable') {
          stats.notFailures++;
          return;
        }
        if (result.baselineState === 'absent') {
          stats.absentInInput++;
          return;
        }
        if (isSuppressed(result)) {
          stats.suppressed++;
          return;
        }
        const rule = ruleOf(run, result);
        const ruleId = result.ruleId ?? result.rule?.id ?? rule?.id ?? 'unknown-rule';
        const primary = result.locations?.[0];
        const loc = where(primary);
        const region = primary?.physicalLocation?.region;
        const touched: string[] = loc ? [loc] : [];
        for (const l of allLocations(result)) {
          const p = where(l);
          if (p && !touched.includes(p)) touched.push(p);
        }
        const f: SarifFinding = {
          tool,
          ...(category ? { category } : {}),
          rule: ruleId,
          deprecatedRules: (rule?.deprecatedIds ?? []).filter((d) => d !== ruleId),
          path: loc ?? '',
          line: region?.startLine,
          column: region?.startColumn,
          endLine: region?.endLine,
          endColumn: region?.endColumn,
          severity: severityOf(result, rule),
          message: messageOf(result, rule, run),
          fingerprint: '',
          fingerprintSource: 'tool',
          touchedPaths: touched.length > 1 ? touched.sort() : touched,
          file,
          runIndex,
          resultIndex,
        };
        pending.push({ f, partial: result.partialFingerprints, full: result.fingerprints });
      });
    });
  }
  await identify(pending, readSource);
  const findings = dedupe(
    pending.map((p) => p.f),
    stats,
  );
  return { findings, scannedTools, stats };
}

/**
 * Gives each finding its fingerprint, in this order:
 * 1. the tool's own `fingerprints` (first key in code-unit order, e.g. Semgrep's `matchBasedId/v1`);
 * 2. the tool's `partialFingerprints.primaryLocationLineHash` (CodeQL, or a log already uploaded);
 * 3. `primaryLocationLineHash` computed from the source at the primary location's start line,
 *    exactly as GitHub's codeql-action computes it (linehash.ts), read through the snapshot;
 * 4. when the source is not readable text (binary, too large, not in the repository) or the
 *    location has no line: a hash of the message with the location's own numbers blanked.
 * Together with tool × rule × path this is the finding's identity; the path is not hashed into
 * the fingerprint so that a renamed file's findings can still be matched by fingerprint.
 */
async function identify(
  pending: Array<{
    f: SarifFinding;
    partial?: Record<string, string>;
    full?: Record<string, string>;
  }>,
  readSource: SourceReader,
): Promise<void> {
  const hashes = new Map<string, Promise<string[] | undefined>>();
  for (const p of pending) {
    const full = p.full && Object.keys(p.full).sort()[0];
    if (full !== undefined) {
      p.f.fingerprint = `${full}=${p.full![full]}`;
      p.f.fingerprintSource = 'tool';
      continue;
    }
    const plh = p.partial?.primaryLocationLineHash;
    if (plh) {
      p.f.fingerprint = `primaryLocationLineHash=${plh}`;
      p.f.fingerprintSource = 'tool';
      continue;
    }
    let lineHash: string | undefined;
    if (p.f.path && p.f.line !== undefined && p.f.line >= 1) {
      let h = hashes.get(p.f.path);
      if (!h) {
        h = readSource(p.f.path).then((t) => (t === undefined ? undefined : computeLineHashes(t)));
        hashes.set(p.f.path, h);
      }
      lineHash = (await h)?.[p.f.line - 1];
    }
    if (lineHash) {
      p.f.fingerprint = `primaryLocationLineHash=${lineHash}`;
      p.f.fingerprintSource = 'line-hash';
    } else {
      p.f.fingerprint = `message=${messageHash(p.f)}`;
      p.f.fingerprintSource = 'message';
    }
  }
}

/** Hash of the message with the primary location's own numbers replaced (as the SARIF SDK canonicalises). */
function messageHash(f: SarifFinding): string {
  let m = f.message.replace(/\s+/g, ' ').trim();
  for (const n of [f.line, f.column, f.endLine, f.endColumn]) {
    if (n !== undefined) m = m.split(String(n)).join('~');
  }
  return createHash('sha256').update(m).digest('hex').slice(0, 16);
}

const SEVERITY_ORDER: Record<BaselineSeverity, number> = {
  critical: 0,
  high: 1,
  medium: 2,
  low: 3,
  error: 4,
  warning: 5,
  note: 6,
  none: 7,
};

/**
 * Merges duplicates and disambiguates collisions within tool × rule × path × fingerprint:
 * the same result reported twice (same location and message: a log given twice, a tool that
 * repeats itself) is kept once and counted; different results that share a fingerprint (Trivy
 * reports every vulnerable package of an image at line 1) get `~<hash of message>` appended, and
 * `~<n>` by position when even the messages agree.
 */
function dedupe(findings: SarifFinding[], stats: ExtractStats): SarifFinding[] {
  const groups = new Map<string, SarifFinding[]>();
  for (const f of findings) {
    const k = `${f.tool}\0${f.category ?? ''}\0${f.rule}\0${f.path}\0${f.fingerprint}`;
    const g = groups.get(k);
    if (g) g.push(f);
    else groups.set(k, [f]);
  }
  const out: SarifFinding[] = [];
  for (const g of groups.values()) {
    if (g.length === 1) {
      out.push(g[0]!);
      continue;
    }
    const unique = new Map<string, SarifFinding>();
    for (const f of g) {
      const k = `${f.line ?? ''}:${f.column ?? ''}:${f.endLine ?? ''}:${f.endColumn ?? ''}\0${f.message}`;
      const prev = unique.get(k);
      if (prev) {
        stats.duplicates++;
        if (SEVERITY_ORDER[f.severity] < SEVERITY_ORDER[prev.severity]) prev.severity = f.severity;
        for (const t of f.touchedPaths)
          if (!prev.touchedPaths.includes(t)) prev.touchedPaths.push(t);
      } else unique.set(k, f);
    }
    const kept = [...unique.values()];
    if (kept.length === 1) {
      out.push(kept[0]!);
      continue;
    }
    const byMessage = new Map<string, SarifFinding[]>();
    for (const f of kept) {
      const h = messageHash(f).slice(0, 8);
      const list = byMessage.get(h) ?? [];
      list.push(f);
      byMessage.set(h, list);
    }
    for (const [h, list] of byMessage) {
      list.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
      list.forEach((f, i) => {
        f.fingerprint = `${f.fingerprint}~${h}${list.length > 1 ? `~${i + 1}` : ''}`;
        out.push(f);
      });
    }
  }
  return out;
}

function categoryOf(run: Run): string | undefined {
  const id = run.automationDetails?.id;
  if (!id) return undefined;
  const slash = id.lastIndexOf('/');
  // SARIF 3.17.4: "category/instance"; an id with no slash is an instance id only.
  const cat = slash < 0 ? '' : id.slice(0, slash);
  return cat.replace(/^\/+|\/+$/g, '') || undefined;
}

function isSuppressed(r: Result): boolean {
  const s = r.suppressions;
  if (!s || s.length === 0) return false;
  // SARIF 3.35.3: a result is suppressed when it has a suppression that is not under review or rejected.
  return s.some((x) => x.status === undefined || x.status === 'accepted');
}

function ruleOf(run: Run, r: Result): ReportingDescriptor | undefined {
  const ref = r.rule;
  const tcIndex = ref?.toolComponent?.index;
  const component =
    tcIndex !== undefined && tcIndex >= 0 ? run.tool.extensions?.[tcIndex] : run.tool.driver;
  const rules = component?.rules ?? [];
  const idx = ref?.index ?? r.ruleIndex;
  if (idx !== undefined && idx >= 0 && rules[idx]) return rules[idx];
  const id = r.ruleId ?? ref?.id;
  if (id === undefined) return undefined;
  return (
    rules.find((x) => x.id === id) ??
    run.tool.driver.rules?.find((x) => x.id === id) ??
    run.tool.extensions?.flatMap((e) => e.rules ?? []).find((x) => x.id === id)
  );
}

function severityOf(r: Result, rule: ReportingDescriptor | undefined): BaselineSeverity {
  const raw = r.properties?.['security-severity'] ?? rule?.properties?.['security-severity'];
  const score =
    typeof raw === 'number'
      ? raw
      : typeof raw === 'string' && raw.trim() !== ''
        ? Number(raw)
        : NaN;
  if (Number.isFinite(score)) {
    if (score >= 9) return 'critical';
    if (score >= 7) return 'high';
    if (score >= 4) return 'medium';
    if (score > 0) return 'low';
    return 'none';
  }
  const kind = r.kind ?? 'fail';
  const level =
    r.level ?? rule?.defaultConfiguration?.level ?? (kind === 'fail' ? 'warning' : 'none');
  return level;
}

function messageOf(r: Result, rule: ReportingDescriptor | undefined, run: Run): string {
  let text = r.message?.text;
  if (text === undefined && r.message?.id) {
    text =
      rule?.messageStrings?.[r.message.id]?.text ??
      run.tool.driver.globalMessageStrings?.[r.message.id]?.text;
  }
  if (text === undefined) return '';
  if (!text.includes('{') && !text.includes('}')) return text;
  const args = r.message?.arguments ?? [];
  // SARIF 3.11.5: placeholders {n} take argument n; '{{' and '}}' are literal braces.
  return text.replace(/\{\{|\}\}|\{(\d+)\}/g, (m, n?: string) =>
    m === '{{' ? '{' : m === '}}' ? '}' : (args[Number(n)] ?? m),
  );
}

function allLocations(r: Result): Location[] {
  if (!r.relatedLocations && !r.codeFlows && (r.locations?.length ?? 0) <= 1) return [];
  const out: Location[] = [...(r.locations ?? []).slice(1), ...(r.relatedLocations ?? [])];
  for (const cf of r.codeFlows ?? []) {
    for (const tf of cf.threadFlows ?? []) {
      for (const tfl of tf.locations ?? []) if (tfl.location) out.push(tfl.location);
    }
  }
  return out;
}

/**
 * The repository path of a location: follows `artifacts[index]`, then the `uriBaseId` chain of
 * `originalUriBaseIds`; percent-decodes; maps an absolute (`file://` or `/…`) path onto the
 * longest path suffix that is a tracked file (a runner's checkout directory is not known here).
 * An absolute path matching no tracked file, or a non-file URI, is returned as written.
 */
export function resolveLocation(
  run: Run,
  loc: Location | undefined,
  hasFile: (p: string) => boolean,
): string | undefined {
  let al: ArtifactLocation | undefined = loc?.physicalLocation?.artifactLocation;
  if (!al) return undefined;
  if (al.uri === undefined && al.index !== undefined && al.index >= 0) {
    const a = run.artifacts?.[al.index]?.location;
    if (a) al = { ...a, uriBaseId: a.uriBaseId ?? al.uriBaseId };
  }
  if (al.uri === undefined) return undefined;
  let uri = al.uri;
  let base = al.uriBaseId;
  for (
    let depth = 0;
    base !== undefined && depth < 10 && !/^[a-z][a-z0-9+.-]*:/i.test(uri) && !uri.startsWith('/');
    depth++
  ) {
    const b: ArtifactLocation | undefined = run.originalUriBaseIds?.[base];
    if (!b?.uri) break;
    uri = b.uri.endsWith('/') ? b.uri + uri : `${b.uri}/${uri}`;
    base = b.uriBaseId;
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(uri);
  } catch {
    decoded = uri;
  }
  let abs = false;
  const fileScheme = /^file:(\/\/[^/]*)?/i.exec(decoded);
  if (fileScheme) {
    decoded = decoded.slice(fileScheme[0].length);
    abs = true;
  } else if (/^[a-z][a-z0-9+.-]*:/i.test(decoded) && !/^[A-Za-z]:[\\/]/.test(decoded)) {
    return decoded; // another scheme: not a repository file
  }
  decoded = decoded.replace(/\\/g, '/');
  if (/^\/?[A-Za-z]:\//.test(decoded)) {
    decoded = decoded.replace(/^\/?[A-Za-z]:/, '');
    abs = true;
  }
  if (decoded.startsWith('/')) abs = true;
  if (abs) {
    const segs = decoded.split('/').filter((s) => s !== '' && s !== '.');
    for (let i = 0; i < segs.length; i++) {
      const candidate = segs.slice(i).join('/');
      if (hasFile(candidate)) return candidate;
    }
    return segs.join('/');
  }
  const rel = normalizeRepoPath(decoded);
  return rel === undefined || rel === '' ? decoded : rel;
}
