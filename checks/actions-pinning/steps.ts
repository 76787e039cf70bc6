/**
 * The `uses:` of a list of steps (a workflow job's or a composite action's), each judged by
 * pinning.ts, with a per-owner occurrence count so that identical `uses:` values get distinct,
 * line-independent fingerprints.
 */
import type { Node } from 'yaml';
import type { Finding } from '../model.js';
import type { CompiledPinningConfig } from './config.js';
import { checkUses } from './pinning.js';
import { makeFinding } from './rules.js';
import { getNode, spanOf, type ParsedYaml } from './source.js';

type Parsed = Extract<ParsedYaml, { ok: true }>;

/** Findings for the `uses:` of each step in `steps`. */
export function collectStepUses(
  path: string,
  parsed: Parsed,
  steps: ReadonlyArray<Node | undefined>,
  owner: string,
  cfg: CompiledPinningConfig,
): Finding[] {
  const findings: Finding[] = [];
  const seen = new Map<string, number>();
  for (const step of steps) {
    const node = getNode(parsed.doc, step, 'uses');
    if (!node) continue;
    const value = (node as { value?: unknown }).value;
    if (typeof value !== 'string') {
      findings.push(malformedAt(path, parsed, node, 'uses: must be a string', cfg));
      continue;
    }
    const occurrence = seen.get(value) ?? 0;
    seen.set(value, occurrence + 1);
    const f = checkUses({ path, parsed, node, value, owner, occurrence, level: 'step' }, cfg);
    if (f) findings.push(f);
  }
  return findings;
}

/** A `malformed-file` finding at a node (a value of the wrong type). */
export function malformedAt(
  path: string,
  parsed: Parsed,
  node: Node,
  message: string,
  cfg: CompiledPinningConfig,
): Finding {
  const span = spanOf(parsed.lines, node);
  const source = node.range ? parsed.text.slice(node.range[0], node.range[1]) : '';
  return makeFinding('malformed-file', cfg.level('malformed-file') ?? 'error', path, message, {
    key: `value|${message}|${source}`,
    ...span,
    help: 'Fix the value; GitHub rejects the file as well.',
  });
}
