/**
 * `autopack render [DIR] [--write] [--check]`: renders the resolved policy into the
 * `<!-- autopack:render KEY -->` ... `<!-- /autopack:render -->` sections of the repository's
 * Markdown files (which files: `sot.render.files`). Without `--write` it prints a unified diff
 * of the sections that are out of date; with `--write` it rewrites only those section bodies,
 * every other byte of the file kept as it is. Exit codes: 0 done (or up to date), 1 `--check`
 * found an out-of-date section or a section cannot be rendered (unknown key, unbalanced
 * markers, a policy the renderer refuses), 2 usage, configuration or write error.
 */
import { lstat, readFile, realpath, rename, writeFile, chmod, rm } from 'node:fs/promises';
import path from 'node:path';
import { redact } from '../../checks/redact.js';
import { normalizeRepoPath } from '../../checks/snapshot.js';
import { loadHeadRegistry, planSnapshotRender } from '../../checks/sot/index.js';
import {
  rewrittenText,
  type RenderPlan,
  type SectionOutcome,
} from '../../checks/sot/render-plan.js';
import { RENDER_KEYS } from '../../checks/sot/render/index.js';
import { loadLocalContext } from '../context.js';
import { EXIT, type CliIO } from '../io.js';

import type { RenderCommandOptions } from './render.js';

/** Runs the verb; resolves with the exit code. */
export async function runRender(
  dir: string,
  opts: RenderCommandOptions,
  io: CliIO,
): Promise<number> {
  const { config, snapshot } = await loadLocalContext({ dir, configFile: opts.config });
  const load = await loadHeadRegistry({ snapshot, config });
  const plan = await planSnapshotRender({ snapshot, config }, load);
  const root = await realpath(path.resolve(dir));

  const problems = describeProblems(plan);
  for (const p of problems) io.stderr.write(`${redact(p)}\n`);

  const stale = plan.sections.filter((s) => s.status === 'mismatch');
  const files = [...new Set(stale.map((s) => s.path))];
  let exit: number = problems.length ? EXIT.findings : EXIT.ok;

  if (opts.write) {
    const refused: string[] = [];
    let written = 0;
    for (const file of files) {
      const before = plan.texts.get(file)!;
      const after = rewrittenText(plan, file)!;
      try {
        await writeInside(root, file, before, after);
        written++;
      } catch (e) {
        refused.push(`autopack: refusing to write ${file}: ${(e as Error).message}`);
      }
    }
    for (const r of refused) io.stderr.write(`${redact(r)}\n`);
    io.stdout.write(
      `rendered ${stale.length - countIn(stale, refused)} section(s) in ${written} file(s); ${plan.sections.length - stale.length} already up to date (${plan.filesScanned} file(s) scanned)\n`,
    );
    if (refused.length) return EXIT.usage;
    if (opts.check && written > 0) exit = EXIT.findings;
    return exit;
  }

  for (const file of files)
    io.stdout.write(redact(sectionDiff(file, plan.texts.get(file)!, stale)));
  io.stderr.write(
    `${stale.length} section(s) out of date in ${files.length} file(s); ${plan.sections.length - stale.length} up to date (${plan.filesScanned} file(s) scanned)${stale.length ? '; run `autopack render --write` to update them' : ''}\n`,
  );
  if (opts.check && stale.length) exit = EXIT.findings;
  return exit;
}

function countIn(stale: readonly SectionOutcome[], refused: readonly string[]): number {
  return stale.filter((s) => refused.some((r) => r.includes(` ${s.path}: `))).length;
}

/** The problems that stop a section from being rendered, as `path:line:column: message`. */
function describeProblems(plan: RenderPlan): string[] {
  const out: string[] = [];
  for (const { path: p, problem } of plan.markerProblems)
    out.push(`${p}:${problem.line}:${problem.column}: ${problem.message}`);
  for (const s of plan.sections) {
    const at = `${s.path}:${s.section.line}:${s.section.column}`;
    if (s.status === 'unknown-key')
      out.push(`${at}: unknown render key "${s.section.key}" (known: ${RENDER_KEYS.join(', ')})`);
    if (s.status === 'error') out.push(`${at}: cannot render ${s.section.key}: ${s.message}`);
  }
  return out;
}

/**
 * A unified diff (git's format) of one file's out-of-date sections: one hunk per section, the
 * two marker lines as context.
 */
export function sectionDiff(file: string, text: string, stale: readonly SectionOutcome[]): string {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const out = [`--- a/${file}`, `+++ b/${file}`];
  let shift = 0;
  for (const s of stale
    .filter((x) => x.path === file)
    .sort((a, b) => a.section.line - b.section.line)) {
    const oldBody = bodyLines(s.section.body);
    const newBody = bodyLines(s.expectedBody ?? '');
    out.push(
      `@@ -${s.section.line},${oldBody.length + 2} +${s.section.line + shift},${newBody.length + 2} @@ ${s.section.key}`,
    );
    out.push(` ${lines[s.section.line - 1] ?? ''}`);
    for (const l of oldBody) out.push(`-${l}`);
    for (const l of newBody) out.push(`+${l}`);
    out.push(` ${lines[s.section.endLine - 1] ?? ''}`);
    shift += newBody.length - oldBody.length;
  }
  return out.join('\n') + '\n';
}

/** The lines of a section body (which ends at the start of the closing marker's line). */
function bodyLines(body: string): string[] {
  if (body === '') return [];
  return body
    .replace(/\r?\n$/, '')
    .split('\n')
    .map((l) => l.replace(/\r$/, ''));
}

/**
 * Writes `after` over the repository file `rel`, refusing a path that leaves the repository, a
 * symbolic link, a file that is not valid UTF-8, or a file that changed since it was read. A
 * UTF-8 byte order mark is kept; the file's mode is kept; the write is atomic (temp + rename).
 */
export async function writeInside(
  root: string,
  rel: string,
  before: string,
  after: string,
): Promise<void> {
  if (normalizeRepoPath(rel) !== rel || rel === '')
    throw new Error('the path leaves the repository');
  const abs = path.join(root, rel);
  const dirReal = await realpath(path.dirname(abs));
  if (dirReal !== root && !dirReal.startsWith(root + path.sep))
    throw new Error('its directory resolves outside the repository');
  const st = await lstat(abs);
  if (st.isSymbolicLink()) throw new Error('it is a symbolic link');
  if (!st.isFile()) throw new Error('it is not a regular file');
  const raw = await readFile(abs);
  const bom = raw.length >= 3 && raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf;
  const bytes = bom ? raw.subarray(3) : raw;
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes))
    throw new Error('it is not valid UTF-8, so it cannot be rewritten byte for byte');
  if (text !== before) throw new Error('it changed since it was read; run the command again');
  const out = Buffer.concat([
    bom ? raw.subarray(0, 3) : Buffer.alloc(0),
    Buffer.from(after, 'utf8'),
  ]);
  const tmp = path.join(dirReal, `.${path.basename(abs)}.autopack-${process.pid}.tmp`);
  try {
    await writeFile(tmp, out, { flag: 'wx' });
    await chmod(tmp, st.mode & 0o7777);
    await rename(tmp, path.join(dirReal, path.basename(abs)));
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
