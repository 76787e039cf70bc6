/**
 * Semantic validation of the merged `workspace-structure` section (what the JSON Schema cannot
 * say, or cannot say per layer): every pattern compiles and stays inside the repository, the
 * size parses, an enabled entry has patterns, root-allowlist entries name root entries.
 * Problems carry key paths relative to the section; the shell adds file and line.
 */
import type { ConfigIssue } from '../model.js';
import type { PathRuleEntry, WorkspaceStructureSection } from './config.js';
import { patternProblem } from './glob.js';
import { parseSize } from './size.js';

type Path = Array<string | number>;

function patterns(issues: ConfigIssue[], path: Path, list: readonly string[] | undefined): void {
  list?.forEach((p, i) => {
    const problem = patternProblem(p);
    if (problem) issues.push({ path: [...path, i], message: problem });
  });
}

const enabled = (e: { enabled?: boolean } | undefined) => e !== undefined && e.enabled !== false;

function pathRule(issues: ConfigIssue[], path: Path, e: PathRuleEntry): void {
  patterns(issues, [...path, 'patterns'], e.patterns);
  patterns(issues, [...path, 'allow'], e.allow);
  e['next-to']?.forEach((name, i) => {
    if (/[/\\*?[\]{}!]/.test(name) || name === '.' || name === '..') {
      issues.push({
        path: [...path, 'next-to', i],
        message: `"${name}" must be a plain file name (no "/" and no glob characters)`,
      });
    }
  });
  if (enabled(e) && !e.patterns?.length) {
    issues.push({ path, message: 'an enabled entry needs at least one pattern in "patterns"' });
  }
}

/** Returns every problem found in the section (empty when it is usable). */
export function validateWorkspaceConfig(raw: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const s = (raw ?? {}) as WorkspaceStructureSection;
  patterns(issues, ['test-fixtures'], s['test-fixtures']);
  s['placeholder-files']?.forEach((name, i) => {
    if (name.includes('/'))
      issues.push({
        path: ['placeholder-files', i],
        message: `"${name}" must be a file name (no "/")`,
      });
  });
  for (const [name, e] of Object.entries(s['required-files'] ?? {})) {
    patterns(issues, ['required-files', name, 'patterns'], e.patterns);
    if (enabled(e) && !e.patterns?.length) {
      issues.push({
        path: ['required-files', name],
        message: 'an enabled entry needs at least one pattern in "patterns"',
      });
    }
  }
  for (const [name, e] of Object.entries(s['forbidden-paths'] ?? {}))
    pathRule(issues, ['forbidden-paths', name], e);
  if (s['stray-databases']) pathRule(issues, ['stray-databases'], s['stray-databases']);
  const root = s['root-allowlist'];
  if (root) {
    patterns(issues, ['root-allowlist', 'entries'], root.entries);
    root.entries?.forEach((entry, i) => {
      if (
        entry
          .replace(/^\.?\//, '')
          .replace(/\/+$/, '')
          .includes('/')
      ) {
        issues.push({
          path: ['root-allowlist', 'entries', i],
          message: `entry "${entry}" must name a root entry (no "/" inside)`,
        });
      }
    });
    if (enabled(root) && !root.entries?.length) {
      issues.push({
        path: ['root-allowlist'],
        message:
          'root-allowlist is enabled but lists no entries (every root file would be flagged); add entries or set enabled: false',
      });
    }
  }
  for (const [name, e] of Object.entries(s.placement ?? {})) {
    patterns(issues, ['placement', name, 'files'], e.files);
    patterns(issues, ['placement', name, 'only-under'], e['only-under']);
    if (enabled(e) && (!e.files?.length || !e['only-under']?.length)) {
      issues.push({
        path: ['placement', name],
        message: 'a placement entry needs both "files" and "only-under"',
      });
    }
  }
  const size = s['max-file-size'];
  if (size) {
    patterns(issues, ['max-file-size', 'allow'], size.allow);
    if (size.limit !== undefined) {
      try {
        parseSize(size.limit);
      } catch (e) {
        issues.push({ path: ['max-file-size', 'limit'], message: (e as Error).message });
      }
    } else if (enabled(size)) {
      issues.push({
        path: ['max-file-size'],
        message: 'max-file-size is enabled but has no "limit"',
      });
    }
  }
  patterns(issues, ['symlink-escape', 'allow'], s['symlink-escape']?.allow);
  return issues;
}
