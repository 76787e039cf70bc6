/**
 * The rules of the `sot` check and the one helper that builds their findings (severity from
 * the config's `severity` overrides, stable fingerprints from checks/fingerprint.ts).
 */
import { fingerprint } from '../fingerprint.js';
import type { Finding, RuleMeta, Severity } from '../model.js';
import type { Level, SotSection } from './config.js';

/** Rule ids of the `sot` check. */
export type SotRuleId =
  | 'registry-invalid'
  | 'missing-document'
  | 'index-missing'
  | 'index-missing-link'
  | 'index-unregistered-link'
  | 'append-only'
  | 'ledger-deleted'
  | 'render-mismatch'
  | 'render-unknown-key'
  | 'render-marker';

/** Documentation of every rule (SARIF `tool.driver.rules`, docs/checks/sot.md). */
export const SOT_RULES: readonly (RuleMeta & { id: SotRuleId })[] = [
  {
    id: 'registry-invalid',
    description:
      'The SOT registry file is missing, unparsable or does not match schemas/sot-registry.schema.json, or an entry is unusable.',
    help: 'Fix the registry at the line shown so it matches schemas/sot-registry.schema.json (see docs/checks/sot.md).',
    defaultSeverity: 'error',
  },
  {
    id: 'missing-document',
    description: 'A document listed in the SOT registry does not exist in the repository.',
    help: 'Restore the document, or remove it from the registry if it is no longer a source of truth.',
    defaultSeverity: 'error',
  },
  {
    id: 'index-missing',
    description: 'The configured index document does not exist or cannot be read as text.',
    help: 'Create the index document (sot.index.path) or point sot.index.path at the existing one.',
    defaultSeverity: 'error',
  },
  {
    id: 'index-missing-link',
    description: 'A registered document is not linked from the index document.',
    help: 'Add a relative link to the document in the index, or remove it from the registry.',
    defaultSeverity: 'error',
  },
  {
    id: 'index-unregistered-link',
    description:
      'The index links a document that counts as a SOT document (sot.index.sections/include) but is not registered.',
    help: 'Register the document in the SOT registry, or move the link out of the SOT section of the index (or exclude it with sot.index.exclude).',
    defaultSeverity: 'error',
  },
  {
    id: 'append-only',
    description:
      'An append-only ledger had a line modified or deleted by the change; ledgers may only gain lines at their end.',
    help: 'Restore the ledger as it is on the base branch and add the new content as new lines at its end.',
    defaultSeverity: 'error',
  },
  {
    id: 'ledger-deleted',
    description: 'The change deletes an append-only ledger.',
    help: 'Restore the ledger; if it really must go, remove it from the registry (and sot.ledgers) in a change of its own.',
    defaultSeverity: 'error',
  },
  {
    id: 'render-mismatch',
    description: 'A rendered section differs from what Autopack renders from the resolved policy.',
    help: 'Run `autopack render --write` and commit the result; edit the policy, not the rendered section.',
    defaultSeverity: 'error',
  },
  {
    id: 'render-unknown-key',
    description: 'A render marker names a key that Autopack has no renderer for.',
    help: 'Use one of the render keys listed in docs/checks/sot.md, or remove the markers.',
    defaultSeverity: 'error',
  },
  {
    id: 'render-marker',
    description:
      'Render markers are unbalanced (an opening marker without its closing marker, a closing marker without an opening one, or nested markers).',
    help: 'Pair every `<!-- autopack:render KEY -->` with a `<!-- /autopack:render -->` on a later line, without nesting.',
    defaultSeverity: 'error',
  },
];

const META = new Map(SOT_RULES.map((r) => [r.id, r]));

/** The fields of a finding that a rule chooses; the rest is filled in by {@link FindingSink}. */
export interface FindingInput {
  rule: SotRuleId;
  message: string;
  path?: string;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  /** The stable part of the fingerprint besides rule and path (never a line number). */
  key: string;
  /** Overrides the rule's default help. */
  help?: string;
  properties?: Record<string, unknown>;
}

/** Collects findings, applying the section's per-rule severity overrides (`off` drops them). */
export class FindingSink {
  readonly findings: Finding[] = [];
  private readonly levels: Partial<Record<string, Level>>;

  constructor(section: SotSection) {
    this.levels = section.severity ?? {};
  }

  /** True when the rule is not switched off. */
  enabled(rule: SotRuleId): boolean {
    return this.levels[rule] !== 'off';
  }

  add(input: FindingInput): void {
    const meta = META.get(input.rule);
    if (!meta) throw new Error(`unknown sot rule ${input.rule}`);
    const level = this.levels[input.rule] ?? meta.defaultSeverity;
    if (level === 'off') return;
    const finding: Finding = {
      checkId: 'sot',
      ruleId: input.rule,
      severity: level as Severity,
      message: input.message,
      fingerprint: fingerprint('sot', input.rule, input.path, input.key),
      help: input.help ?? meta.help,
    };
    if (input.path !== undefined) finding.path = input.path;
    if (input.line !== undefined) finding.line = input.line;
    if (input.column !== undefined) finding.column = input.column;
    if (input.endLine !== undefined) finding.endLine = input.endLine;
    if (input.endColumn !== undefined) finding.endColumn = input.endColumn;
    if (input.properties) finding.properties = input.properties;
    this.findings.push(finding);
  }
}

/** The check's title, as reports and Check Runs show it. */
export const SOT_TITLE =
  'Source-of-truth documents: registry, index, append-only ledgers, rendered sections';
