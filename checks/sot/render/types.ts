/**
 * The renderer port: a render key (`governance.protected-paths`) maps to a function from the
 * resolved policy to Markdown.
 */
import type { ResolvedConfig } from '../../../policies/types.js';
import type { Check } from '../../model.js';
import type { LoadedRegistry } from '../registry.js';

/** What a renderer sees. */
export interface RenderContext {
  config: ResolvedConfig;
  /** The SOT registry as loaded for this run. */
  registry: LoadedRegistry;
  /** How many problems loading the registry met (a renderer of the registry refuses when > 0). */
  registryProblems: number;
  /** The checks of this build (the registry of checks/registry.ts). */
  checks: readonly Check[];
  /** The repository path of the document being rendered (links are made relative to it). */
  docPath: string;
}

/**
 * A renderer: returns Markdown without leading or trailing blank lines. Throws RenderError when
 * the policy cannot be rendered truthfully (the section is then reported, never left green).
 */
export type Renderer = (ctx: RenderContext) => string;

/** The policy cannot be rendered (an unknown shape, an invalid registry). */
export class RenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RenderError';
  }
}
