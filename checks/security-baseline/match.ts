/**
 * Matches current scanner findings with baseline entries in stages, after the SARIF SDK's
 * `match-results-forward` (microsoft/sarif-sdk, src/Sarif/Baseline/V2/V2ResultMatcher.cs:
 * identical "where", first/last per artifact, unique "what", nearby similar results), adapted to a
 * baseline that stores identities rather than whole results:
 *
 * 1. exact key: tool × category × rule × path × fingerprint (also under a rule's
 *    `deprecatedIds`: a tool upgrade that renames a rule and says so);
 * 2. renames: the same key with the path the change renamed the file from (ChangeSet previousPath);
 * 3. unique anchors: within tool × rule × path (old path too for renamed files), a fingerprint
 *    with its occurrence suffix removed (`:n` of line hashes, `_n` of Semgrep ids, `~…` of
 *    collisions) that is unique among the unmatched on one side links to the first such on the
 *    other side — a duplicate line inserted above shifts `:1` to `:2`, this keeps the pair;
 *    then a rule renamed with `deprecatedIds` whose tool fingerprint changed too: the only
 *    unmatched entry of the old rule and the only finding declaring it, in one file, are a pair;
 * 4. neighbours: in a change, baseline entries are placed on the base commit's lines by hashing
 *    the base file (their fingerprints are line hashes), current findings are on their lines;
 *    walking both in line order, an unmatched pair right after (or before) a matched pair, with
 *    the same rule, is linked (SDK NearnessThreshold 3: the next one or two).
 *
 * Pairs from stage 1 are `unchanged`; pairs from every other stage are `updated` (the baseline
 * still records the old identity: a refresh rewrites it). Unlinked findings are `new`, unlinked
 * entries `absent`.
 */
import { entryKey } from './baseline.js';
import type { BaselineEntry, SarifFinding } from './types.js';
import { toolKey } from './types.js';

/** How a finding relates to the baseline (SARIF `baselineState`, less `absent`). */
export type MatchState = 'new' | 'unchanged' | 'updated';
/** Which stage linked a pair. */
export type MatchedBy = 'exact' | 'deprecated-rule' | 'rename' | 'anchor' | 'neighbour';

/** Options of {@link matchFindings}. */
export interface MatchOptions {
  /** Files the change renamed: new path → old path. */
  renames?: ReadonlyMap<string, string>;
  /**
   * Line hashes of a file at the base commit: `"<hex>:<n>"` → 1-based line. Undefined when the
   * file cannot be read there. Only given in a change; enables stage 4.
   */
  basePositions?: (path: string) => Promise<ReadonlyMap<string, number> | undefined>;
}

/** One finding's verdict. */
export interface FindingMatch {
  finding: SarifFinding;
  state: MatchState;
  /** Index of the baseline entry it matched. */
  entry?: number;
  matchedBy?: MatchedBy;
}

/** The full verdict: one per finding (input order), and the baseline entries nothing matched. */
export interface MatchOutcome {
  findings: FindingMatch[];
  /** Indices into the entries given, in ascending order. */
  absent: number[];
  /** Pairs per stage. */
  byStage: Record<MatchedBy, number>;
}

const NEARNESS = 3;

/** Strips occurrence and collision suffixes from a fingerprint value (see stage 3). */
export function fingerprintBase(fp: string): string {
  return fp.replace(/(~[0-9a-f]{8})?(~\d+)?$/, '').replace(/[:_]\d+$/, '');
}

function rulesOf(f: SarifFinding): string[] {
  return [f.rule, ...f.deprecatedRules];
}

/** Links findings to entries; entries should be those of tools present in the input. */
export async function matchFindings(
  entries: readonly BaselineEntry[],
  findings: readonly SarifFinding[],
  opts: MatchOptions = {},
): Promise<MatchOutcome> {
  const entryOf = new Array<number>(findings.length).fill(-1);
  const findingOf = new Array<number>(entries.length).fill(-1);
  const how: Array<MatchedBy | undefined> = new Array(findings.length);
  const byStage: Record<MatchedBy, number> = {
    exact: 0,
    'deprecated-rule': 0,
    rename: 0,
    anchor: 0,
    neighbour: 0,
  };
  const link = (fi: number, ei: number, by: MatchedBy): void => {
    entryOf[fi] = ei;
    findingOf[ei] = fi;
    how[fi] = by;
    byStage[by]++;
  };
  const renames = opts.renames ?? new Map<string, string>();

  // Stage 1 and 2: exact keys.
  const byKey = new Map<string, number>();
  entries.forEach((e, i) => byKey.set(entryKey(e), i));
  const tryKey = (fi: number, path: string, by: (rule: string) => MatchedBy): boolean => {
    const f = findings[fi]!;
    for (const rule of rulesOf(f)) {
      const ei = byKey.get(
        entryKey({ tool: f.tool, category: f.category, rule, path, fingerprint: f.fingerprint }),
      );
      if (ei !== undefined && findingOf[ei] === -1) {
        link(fi, ei, by(rule));
        return true;
      }
    }
    return false;
  };
  findings.forEach((f, fi) => {
    tryKey(fi, f.path, (rule) => (rule === f.rule ? 'exact' : 'deprecated-rule'));
  });
  findings.forEach((f, fi) => {
    const old = renames.get(f.path);
    if (entryOf[fi] === -1 && old !== undefined) tryKey(fi, old, () => 'rename');
  });

  // Stage 3: unique anchors within tool × rule × path.
  const groupE = new Map<string, number[]>();
  entries.forEach((e, ei) => {
    if (findingOf[ei] !== -1) return;
    const k = `${toolKey(e)}\0${e.rule}\0${e.path}\0${fingerprintBase(e.fingerprint)}`;
    const g = groupE.get(k) ?? [];
    g.push(ei);
    groupE.set(k, g);
  });
  const groupF = new Map<string, number[]>();
  findings.forEach((f, fi) => {
    if (entryOf[fi] !== -1) return;
    const paths = renames.has(f.path) ? [f.path, renames.get(f.path)!] : [f.path];
    for (const rule of rulesOf(f)) {
      for (const p of paths) {
        const k = `${toolKey(f)}\0${rule}\0${p}\0${fingerprintBase(f.fingerprint)}`;
        const g = groupF.get(k) ?? [];
        g.push(fi);
        groupF.set(k, g);
      }
    }
  });
  for (const [k, es] of [...groupE.entries()].sort((a, b) =>
    a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0,
  )) {
    const fs = groupF.get(k);
    if (!fs) continue;
    const freeE = es
      .filter((ei) => findingOf[ei] === -1)
      .sort((a, b) => cmpStr(entries[a]!.fingerprint, entries[b]!.fingerprint));
    const freeF = fs
      .filter((fi) => entryOf[fi] === -1)
      .sort(
        (a, b) =>
          (findings[a]!.line ?? 0) - (findings[b]!.line ?? 0) ||
          (findings[a]!.column ?? 0) - (findings[b]!.column ?? 0),
      );
    if (freeE.length === 0 || freeF.length === 0) continue;
    if (freeE.length === 1 || freeF.length === 1) link(freeF[0]!, freeE[0]!, 'anchor');
  }

  // Stage 3b: a rule the tool declares renamed (deprecatedIds) usually changes the tool's own
  // fingerprint too (Semgrep hashes the rule id). Within tool × path (old path for renames), the
  // only unmatched entry of the old rule and the only unmatched finding declaring it are a pair.
  const oldRuleE = new Map<string, number[]>();
  entries.forEach((e, ei) => {
    if (findingOf[ei] !== -1) return;
    const k = `${toolKey(e)}\0${e.rule}\0${e.path}`;
    oldRuleE.set(k, [...(oldRuleE.get(k) ?? []), ei]);
  });
  const oldRuleF = new Map<string, number[]>();
  findings.forEach((f, fi) => {
    if (entryOf[fi] !== -1 || f.deprecatedRules.length === 0) return;
    const paths = renames.has(f.path) ? [f.path, renames.get(f.path)!] : [f.path];
    for (const rule of f.deprecatedRules) {
      for (const p of paths) {
        const k = `${toolKey(f)}\0${rule}\0${p}`;
        oldRuleF.set(k, [...(oldRuleF.get(k) ?? []), fi]);
      }
    }
  });
  for (const [k, fs] of [...oldRuleF.entries()].sort((a, b) => cmpStr(a[0], b[0]))) {
    const es = (oldRuleE.get(k) ?? []).filter((ei) => findingOf[ei] === -1);
    const free = fs.filter((fi) => entryOf[fi] === -1);
    if (es.length === 1 && free.length === 1) link(free[0]!, es[0]!, 'deprecated-rule');
  }

  // Stage 4: neighbours of matched pairs, placed on lines (base commit for entries).
  if (opts.basePositions)
    await linkNeighbours(entries, findings, renames, opts.basePositions, entryOf, findingOf, link);

  const out: FindingMatch[] = findings.map((finding, fi) => {
    const ei = entryOf[fi]!;
    if (ei === -1) return { finding, state: 'new' };
    const by = how[fi]!;
    return { finding, state: by === 'exact' ? 'unchanged' : 'updated', entry: ei, matchedBy: by };
  });
  const absent: number[] = [];
  findingOf.forEach((fi, ei) => {
    if (fi === -1) absent.push(ei);
  });
  return { findings: out, absent, byStage };
}

async function linkNeighbours(
  entries: readonly BaselineEntry[],
  findings: readonly SarifFinding[],
  renames: ReadonlyMap<string, string>,
  basePositions: (path: string) => Promise<ReadonlyMap<string, number> | undefined>,
  entryOf: number[],
  findingOf: number[],
  link: (fi: number, ei: number, by: MatchedBy) => void,
): Promise<void> {
  // Groups by tool × current path, only where both sides have something unmatched.
  const fGroups = new Map<string, number[]>();
  findings.forEach((f, fi) => {
    if (f.line === undefined || !f.path) return;
    const k = `${toolKey(f)}\0${f.path}`;
    const g = fGroups.get(k) ?? [];
    g.push(fi);
    fGroups.set(k, g);
  });
  const eByToolPath = new Map<string, number[]>();
  entries.forEach((e, ei) => {
    const k = `${toolKey(e)}\0${e.path}`;
    const g = eByToolPath.get(k) ?? [];
    g.push(ei);
    eByToolPath.set(k, g);
  });
  const positionCache = new Map<string, Promise<ReadonlyMap<string, number> | undefined>>();
  for (const [k, fis] of [...fGroups.entries()].sort((a, b) => cmpStr(a[0], b[0]))) {
    if (!fis.some((fi) => entryOf[fi] === -1)) continue;
    const [tk, path] = k.split('\0') as [string, string];
    const basePath = renames.get(path) ?? path;
    const eis = eByToolPath.get(`${tk}\0${basePath}`) ?? [];
    if (!eis.some((ei) => findingOf[ei] === -1)) continue;
    let pos = positionCache.get(basePath);
    if (!pos) {
      pos = basePositions(basePath);
      positionCache.set(basePath, pos);
    }
    const positions = await pos;
    if (!positions) continue;
    const placed: Array<{ ei: number; line: number }> = [];
    for (const ei of eis) {
      const fp = entries[ei]!.fingerprint;
      if (!fp.startsWith('primaryLocationLineHash=')) continue;
      const value = fp
        .slice('primaryLocationLineHash='.length)
        .replace(/(~[0-9a-f]{8})?(~\d+)?$/, '');
      const line = positions.get(value);
      if (line !== undefined) placed.push({ ei, line });
    }
    if (placed.length === 0) continue;
    placed.sort(
      (a, b) => a.line - b.line || cmpStr(entries[a.ei]!.fingerprint, entries[b.ei]!.fingerprint),
    );
    const B = placed.map((p) => p.ei);
    const C = [...fis].sort(
      (a, b) =>
        findings[a]!.line! - findings[b]!.line! ||
        (findings[a]!.column ?? 0) - (findings[b]!.column ?? 0),
    );
    const cIndex = new Map<number, number>(C.map((fi, j) => [fi, j]));
    const similar = (ei: number, fi: number): boolean =>
      findingOf[ei] === -1 &&
      entryOf[fi] === -1 &&
      rulesOf(findings[fi]!).includes(entries[ei]!.rule);
    const partner = (bi: number): number => {
      const fi = findingOf[B[bi]!]!;
      return fi === -1 ? -1 : (cIndex.get(fi) ?? -1);
    };
    for (let bi = 0; bi < B.length - 1; bi++) {
      const cj = partner(bi);
      if (cj === -1) continue;
      for (let d = 1; d < NEARNESS && cj + d < C.length; d++) {
        if (similar(B[bi + 1]!, C[cj + d]!)) {
          link(C[cj + d]!, B[bi + 1]!, 'neighbour');
          break;
        }
      }
    }
    for (let bi = B.length - 1; bi > 0; bi--) {
      const cj = partner(bi);
      if (cj === -1) continue;
      for (let d = 1; d < NEARNESS && cj - d >= 0; d++) {
        if (similar(B[bi - 1]!, C[cj - d]!)) {
          link(C[cj - d]!, B[bi - 1]!, 'neighbour');
          break;
        }
      }
    }
  }
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
