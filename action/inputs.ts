/**
 * The Action's inputs (action.yml `inputs:`), parsed and validated. The runner reads them with
 * `@actions/core`'s `getInput` (which reads `INPUT_<NAME>` from the environment); this module
 * only parses strings, so it is pure and the same rules apply wherever the strings come from.
 */
import { CHECK_IDS, isCheckId, type CheckId, type Severity } from '../checks/model.js';

/** What the step does: run the checks, evaluate the governance gate, or refresh the baseline. */
export const MODES = ['check', 'governance', 'baseline-refresh'] as const;
export type Mode = (typeof MODES)[number];

/** The lowest severity that fails the step; `never` keeps the step green (Check Runs still say). */
export const FAIL_ON = ['error', 'warning', 'never'] as const;
export type FailOn = (typeof FAIL_ON)[number];

/** The default and the largest annotation cap (GitHub keeps at most 50 annotations per step). */
export const DEFAULT_ANNOTATION_CAP = 50;
export const MAX_ANNOTATION_CAP = 1000;

/** The parsed inputs. */
export interface ActionInputs {
  /** `config`: the config file, repository-relative (read at the base on a PR) or absolute. */
  config?: string;
  /** `checks`: run exactly these checks (comma- or newline-separated ids); default: every enabled one. */
  checks?: CheckId[];
  /** `token`: the token for the GitHub API (default `${{ github.token }}`). */
  token: string;
  /** `fail-on`: the lowest severity that fails the step. */
  failOn: FailOn;
  /** `annotations`: how many findings to annotate (0 = none); `true` means the default cap. */
  annotations: number;
  /** `sarif-output`: where to write the SARIF log (default: in the runner's temp directory). */
  sarifOutput?: string;
  /** `check-runs`: also publish one `autopack/<id>` Check Run per check through the API. */
  checkRuns: boolean;
  /** `mode`. */
  mode: Mode;
  /** `sarif`: SARIF logs (paths or globs) fed to the security-baseline check. */
  sarif: string[];
  /** `baseline`: the security baseline file (default: from the config). */
  baseline?: string;
  /** `drift-issue`: keep the "Autopack: drift report" issue on scheduled runs (default true). */
  driftIssue: boolean;
  /**
   * `bot-login`: the login the `token` acts as, the only author whose governance ledger records
   * are trusted (default `github-actions[bot]`, the identity of `${{ github.token }}`).
   */
  botLogin?: string;
}

/** An input has a value the Action cannot use; the message names the input and the choices. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** Reads one raw input by its action.yml name ('' when unset), e.g. `core.getInput`. */
export type InputReader = (name: string) => string;

/**
 * Parses every input. Throws InputError for an unknown mode, fail-on value, check id, or a
 * boolean or number input that is neither. Unset inputs get the defaults action.yml documents.
 */
export function parseInputs(read: InputReader): ActionInputs {
  const get = (name: string) => read(name).trim();
  const mode = oneOf(get('mode') || 'check', MODES, 'mode');
  const failOn = oneOf(get('fail-on') || 'error', FAIL_ON, 'fail-on');
  const token = get('token');
  return {
    config: get('config') || undefined,
    checks: parseChecks(get('checks')),
    token,
    failOn,
    annotations: parseAnnotations(get('annotations')),
    sarifOutput: get('sarif-output') || undefined,
    checkRuns: parseBoolean(get('check-runs'), 'check-runs', false),
    mode,
    sarif: splitList(get('sarif')),
    baseline: get('baseline') || undefined,
    driftIssue: parseBoolean(get('drift-issue'), 'drift-issue', true),
    botLogin: get('bot-login') || undefined,
  };
}

/** The severities that fail the step under `fail-on`. */
export function failingSeverities(failOn: FailOn): readonly Severity[] {
  return failOn === 'error' ? ['error'] : failOn === 'warning' ? ['error', 'warning'] : [];
}

function oneOf<T extends string>(value: string, allowed: readonly T[], name: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new InputError(`input "${name}" is "${value}"; expected one of: ${allowed.join(', ')}`);
}

function splitList(value: string): string[] {
  return value
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function parseChecks(value: string): CheckId[] | undefined {
  if (!value) return undefined;
  const ids = splitList(value);
  for (const id of ids) {
    if (!isCheckId(id)) {
      throw new InputError(
        `input "checks" names an unknown check "${id}" (known: ${CHECK_IDS.join(', ')})`,
      );
    }
  }
  return [...new Set(ids)] as CheckId[];
}

/** YAML 1.2 core-schema booleans, as `core.getBooleanInput` accepts them. */
function parseBoolean(value: string, name: string, dflt: boolean): boolean {
  if (value === '') return dflt;
  if (/^(true|True|TRUE)$/.test(value)) return true;
  if (/^(false|False|FALSE)$/.test(value)) return false;
  throw new InputError(`input "${name}" is "${value}"; expected true or false`);
}

function parseAnnotations(value: string): number {
  if (value === '') return DEFAULT_ANNOTATION_CAP;
  if (/^(true|True|TRUE)$/.test(value)) return DEFAULT_ANNOTATION_CAP;
  if (/^(false|False|FALSE)$/.test(value)) return 0;
  if (/^\d+$/.test(value)) return Math.min(Number(value), MAX_ANNOTATION_CAP);
  throw new InputError(
    `input "annotations" is "${value}"; expected true, false, or the most findings to annotate (0-${MAX_ANNOTATION_CAP})`,
  );
}
