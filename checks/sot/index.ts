/**
 * Check `sot`: the source-of-truth registry. Every registered document exists, the index links
 * every one (and registers every SOT document it links), append-only ledgers only grow in a
 * change, and sections rendered from the policy match the policy. See docs/checks/sot.md.
 */
import { sectionOf } from '../config.js';
import type { Check, CheckContext, CheckOutcome, ConfigIssue } from '../model.js';
import { redact } from '../redact.js';
import type { SotSection } from './config.js';
import { checkIndex, type IndexStats } from './index-links.js';
import { LedgerSet, checkLedgers, type LedgerStats } from './ledgers.js';
import {
  configPlace,
  loadRegistry,
  type LoadedRegistry,
  type Place,
  type RegistryProblem,
} from './registry.js';
import { planRender, type RenderPlan } from './render-plan.js';
import { RENDER_KEYS, createRenderers } from './render/index.js';
import { resolveEnforcedPolicy } from './policy-source.js';
import { FindingSink, SOT_RULES, SOT_TITLE } from './rules.js';

export { SOT_RULES } from './rules.js';

/** Dependencies of {@link runSot} that tests may replace. */
export interface SotDeps {
  /** The checks of this build (for the `checks.enabled` renderer); default: checks/registry.ts. */
  checks?: readonly Check[];
}

/** The loaded registry and the problems met loading it, shared by the check and `autopack render`. */
export interface RegistryLoad {
  registry: LoadedRegistry;
  problems: RegistryProblem[];
}

/** Loads the head registry of a snapshot (problems collected, never thrown). */
export async function loadHeadRegistry(
  ctx: Pick<CheckContext, 'snapshot' | 'config'>,
): Promise<RegistryLoad> {
  const section = sectionOf<SotSection>(ctx.config, 'sot');
  const problems: RegistryProblem[] = [];
  const registry = await loadRegistry(section.registry, {
    config: ctx.config,
    read: (p) => ctx.snapshot.read(p),
    hasFile: (p) => ctx.snapshot.hasFile(p),
    onProblem: (p) => problems.push(p),
  });
  return { registry, problems };
}

/** The checks of this build, loaded lazily (checks/registry.ts imports this module). */
export async function buildChecks(): Promise<readonly Check[]> {
  return (await import('../registry.js')).CHECKS;
}

/** Computes the render plan for a snapshot and config (the check and `autopack render` share it). */
export async function planSnapshotRender(
  ctx: Pick<CheckContext, 'snapshot' | 'config'>,
  load: RegistryLoad,
  deps: SotDeps = {},
): Promise<RenderPlan> {
  return planRender({
    snapshot: ctx.snapshot,
    config: ctx.config,
    section: sectionOf<SotSection>(ctx.config, 'sot'),
    registry: load.registry,
    registryProblems: load.problems.length,
    checks: deps.checks ?? (await buildChecks()),
    renderers: createRenderers({ resolvePolicy: resolveEnforcedPolicy }),
  });
}

/** Runs every rule of the check. */
export async function runSot(ctx: CheckContext, deps: SotDeps = {}): Promise<CheckOutcome> {
  const { snapshot, config } = ctx;
  const section = sectionOf<SotSection>(config, 'sot');
  const sink = new FindingSink(section);
  const summary: string[] = [];
  const stats: Record<string, number> = {};

  // 1. Registry: loads, and every registered document exists.
  const load = await loadHeadRegistry(ctx);
  const { registry } = load;
  for (const p of load.problems) {
    sink.add({
      rule: 'registry-invalid',
      ...placeFields(p.at),
      message: withPlace(p.message, p.at),
      key: p.key,
    });
  }
  let missing = 0;
  for (const entry of registry.entries) {
    if (snapshot.hasFile(entry.path)) continue;
    missing++;
    const what = snapshot.hasDir(entry.path) ? 'is a directory, not a document' : 'does not exist';
    sink.add({
      rule: 'missing-document',
      ...placeFields(entry.at),
      message: withPlace(
        `${entry.path} is registered as a source-of-truth document but ${what}`,
        entry.at,
      ),
      key: entry.path,
    });
  }
  stats.registryEntries = registry.entries.length;
  stats.documentsMissing = missing;
  summary.push(
    registry.source === 'none'
      ? '- Registry: none configured (`sot.registry`); the registry, index and ledger rules have nothing to check.'
      : `- Registry: ${registry.entries.length} document(s) from ${registry.source === 'inline' ? 'the config' : `\`${registry.file}\``}; ${missing} missing; ${load.problems.length} registry problem(s).`,
  );

  // 2. Index.
  if (section.index) {
    const indexStats: IndexStats = await checkIndex(
      snapshot,
      section.index,
      registry.entries,
      configPlace({ config, hasFile: (p) => snapshot.hasFile(p) }, ['sot', 'index', 'path']),
      sink,
    );
    Object.assign(stats, indexStats);
    const counted = section.index.sections?.length || section.index.include?.length;
    summary.push(
      `- Index \`${section.index.path}\`: ${indexStats.indexLinks} link(s)${counted ? `, ${indexStats.indexSotLinks} counted as SOT links` : '; unregistered SOT links not checked (set `sot.index.sections` or `sot.index.include`)'}.`,
    );
  } else {
    summary.push('- Index: none configured (`sot.index`).');
  }

  // 3. Append-only ledgers.
  const ledgerPaths = new Set(
    registry.entries.filter((e) => e.kind === 'ledger').map((e) => e.path),
  );
  if (snapshot.change && registry.source === 'file') {
    // The registry as it is at the base also marks ledgers: a change cannot unmark what it rewrites.
    const change = snapshot.change;
    const base = await loadRegistry(section.registry, {
      config,
      read: (p) => change.readBase(p),
      hasFile: (p) => snapshot.hasFile(p),
      onProblem: (p) => ctx.logger.debug(`sot: base registry: ${p.message}`),
    });
    for (const e of base.entries) if (e.kind === 'ledger') ledgerPaths.add(e.path);
  }
  const ledgers = new LedgerSet(ledgerPaths, section.ledgers ?? []);
  stats.ledgers = ledgerPaths.size;
  stats.ledgerGlobs = (section.ledgers ?? []).length;
  if (ledgers.size === 0) {
    summary.push(
      '- Append-only ledgers: none registered (`kind: ledger` entries or `sot.ledgers`).',
    );
  } else if (!snapshot.change) {
    stats.appendOnlySkipped = 1;
    summary.push(
      '- Append-only ledgers: **skipped**, no change under evaluation (a pull request, or `autopack check --base REF`).',
    );
  } else {
    const ledgerStats: LedgerStats = await checkLedgers(snapshot, snapshot.change, ledgers, sink);
    Object.assign(stats, ledgerStats);
    summary.push(
      `- Append-only ledgers: ${ledgerStats.ledgersChanged} changed since \`${snapshot.change.baseRef}\`, ${ledgerStats.ledgersAppended} only appended to.`,
    );
  }

  // 4. Rendered sections.
  const plan = await planSnapshotRender(ctx, load, deps);
  reportPlan(plan, sink);
  stats.renderFilesScanned = plan.filesScanned;
  stats.renderSections = plan.sections.length;
  stats.renderFilesSkipped = plan.skipped.length;
  const stale = plan.sections.filter((s) => s.status !== 'ok').length;
  summary.push(
    `- Rendered sections: ${plan.sections.length} in ${plan.texts.size} file(s) (of ${plan.filesScanned} scanned), ${stale} not matching the policy.` +
      (plan.skipped.length
        ? ` ${plan.skipped.length} file(s) could not be scanned (too large or not text).`
        : ''),
  );

  return { findings: sink.findings, stats, summary: summary.join('\n') };
}

/** Turns the render plan into findings. */
function reportPlan(plan: RenderPlan, sink: FindingSink): void {
  for (const { path, problem } of plan.markerProblems) {
    sink.add({
      rule: 'render-marker',
      path,
      line: problem.line,
      column: problem.column,
      message: problem.message,
      key: problem.key,
    });
  }
  for (const s of plan.sections) {
    const at = {
      path: s.path,
      line: s.section.line,
      column: s.section.column,
      endLine: s.section.endLine,
    };
    if (s.status === 'unknown-key') {
      sink.add({
        rule: 'render-unknown-key',
        ...at,
        message: `unknown render key "${s.section.key}" (known: ${RENDER_KEYS.join(', ')})`,
        key: s.section.key,
      });
    } else if (s.status === 'error') {
      sink.add({
        rule: 'render-mismatch',
        ...at,
        message: `the section ${s.section.key} cannot be rendered: ${s.message}`,
        key: `error:${s.section.key}`,
        help: 'Fix the policy problem named in the message, then run `autopack render --write`.',
      });
    } else if (s.status === 'mismatch') {
      const d = s.difference ?? {};
      const detail =
        d.expected === undefined
          ? `it has extra text ${excerpt(d.actual)}`
          : d.actual === undefined
            ? `it lacks ${excerpt(d.expected)}`
            : `expected ${excerpt(d.expected)}, found ${excerpt(d.actual)}`;
      sink.add({
        rule: 'render-mismatch',
        ...at,
        message: `the rendered section ${s.section.key} (lines ${s.section.line}-${s.section.endLine}) does not match the policy: ${detail}`,
        key: s.section.key,
      });
    }
  }
}

function excerpt(text: string | undefined): string {
  const t = redact(text ?? '');
  return JSON.stringify(t.length > 100 ? `${t.slice(0, 97)}...` : t);
}

function placeFields(at: Place): { path?: string; line?: number; column?: number } {
  return at.inRepo ? { path: at.file, line: at.line, column: at.column } : {};
}

/** Appends `(in FILE:LINE)` when the place is not a repository file (a finding cannot point there). */
function withPlace(message: string, at: Place): string {
  if (at.inRepo) return message;
  return `${message} (in ${at.file}${at.line ? `:${at.line}` : ''})`;
}

/**
 * Semantic config checks: globs that can never match a repository path (absolute, `./`, `..`).
 * Key paths are relative to the `sot` section.
 */
export function validateSotSection(raw: unknown): ConfigIssue[] {
  const s = (raw ?? {}) as SotSection;
  const issues: ConfigIssue[] = [];
  const globs: Array<[ReadonlyArray<string | number>, readonly string[] | undefined]> = [
    [['ledgers'], s.ledgers],
    [['index', 'include'], s.index?.include],
    [['index', 'exclude'], s.index?.exclude],
    [['render', 'files'], s.render?.files],
    [['render', 'exclude'], s.render?.exclude],
  ];
  for (const [key, list] of globs) {
    for (const [i, g] of (list ?? []).entries()) {
      if (g.startsWith('/') || g.startsWith('./') || g.split('/').includes('..')) {
        issues.push({
          path: [...key, i],
          message: `glob "${g}" can never match: globs are repository-relative, without a leading / or ./ and without ..`,
        });
      }
    }
  }
  return issues;
}

/** The `sot` check. */
export const sotCheck: Check = {
  id: 'sot',
  title: SOT_TITLE,
  rules: SOT_RULES,
  run: (ctx) => runSot(ctx),
  validateConfig: validateSotSection,
};
