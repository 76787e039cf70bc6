/**
 * Governance hook-up point, owned by the governance module (issue 5). This placeholder only lets
 * the App build until governance lands: it registers nothing, so no comment command is handled.
 * The governance engineer replaces this file with the real `registerGovernance`.
 */
import type { Probot } from 'probot';
import type { AppDeps } from './deps.js';

export function registerGovernance(_app: Probot, _deps: AppDeps): void {}
