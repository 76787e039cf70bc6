/**
 * Rules `forbidden-path` and `stray-database`: tracked files that the policy forbids.
 *
 * Each tracked file is claimed by the first entry (config order, stray databases last) whose
 * patterns match it and whose `allow` list does not. Files under a matched directory pattern
 * collapse into ONE finding for the outermost matched directory, with a file count: a tracked
 * `node_modules/` of 5,000 files is one finding, not 5,000. Placeholder files (`.gitkeep`)
 * never make a directory match: `dist/.gitkeep` alone keeps an empty directory, not output.
 */
import type { Finding } from '../model.js';
import type { RepoFile } from '../snapshot.js';
import type { CompiledPathRule } from './config.js';
import { parentDir } from './glob.js';
import { count, makeFinding, shellQuote } from './rules.js';

/** What the forbidden-path pass found, and which files it claimed (later rules skip them). */
export interface ForbiddenResult {
  findings: Finding[];
  claimed: Set<string>;
}

interface DirHit {
  rule: CompiledPathRule;
  dir: string;
  files: number;
  example: string;
}

const NONE: readonly number[] = [];

/**
 * What a rule set's patterns say of names and paths, which no tree changes: kept with the
 * compiled rules (compileConfig memoises them per config section), so that an App evaluating
 * one policy for pull request after pull request tests each name and path once, not once per
 * evaluation. Bounded: a map is cleared when it passes {@link MEMO_MAX} entries.
 */
interface PatternMemo {
  /** Rules whose `**\/<segment>` patterns match a base name. */
  byName: Map<string, readonly number[]>;
  /** Rules whose whole-path patterns match a path. */
  byPath: Map<string, readonly number[]>;
  /** Per rule: whether its directory patterns match a directory. */
  dirMatch: Array<Map<string, boolean>>;
}
const MEMO_MAX = 200_000;
const memos = new WeakMap<readonly CompiledPathRule[], PatternMemo>();

function memoOf(rules: readonly CompiledPathRule[]): PatternMemo {
  let m = memos.get(rules);
  if (!m) {
    m = { byName: new Map(), byPath: new Map(), dirMatch: rules.map(() => new Map()) };
    memos.set(rules, m);
  }
  return m;
}

/** `memo.get(key)`, else `compute()` stored (the map is emptied first when full). */
function remember<V>(memo: Map<string, V>, key: string, compute: () => V): V {
  let v = memo.get(key);
  if (v === undefined) {
    v = compute();
    if (memo.size >= MEMO_MAX) memo.clear();
    memo.set(key, v);
  }
  return v;
}

/**
 * Runs every path rule over the tracked files. Per file it computes the base name and parent
 * directory once and looks up, memoised across all rules, which rules' directory patterns cover
 * the directory and which rules' `**\/<segment>` and whole-path patterns match the name and
 * the path (the last two, and whether a pattern matches a directory, are remembered across runs
 * with the same compiled rules: see PatternMemo).
 */
export function checkForbiddenPaths(
  files: readonly RepoFile[],
  rules: readonly CompiledPathRule[],
  hasFile: (path: string) => boolean,
  placeholders: ReadonlySet<string> = new Set(),
): ForbiddenResult {
  const findings: Finding[] = [];
  const claimed = new Set<string>();
  if (rules.length === 0) return { findings, claimed };
  const dirHits = new Map<string, DirHit>();
  const byDir = new Map<string, readonly number[]>();
  const memo = memoOf(rules);
  const fullPathRules = rules.flatMap((r, i) => (r.matcher.fileNeedsFullPath ? [i] : []));
  const outer = rules.map((r, i) =>
    r.matcher.hasDirPatterns ? outermostQualifying(r, hasFile, memo.dirMatch[i]!) : () => undefined,
  );
  const allRules = rules.map((_r, i) => i);
  const dirRules = allRules.filter((i) => rules[i]!.matcher.hasDirPatterns);
  const hitsFor = (
    known: Map<string, readonly number[]>,
    key: string,
    among: readonly number[],
    test: (i: number) => boolean,
  ) =>
    remember(known, key, () => {
      const found = among.filter(test);
      return found.length ? found : NONE;
    });
  for (const f of files) {
    const slash = f.path.lastIndexOf('/');
    const dir = slash < 0 ? '' : f.path.slice(0, slash);
    const name = f.path.slice(slash + 1);
    const inDir =
      dir === '' ? NONE : hitsFor(byDir, dir, dirRules, (i) => outer[i]!(dir) !== undefined);
    const named = hitsFor(memo.byName, name, allRules, (i) =>
      rules[i]!.matcher.matchesFileBasename(name),
    );
    const whole =
      fullPathRules.length === 0
        ? NONE
        : hitsFor(memo.byPath, f.path, fullPathRules, (i) =>
            rules[i]!.matcher.matchesFileFullPath(f.path),
          );
    if (inDir.length === 0 && named.length === 0 && whole.length === 0) continue;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      // A placeholder (`.gitkeep`) keeps an empty directory in git: it is not tracked output.
      const underDir = inDir.includes(i) && !placeholders.has(name) ? outer[i]!(dir) : undefined;
      const hit = underDir !== undefined || named.includes(i) || whole.includes(i);
      if (!hit || rule.allow.covers(f.path)) continue;
      claimed.add(f.path);
      if (underDir !== undefined) {
        const key = `${rule.name}\u0000${underDir}`;
        const prev = dirHits.get(key);
        if (prev) prev.files++;
        else dirHits.set(key, { rule, dir: underDir, files: 1, example: f.path });
      } else {
        findings.push(fileFinding(rule, f.path));
      }
      break;
    }
  }
  for (const hit of dirHits.values()) findings.push(dirFinding(hit, hasFile));
  return { findings, claimed };
}

/**
 * For one rule: the outermost directory at or above `dir` that a directory pattern matches and
 * that satisfies the rule's `next-to` condition (its parent tracks one of the named files).
 * Memoised per directory.
 */
function outermostQualifying(
  rule: CompiledPathRule,
  hasFile: (path: string) => boolean,
  dirMatch: Map<string, boolean>,
): (dir: string) => string | undefined {
  const memo = new Map<string, string | null>();
  const qualifies = (d: string): boolean => {
    if (!remember(dirMatch, d, () => rule.matcher.matchesDir(d))) return false;
    if (rule.nextTo.length === 0) return true;
    const parent = parentDir(d);
    return rule.nextTo.some((n) => hasFile(parent ? `${parent}/${n}` : n));
  };
  const outer = (d: string): string | undefined => {
    if (d === '') return undefined;
    const known = memo.get(d);
    if (known !== undefined) return known ?? undefined;
    const found = outer(parentDir(d)) ?? (qualifies(d) ? d : undefined);
    memo.set(d, found ?? null);
    return found;
  };
  return outer;
}

function fileFinding(rule: CompiledPathRule, path: string): Finding {
  const what =
    rule.ruleId === 'stray-database'
      ? 'a database file outside the allowed places'
      : rule.description;
  return makeFinding(rule.ruleId, rule.severity, `${path} is tracked: ${what} [${rule.name}]`, {
    path,
    key: rule.name,
    help:
      rule.help ??
      `Remove it from git (\`git rm --cached ${shellQuote(path)}\`) and ignore it in .gitignore; ` +
        `if it belongs here, add it to workspace-structure.${rule.keyPath}.allow.`,
    properties: { entry: rule.name, kind: 'file' },
  });
}

function dirFinding(hit: DirHit, hasFile: (path: string) => boolean): Finding {
  const { rule, dir } = hit;
  const n = `${count(hit.files)} tracked file${hit.files === 1 ? '' : 's'}`;
  let help =
    rule.help ??
    `Remove it from git (\`git rm -r --cached ${shellQuote(dir + '/')}\`) and add \`${dir}/\` to .gitignore; ` +
      `if it belongs here, add \`${dir}/\` to workspace-structure.${rule.keyPath}.allow.`;
  if (!rule.help && !dir.includes('/') && (hasFile('action.yml') || hasFile('action.yaml'))) {
    help += ` If ${dir}/ is the bundled code of the JavaScript Action in action.yml, allowing it is the intended fix.`;
  }
  return makeFinding(
    rule.ruleId,
    rule.severity,
    `${dir}/ is tracked (${n}): ${rule.description} [${rule.name}]`,
    {
      path: dir,
      key: `${rule.name}/dir`,
      help,
      properties: { entry: rule.name, kind: 'directory', files: hit.files, example: hit.example },
    },
  );
}
