/**
 * The render keys Autopack knows (`<!-- autopack:render KEY -->`), without loading the
 * renderers: `autopack render --help` and messages list them. createRenderers (./index.ts)
 * must serve exactly these keys; test/sot/renderers.test.ts holds the two together.
 */
export const RENDER_KEYS: readonly string[] = [
  'governance.protected-paths',
  'checks.enabled',
  'sot.registry',
];
