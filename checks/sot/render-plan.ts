/**
 * The render plan: every rendered section of the scanned Markdown files, compared with what
 * Autopack renders from the resolved policy. The `sot` check turns it into findings; the
 * `autopack render` command prints it as a diff or writes it.
 */
import { Minimatch } from 'minimatch';
import type { ResolvedConfig } from '../../policies/types.js';
import type { Check } from '../model.js';
import type { RepoFile, RepoSnapshot } from '../snapshot.js';
import { DEFAULT_RENDER_FILES, GLOB_OPTIONS, type SotSection } from './config.js';
import type { LoadedRegistry } from './registry.js';
import { RenderError, type Renderer } from './render/index.js';
import {
  MARKER_NEEDLE,
  canonicalBody,
  eolOf,
  findSections,
  replaceSections,
  firstDifference,
  type MarkerProblem,
  type RenderSection,
} from './sections.js';

/** The verdict on one section. */
export interface SectionOutcome {
  path: string;
  section: RenderSection;
  /** `ok`: matches; `mismatch`: `expectedBody` differs; `unknown-key`; `error`: the renderer refused. */
  status: 'ok' | 'mismatch' | 'unknown-key' | 'error';
  /** The canonical body to write (for `mismatch`). */
  expectedBody?: string;
  /** Why the renderer refused (for `error`). */
  message?: string;
  /** The first differing line (for `mismatch`), after normalisation. */
  difference?: { actual?: string; expected?: string };
}

/** The whole plan. */
export interface RenderPlan {
  filesScanned: number;
  /** Matched files that could not be read as text (too large, binary, unreadable), with why. */
  skipped: Array<{ path: string; reason: string }>;
  sections: SectionOutcome[];
  markerProblems: Array<{ path: string; problem: MarkerProblem }>;
  /** The text of every file that holds a section or a marker problem. */
  texts: Map<string, string>;
}

/** What {@link planRender} needs. */
export interface RenderPlanOptions {
  snapshot: RepoSnapshot;
  config: ResolvedConfig;
  section: SotSection;
  registry: LoadedRegistry;
  registryProblems: number;
  checks: readonly Check[];
  renderers: ReadonlyMap<string, Renderer>;
}

/**
 * Process-wide memos, so that an App evaluating one policy on pull request after pull request
 * neither re-tests every path against the render globs nor re-reads every unchanged file:
 * per glob set, whether each path is selected; and the blobs (content-addressed snapshots only)
 * already read as text holding no marker. Each map starts over past {@link MEMO_MAX} entries.
 */
const SELECTED = new Map<string, Map<string, boolean>>();
const NO_MARKER = new Set<string>();
const MEMO_MAX = 200_000;

function selectorFor(files: readonly string[], exclude: readonly string[]) {
  const key = JSON.stringify([files, exclude]);
  let memo = SELECTED.get(key);
  if (!memo) {
    if (SELECTED.size >= 32) SELECTED.clear();
    SELECTED.set(key, (memo = new Map()));
  }
  const include = files.map((g) => new Minimatch(g, GLOB_OPTIONS));
  const excluded = exclude.map((g) => new Minimatch(g, GLOB_OPTIONS));
  const known = memo;
  return (path: string): boolean => {
    let hit = known.get(path);
    if (hit === undefined) {
      hit = include.some((m) => m.match(path)) && !excluded.some((m) => m.match(path));
      if (known.size >= MEMO_MAX) known.clear();
      known.set(path, hit);
    }
    return hit;
  };
}

/** Scans the files of `sot.render.files` for sections and renders each. Never throws for bad content. */
export async function planRender(opts: RenderPlanOptions): Promise<RenderPlan> {
  const selected = selectorFor(
    opts.section.render?.files ?? DEFAULT_RENDER_FILES,
    opts.section.render?.exclude ?? [],
  );
  const candidates = opts.snapshot.files.filter((f) => f.kind === 'file' && selected(f.path));
  const shared = opts.snapshot.contentAddressed === true;
  // Known text without a marker (a larger limit than its size cannot make it too large).
  const known = (f: RepoFile) =>
    shared &&
    f.blobSha !== undefined &&
    NO_MARKER.has(f.blobSha) &&
    f.size <= opts.snapshot.maxReadBytes;
  const toRead = shared ? candidates.filter((f) => !known(f)) : candidates;
  const plan: RenderPlan = {
    filesScanned: candidates.length,
    skipped: [],
    sections: [],
    markerProblems: [],
    texts: new Map(),
  };
  // Each file is judged as soon as it is read, so only the texts that hold markers stay in memory.
  await Promise.all(
    toRead.map(async (file) => {
      const sha = shared ? file.blobSha : undefined;
      const content = await opts.snapshot.read(file.path);
      if (content.kind !== 'text') {
        plan.skipped.push({ path: file.path, reason: content.kind });
        return;
      }
      if (!content.text.includes(MARKER_NEEDLE)) {
        if (sha) {
          if (NO_MARKER.size >= MEMO_MAX) NO_MARKER.clear();
          NO_MARKER.add(sha);
        }
        return;
      }
      const { sections, problems } = findSections(content.text);
      if (sections.length === 0 && problems.length === 0) return;
      plan.texts.set(file.path, content.text);
      for (const problem of problems) plan.markerProblems.push({ path: file.path, problem });
      const eol = eolOf(content.text);
      for (const section of sections) plan.sections.push(judge(file.path, section, eol, opts));
    }),
  );
  // Reads complete in any order: sort for deterministic output.
  const byPlace = (a: { path: string; line: number }, b: { path: string; line: number }) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line;
  plan.skipped.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  plan.sections.sort((a, b) =>
    byPlace({ path: a.path, line: a.section.line }, { path: b.path, line: b.section.line }),
  );
  plan.markerProblems.sort((a, b) =>
    byPlace({ path: a.path, line: a.problem.line }, { path: b.path, line: b.problem.line }),
  );
  return plan;
}

function judge(
  path: string,
  section: RenderSection,
  eol: string,
  opts: RenderPlanOptions,
): SectionOutcome {
  const renderer = opts.renderers.get(section.key);
  if (!renderer) return { path, section, status: 'unknown-key' };
  let rendered: string;
  try {
    rendered = renderer({
      config: opts.config,
      registry: opts.registry,
      registryProblems: opts.registryProblems,
      checks: opts.checks,
      docPath: path,
    });
  } catch (e) {
    if (e instanceof RenderError) return { path, section, status: 'error', message: e.message };
    throw e;
  }
  const difference = firstDifference(section.body, rendered);
  if (!difference) return { path, section, status: 'ok' };
  return {
    path,
    section,
    status: 'mismatch',
    expectedBody: canonicalBody(rendered, eol),
    difference,
  };
}

/** The new text of `path` with its mismatched sections rewritten (undefined when nothing changes). */
export function rewrittenText(plan: RenderPlan, path: string): string | undefined {
  const text = plan.texts.get(path);
  if (text === undefined) return undefined;
  const replacements = plan.sections
    .filter((s) => s.path === path && s.status === 'mismatch')
    .map((s) => [s.section, s.expectedBody!] as const);
  if (replacements.length === 0) return undefined;
  return replaceSections(text, replacements);
}
