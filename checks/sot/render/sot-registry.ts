/**
 * Renderer `sot.registry`: the SOT registry as a Markdown list, one relative link per registered
 * document (relative to the document being rendered), with its kind and owner.
 */
import { code, escapeInline, relativeLink } from './markdown-text.js';
import { RenderError, type RenderContext } from './types.js';

/** The Markdown list of the registry. Refuses (RenderError) while the registry has problems. */
export function sotRegistry(ctx: RenderContext): string {
  if (ctx.registryProblems > 0) {
    throw new RenderError(
      `the SOT registry has ${ctx.registryProblems} problem(s); fix them (see the registry-invalid findings) before rendering it`,
    );
  }
  const { entries } = ctx.registry;
  if (entries.length === 0) return '_No documents are registered._';
  return entries
    .map((e) => {
      const title = escapeInline(e.title ?? e.path);
      const facts = [
        e.kind === 'ledger' ? 'ledger (append-only)' : 'document',
        ...(e.owner ? [`owner ${escapeInline(e.owner)}`] : []),
      ];
      const shownPath = e.title ? ` ${code(e.path)}` : '';
      return `- [${title}](${relativeLink(ctx.docPath, e.path)})${shownPath}: ${facts.join(', ')}`;
    })
    .join('\n');
}
