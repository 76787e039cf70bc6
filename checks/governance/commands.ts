/**
 * `/autopack` comment commands. A command counts only when it stands on its own line of plain
 * paragraph text at the top level of the comment: never inside a `>` quoted reply, a fenced or
 * indented code block, inline code, an HTML block or comment, a list, a table or a heading.
 * The comment is parsed as GitHub Flavored Markdown (mdast-util-from-markdown + GFM), so the
 * structure is the one GitHub renders, not a guess by regular expression. Verbs are
 * case-insensitive.
 */
import type { Nodes, Root } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';

/** The command verbs. */
export const VERBS = ['approve', 'revoke', 'hold', 'unhold', 'status', 'recheck'] as const;
export type Verb = (typeof VERBS)[number];

/** One command found in a comment. */
export interface Command {
  /** The verb, lower-cased; `unknown` for `/autopack <something else>`. */
  verb: Verb | 'unknown';
  /** The arguments as written (split on whitespace). */
  args: string[];
  /** 1-based line of the comment the command is on. */
  line: number;
  /** The line as written (trimmed). */
  raw: string;
}

const COMMAND_RE = /^\/autopack(?:\s+(\S+))?((?:\s+\S+)*)\s*$/i;
const MAX_BODY = 65_536;

/**
 * The commands in a comment body, in order. Only lines that are entirely plain text inside a
 * top-level paragraph can carry a command.
 */
export function parseCommands(body: string): Command[] {
  // GitHub caps comment bodies at 65,536 characters; anything past that is not a comment.
  const text = body.length > MAX_BODY ? body.slice(0, MAX_BODY) : body;
  if (!/\/autopack/i.test(text)) return [];
  const tree: Root = fromMarkdown(text, {
    extensions: [gfm()],
    mdastExtensions: [gfmFromMarkdown()],
  });
  const lines = text.split(/\r\n|\r|\n/);
  const eligible = new Set<number>();
  for (const block of tree.children) {
    if (block.type !== 'paragraph' || !block.position) continue;
    const start = block.position.start.line;
    const end = block.position.end.line;
    const clean = new Set<number>();
    for (let l = start; l <= end; l++) clean.add(l);
    // A line that holds anything but plain text (inline code, HTML, links, emphasis...) is out.
    for (const child of block.children) {
      if (child.type === 'text' || child.type === 'break') continue;
      const p = (child as Nodes).position;
      if (!p) continue;
      for (let l = p.start.line; l <= p.end.line; l++) clean.delete(l);
    }
    for (const l of clean) eligible.add(l);
  }
  const out: Command[] = [];
  for (const l of [...eligible].sort((a, b) => a - b)) {
    const raw = (lines[l - 1] ?? '').trim();
    const m = COMMAND_RE.exec(raw);
    if (!m) continue;
    const verb = (m[1] ?? '').toLowerCase();
    const args = (m[2] ?? '').trim().split(/\s+/).filter(Boolean);
    out.push({
      verb: (VERBS as readonly string[]).includes(verb) ? (verb as Verb) : 'unknown',
      args,
      line: l,
      raw,
    });
  }
  return out;
}

/** True for a string that can be a commit SHA prefix in `/autopack approve <sha>` (7 to 40 hex digits). */
export function looksLikeSha(arg: string): boolean {
  return /^[0-9a-f]{7,40}$/i.test(arg);
}

/** The help line the bot answers an unknown command with. */
export const COMMAND_HELP =
  'Commands: `/autopack approve [rule-id…|sha]`, `/autopack revoke [rule-id…]`, `/autopack hold`, `/autopack unhold`, `/autopack status`, `/autopack recheck` — each on its own line.';
