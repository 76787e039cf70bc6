/**
 * Renderer `checks.enabled`: a table of the checks this build runs for the resolved config
 * (enabled ones only, in report order), each with its Check Run name and title.
 */
import { isEnabled } from '../../config.js';
import { code, escapeInline, table } from './markdown-text.js';
import type { RenderContext } from './types.js';

/** The Markdown of the enabled checks. */
export function checksEnabled(ctx: RenderContext): string {
  const enabled = ctx.checks.filter((c) => isEnabled(ctx.config, c.id));
  if (enabled.length === 0) return '_No checks are enabled._';
  return table(
    ['Check Run', 'Checks'],
    enabled.map((c) => [code(`autopack/${c.id}`), escapeInline(c.title)]),
  );
}
