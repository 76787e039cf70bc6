#!/usr/bin/env node
/**
 * Issue #3's field test: runs the `drift` and `sot` checks with the built-in policy (no config
 * of the repository's own: what `autopack check` does on a repository that has none) on real
 * repositories cloned outside this one, and prints per repository the Markdown file count,
 * the findings per rule, the drift statistics and the wall time (median of `--runs`, the CLI's
 * code cache primed by one untimed run, in a fresh directory). Read the findings: each line is
 * a claim about the repository that should be true.
 *
 * Usage: node bench/real-repos.mjs REPO_DIR... [--runs 3] [--list]
 *   --list  also prints every finding (rule, path:line, message)
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  autopackFindings,
  fmtMs,
  parseArgs,
  repeat,
  requireBuiltCli,
  table,
  timingCells,
} from './lib/measure.mjs';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const opts = parseArgs(process.argv.slice(2), { runs: '3' });
const repos = opts._;
if (!repos.length) {
  console.error('usage: node bench/real-repos.mjs REPO_DIR... [--runs N] [--list]');
  process.exit(2);
}
const runs = Math.max(1, Number(opts.runs) || 3);
const cli = requireBuiltCli(REPO_ROOT);
const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'autopack-bench-code-cache-'));
const env = { AUTOPACK_CODE_CACHE: cacheDir };

const rows = [['repository', 'files', 'Markdown', 'wall (median)', 'findings by rule']];
const details = [];
for (const repo of repos) {
  const dir = path.resolve(repo);
  const ls = (...spec) =>
    execFileSync('git', ['-C', dir, 'ls-files', '-z', ...spec], { maxBuffer: 1 << 30 })
      .toString('utf8')
      .split('\0')
      .filter(Boolean).length;
  const files = ls();
  const md = ls('--', '*.md', '*.markdown');
  const args = [cli, 'check', dir, '--checks', 'drift,sot', '--format', 'json'];
  await repeat(`${path.basename(dir)}, priming`, 1, process.execPath, args, { env });
  const r = await repeat(path.basename(dir), runs, process.execPath, args, { env });
  if (r.last.code > 1) throw new Error(`${dir}: autopack exited ${r.last.code}: ${r.last.stderr}`);
  const { report, byRule, list } = autopackFindings(r.last.stdout);
  const rules = [...byRule].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`);
  rows.push([path.basename(dir), files, md, fmtMs(r.medianMs), rules.join(', ') || 'none']);
  const drift = report.results.find((x) => x.checkId === 'drift');
  details.push({ name: path.basename(dir), timing: timingCells(r), stats: drift?.stats, list });
}
await rm(cacheDir, { recursive: true, force: true });

console.log(`# drift + sot with the built-in policy; median of ${runs} run(s)\n`);
console.log(table(rows));
for (const d of details) {
  console.log(`\n## ${d.name}: ${d.timing.join(' | ')}`);
  if (d.stats) console.log(`drift stats: ${JSON.stringify(d.stats)}`);
  if (opts.list)
    for (const f of d.list) console.log(`  ${f.rule}  ${f.path}:${f.line ?? ''}  ${f.message}`);
}
