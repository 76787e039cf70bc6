/**
 * Extra inputs for the checks, gathered from the event and the API: the governance facts of a
 * pull request (comments, reviews, eligibility) and the SARIF logs of the security-baseline check.
 */
import type { CheckInputs } from '../checks/model.js';
import type { MainDeps } from './deps.js';
import type { Evaluation } from './evaluation.js';

/** The inputs to merge into the run's CheckInputs. */
export async function gatherCheckInputs(_deps: MainDeps, _ev: Evaluation): Promise<CheckInputs> {
  return {};
}
