/**
 * Where the `governance.protected-paths` renderer gets the enforced governance policy from.
 * Undefined: the renderer reads the raw `governance:` section of the resolved config.
 */
import type { PolicyResolver } from './render/governance.js';

/** The governance engine's policy resolver, when this build has one. */
export const resolveEnforcedPolicy: PolicyResolver | undefined = undefined;
