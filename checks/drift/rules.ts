/**
 * The rules of the `drift` check (SARIF `ruleId` is `drift/<id>`) and the one way findings
 * are built, so that every finding has a line-independent fingerprint (path + rule + a
 * rule-chosen key such as the matched text) and a `help` that says what to do.
 */
import { fingerprint } from '../fingerprint.js';
import type { Finding, RuleMeta, Severity } from '../model.js';
import type { LineCol } from './text.js';

export const CHECK_ID = 'drift' as const;

/** Rule ids. */
export const RULE = {
  forbidden: 'forbidden-pattern',
  unclosedMarker: 'unclosed-marker',
  brokenLink: 'broken-link',
  brokenAnchor: 'broken-anchor',
  codeowners: 'missing-codeowners-path',
  registry: 'missing-registry-path',
  docPath: 'missing-doc-path',
  inconsistent: 'inconsistent-value',
  missingValue: 'missing-value',
  invalidSource: 'invalid-source',
  machinePath: 'machine-specific-path',
  unreadable: 'unreadable-file',
} as const;

export const RULES: readonly RuleMeta[] = [
  {
    id: RULE.forbidden,
    description: 'A forbidden (legacy) pattern appears outside a section labelled legacy.',
    help: 'Replace it with the suggested text, or move it into a section labelled legacy (<!-- autopack:legacy --> ... <!-- /autopack:legacy -->).',
    defaultSeverity: 'error',
  },
  {
    id: RULE.unclosedMarker,
    description:
      'A legacy or windows-only section is opened but never closed, so it exempts nothing.',
    help: 'Add the closing marker (for example <!-- /autopack:legacy -->) after the section.',
    defaultSeverity: 'warning',
  },
  {
    id: RULE.brokenLink,
    description: 'A relative link or image in Markdown points to a path that is not tracked.',
    help: 'Point the link at an existing tracked file or directory, or restore the missing file.',
    defaultSeverity: 'error',
  },
  {
    id: RULE.brokenAnchor,
    description:
      'A link’s #anchor matches no heading or explicit anchor in its target (GitHub slug rules).',
    help: 'Use the anchor GitHub generates for the heading (lower case, punctuation dropped, spaces to "-", duplicates "-1", "-2"), or add <a name="..."></a>.',
    defaultSeverity: 'error',
  },
  {
    id: RULE.codeowners,
    description: 'A CODEOWNERS pattern matches no tracked file.',
    help: 'Remove the stale CODEOWNERS line or fix its pattern so it matches the files it should own.',
    defaultSeverity: 'error',
  },
  {
    id: RULE.registry,
    description: 'A path listed in a registry file (JSON/YAML key) does not exist in the tree.',
    help: 'Restore the file or remove the entry from the registry.',
    defaultSeverity: 'error',
  },
  {
    id: RULE.docPath,
    description: 'A path named in a code span of a document does not exist in the tree.',
    help: 'Update the document to the current path, or add the path to references.code-spans.ignore.',
    defaultSeverity: 'warning',
  },
  {
    id: RULE.inconsistent,
    description: 'A value that must agree across files differs from the source of truth.',
    help: 'Make every place carry the source-of-truth value.',
    defaultSeverity: 'error',
  },
  {
    id: RULE.missingValue,
    description: 'A consistency source yields no value (file, key or pattern not found).',
    help: 'Fix the source in the consistency rule, or mark it `required: false`.',
    defaultSeverity: 'error',
  },
  {
    id: RULE.invalidSource,
    description:
      'A registry or consistency source file cannot be parsed, or its key path holds the wrong type.',
    help: 'Fix the file’s syntax or the key path in the drift config.',
    defaultSeverity: 'error',
  },
  {
    id: RULE.machinePath,
    description:
      'A machine-specific absolute path (C:\\dev\\, C:\\Users\\<name>, /home/<user>/, /Users/<user>/) in a tracked text file.',
    help: 'Use a relative path, an environment variable or a placeholder; label Windows-only documents with <!-- autopack:windows-only-file -->, or allow the path in portability.exclude.',
    defaultSeverity: 'warning',
  },
  {
    id: RULE.unreadable,
    description:
      'A tracked file selected by a drift rule could not be read, so it was not checked.',
    help: 'Make the file readable (permissions, a directory that resolves outside the repository) or exclude it from the rule.',
    defaultSeverity: 'error',
  },
];

const HELP = new Map(RULES.map((r) => [r.id, r.help]));

/** Fields of a finding; `key` feeds the fingerprint (never a line number). */
export interface FindingSpec {
  rule: string;
  severity: Severity;
  message: string;
  key: string;
  path?: string;
  at?: LineCol;
  end?: LineCol;
  help?: string;
  properties?: Record<string, unknown>;
}

/** Builds a drift finding with a stable fingerprint over (path, rule, key). */
export function makeFinding(s: FindingSpec): Finding {
  const f: Finding = {
    checkId: CHECK_ID,
    ruleId: s.rule,
    severity: s.severity,
    message: s.message,
    fingerprint: fingerprint(CHECK_ID, s.rule, s.path, s.key),
    help: s.help ?? HELP.get(s.rule),
  };
  if (s.path !== undefined) f.path = s.path;
  if (s.at) {
    f.line = s.at.line;
    f.column = s.at.column;
  }
  if (s.end) {
    f.endLine = s.end.line;
    f.endColumn = s.end.column;
  }
  if (s.properties) f.properties = s.properties;
  return f;
}

/** The check's title, as reports and Check Runs show it. */
export const TITLE = 'Drift: docs and config agree with the tree';

/**
 * True when the portability rule is on (the default) and selects every file (its default
 * `files: ['**']`): the check then reads every tracked text file. Reads the raw section only.
 */
export function driftReadsEveryFile(section: unknown): boolean {
  const on = (x: unknown) =>
    typeof x === 'object' && x !== null && (x as { enabled?: unknown }).enabled !== false;
  if (section === undefined || !on(section)) return false;
  const pt = (section as { portability?: unknown }).portability;
  if (pt === undefined || !on(pt)) return false;
  const files = (pt as { files?: unknown }).files;
  return files === undefined || (Array.isArray(files) && files.includes('**'));
}
