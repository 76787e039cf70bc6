/**
 * The security-baseline check's identity and rules: what the registry, the SARIF reporter and
 * the docs need without loading the check itself (checks/registry.ts loads checks lazily).
 */
import type { RuleMeta } from '../model.js';

/** The check id. */
export const ID = 'security-baseline' as const;

/** The check's title, as reports and Check Runs show it. */
export const TITLE = 'Security baseline';

/** The rules of this check (documented in docs/security-baseline.md). */
export const RULES: readonly RuleMeta[] = [
  {
    id: 'new-finding',
    description: 'A scanner finding that is not in the baseline.',
    help: 'Fix it, or — if it is accepted — let the baseline-refresh pull request record it with a justification after this change merges.',
    defaultSeverity: 'error',
  },
  {
    id: 'fingerprint-drift',
    description:
      'A finding not in the baseline, none of whose locations is in a file this change touches.',
    help: 'Most likely the finding was re-fingerprinted (tool upgrade, unrelated edit); run `autopack baseline update` or merge the baseline-refresh pull request.',
    defaultSeverity: 'warning',
  },
  {
    id: 'fixed-finding',
    description: 'A baselined finding the scanner no longer reports (burndown).',
    help: 'Nothing to do: the next baseline refresh removes it.',
    defaultSeverity: 'notice',
  },
  {
    id: 'updated-finding',
    description:
      'A baselined finding whose identity changed (moved, renamed file, rule id changed).',
    help: 'Nothing to do now; the next baseline refresh records its new identity.',
    defaultSeverity: 'notice',
  },
  {
    id: 'unchanged-finding',
    description: 'A finding that matches the baseline (listed only with `report-unchanged: true`).',
    help: 'Tolerated by the baseline; fix it when you can.',
    defaultSeverity: 'notice',
  },
  {
    id: 'sarif-invalid',
    description: 'A SARIF input that is not valid JSON or not valid SARIF 2.1.0.',
    help: 'Regenerate the file with the scanner (a truncated upload or a failed scan is the usual cause); the other files were still evaluated.',
    defaultSeverity: 'error',
  },
  {
    id: 'baseline-invalid',
    description: 'The baseline file is not valid.',
    help: 'Regenerate it with `autopack baseline update` (edit only `justification` by hand).',
    defaultSeverity: 'error',
  },
  {
    id: 'baseline-missing',
    description: 'No baseline file exists.',
    help: 'Run `autopack baseline update --sarif <files>` and commit the file, or let the Action open a baseline-refresh pull request.',
    defaultSeverity: 'warning',
  },
  {
    id: 'no-sarif-input',
    description: 'No SARIF log was given, so nothing was compared.',
    help: "Pass the scanners' SARIF with `--sarif`, the `sarif` globs or the Action's `sarif` input.",
    defaultSeverity: 'notice',
  },
  {
    id: 'tool-not-scanned',
    description: 'The baseline has findings of a tool that produced no SARIF run this time.',
    help: 'Check that the scanner ran; its baselined findings were neither counted as fixed nor as present.',
    defaultSeverity: 'warning',
  },
];
