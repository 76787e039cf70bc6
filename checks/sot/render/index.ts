/**
 * The render keys Autopack knows, each with its renderer. A marker naming any other key is a
 * `render-unknown-key` finding.
 */
import { checksEnabled } from './checks-enabled.js';
import { governanceProtectedPaths, type PolicyResolver } from './governance.js';
import { sotRegistry } from './sot-registry.js';
import type { Renderer } from './types.js';

export { RenderError, type RenderContext, type Renderer } from './types.js';

/** Options for {@link createRenderers}. */
export interface RendererOptions {
  /** The governance engine's policy resolver (renders enforced rules, built-ins included). */
  resolvePolicy?: PolicyResolver;
}

/** The renderers by key: `governance.protected-paths`, `checks.enabled`, `sot.registry`. */
export function createRenderers(opts: RendererOptions = {}): ReadonlyMap<string, Renderer> {
  return new Map<string, Renderer>([
    ['governance.protected-paths', governanceProtectedPaths(opts.resolvePolicy)],
    ['checks.enabled', checksEnabled],
    ['sot.registry', sotRegistry],
  ]);
}

/** The known render keys, for messages and docs. */
export { RENDER_KEYS } from './keys.js';
