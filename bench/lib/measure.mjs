/**
 * Shared benchmark helpers: run a command as a child process and measure its wall time and peak
 * resident set size, print side-by-side tables. No dependencies beyond Node.
 *
 * Peak RSS comes from GNU time (`/usr/bin/time -v`, "Maximum resident set size", which covers
 * the process and the children it waited for: getrusage(RUSAGE_CHILDREN)) when it is installed
 * (`apt-get install -y time`); otherwise from polling /proc/<pid>/status VmHWM every 10 ms,
 * which sees the direct child only and is marked "(polled)".
 */
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { clearInterval, setInterval } from 'node:timers';

const GNU_TIME = '/usr/bin/time';

/** True when GNU time is available for child RSS measurement. */
export function haveGnuTime() {
  if (!existsSync(GNU_TIME)) return false;
  try {
    return readFileSync(GNU_TIME).includes('Maximum resident set size');
  } catch {
    return false;
  }
}

/**
 * Runs `cmd args` once. Output is collected as Buffers (streamed, no size ceiling).
 * Resolves with { wallMs, cpuMs, rssKb, rssMethod, code, stdout, stderr }: `cpuMs` is user +
 * system CPU time of the process and its waited-for children (GNU time only, else NaN), the
 * figure to compare when the machine is shared and wall times stretch. Never rejects for a
 * non-zero exit (the caller decides what an exit code means).
 */
export async function measure(cmd, args, { cwd, env } = {}) {
  const useTime = haveGnuTime();
  let timeFile;
  let argv = [cmd, ...args];
  if (useTime) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'autopack-bench-'));
    timeFile = path.join(dir, 'time.txt');
    argv = [GNU_TIME, '-v', '-o', timeFile, cmd, ...args];
  }
  const started = performance.now();
  const child = spawn(argv[0], argv.slice(1), {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = [];
  const err = [];
  child.stdout.on('data', (c) => out.push(c));
  child.stderr.on('data', (c) => err.push(c));
  let polledKb = 0;
  let timer;
  if (!useTime) {
    timer = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) polledKb = Math.max(polledKb, Number(m[1]));
      } catch {
        // the process has exited
      }
    }, 10);
  }
  const code = await new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c) => resolve(c));
  });
  const wallMs = performance.now() - started;
  if (timer) clearInterval(timer);
  let rssKb = polledKb;
  let rssMethod = 'polled';
  let cpuMs = NaN;
  if (timeFile) {
    const text = await readFile(timeFile, 'utf8');
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(text);
    rssKb = m ? Number(m[1]) : NaN;
    const user = /User time \(seconds\): ([\d.]+)/.exec(text);
    const sys = /System time \(seconds\): ([\d.]+)/.exec(text);
    if (user && sys) cpuMs = (Number(user[1]) + Number(sys[1])) * 1000;
    rssMethod = 'gnu-time';
    await rm(path.dirname(timeFile), { recursive: true, force: true });
  }
  return {
    wallMs,
    cpuMs,
    rssKb,
    rssMethod,
    code,
    stdout: Buffer.concat(out),
    stderr: Buffer.concat(err),
  };
}

/**
 * Runs a command `runs` times and summarises: median/min/max wall time, max peak RSS, and the
 * last run's result (for its output). `label` is for progress lines on stderr.
 */
export async function repeat(label, runs, cmd, args, opts) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const last = await measure(cmd, args, opts);
    samples.push(last);
    process.stderr.write(
      `  ${label} run ${i + 1}/${runs}: ${fmtMs(last.wallMs)} wall, ${fmtMs(last.cpuMs)} cpu, ${fmtMb(last.rssKb)} (exit ${last.code})\n`,
    );
  }
  return summarise(label, samples);
}

/**
 * Runs several commands `runs` times each, interleaved (round k runs every command once, in
 * turn), so that a change in the machine's load (neighbours on a shared runner) falls on all of
 * them alike; summarises each as {@link repeat} does. `jobs` is an array of
 * `{ label, cmd, args, opts }`; resolves the summaries in the same order.
 */
export async function repeatInterleaved(jobs, runs) {
  const samples = jobs.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [k, job] of jobs.entries()) {
      const r = await measure(job.cmd, job.args, job.opts);
      samples[k].push(r);
      process.stderr.write(
        `  ${job.label} run ${i + 1}/${runs}: ${fmtMs(r.wallMs)} wall, ${fmtMs(r.cpuMs)} cpu, ${fmtMb(r.rssKb)} (exit ${r.code})\n`,
      );
    }
  }
  return jobs.map((job, k) => summarise(job.label, samples[k]));
}

/** Median/min/max wall, median CPU, max peak RSS of `samples`, and the last sample. */
function summarise(label, samples) {
  const last = samples[samples.length - 1];
  const walls = samples.map((s) => s.wallMs).sort((a, b) => a - b);
  const cpus = samples.map((s) => s.cpuMs).sort((a, b) => a - b);
  return {
    label,
    cpuMs: cpus[Math.floor(cpus.length / 2)],
    medianMs: walls[Math.floor(walls.length / 2)],
    minMs: walls[0],
    maxMs: walls[walls.length - 1],
    rssKb: Math.max(...samples.map((s) => s.rssKb)),
    rssMethod: last.rssMethod,
    last,
  };
}

/** `1234.5` → `1.23 s`; under a second in ms. */
export function fmtMs(ms) {
  if (!Number.isFinite(ms)) return 'n/a';
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}

/** kB → `123.4 MB` (MiB, as GNU time reports kibibytes). */
export function fmtMb(kb) {
  return Number.isFinite(kb) ? `${(kb / 1024).toFixed(1)} MB` : 'n/a';
}

/** Prints an aligned text table: `rows` are arrays of cells, the first row is the header. */
export function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i] ?? '').length)));
  const line = (r) => r.map((c, i) => String(c ?? '').padEnd(widths[i])).join('  ').trimEnd();
  const out = [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of rows.slice(1)) out.push(line(r));
  return out.join('\n');
}

/** `a / b` as `12.3x`. */
export function ratio(a, b) {
  return b > 0 ? `${(a / b).toFixed(1)}x` : 'n/a';
}

/** Parses argv `--name value` / `--flag` pairs after the positional arguments. */
export function parseArgs(argv, defaults) {
  const opts = { ...defaults, _: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      opts._.push(a);
      continue;
    }
    const key = a.slice(2);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) opts[key] = true;
    else {
      opts[key] = next;
      i++;
    }
  }
  return opts;
}

/** Fails with a clear message unless the compiled CLI exists (the benches run `node bin/autopack.js`). */
export function requireBuiltCli(repoRoot) {
  const main = path.join(repoRoot, 'lib', 'autopack.cjs');
  if (!existsSync(main)) {
    throw new Error(`the CLI is not built (${main} is missing): run \`npm run build\` first`);
  }
  return path.join(repoRoot, 'bin', 'autopack.js');
}

/** Resolves an installed tool's executable, with an install hint when it is missing. */
export function requireTool(file, hint) {
  if (!existsSync(file)) throw new Error(`${file} not found. ${hint}`);
  return file;
}

/** Counts findings of an Autopack JSON report by `<check>/<rule>`, and lists them. */
export function autopackFindings(stdout) {
  const report = JSON.parse(stdout.toString('utf8'));
  const byRule = new Map();
  const list = [];
  for (const r of report.results) {
    for (const f of r.findings) {
      const k = `${f.checkId}/${f.ruleId}`;
      byRule.set(k, (byRule.get(k) ?? 0) + 1);
      list.push({ rule: k, severity: f.severity, path: f.path, line: f.line, message: f.message });
    }
  }
  return { report, byRule, list };
}

/** Header cells matching {@link timingCells}. */
export const TIMING_HEADER = ['wall (median)', 'min..max', 'cpu (user+sys)', 'peak RSS'];

/** Wall median, wall range, CPU median and peak RSS of a {@link repeat} result, as table cells. */
export function timingCells(r) {
  return [fmtMs(r.medianMs), `${fmtMs(r.minMs)}..${fmtMs(r.maxMs)}`, fmtMs(r.cpuMs), fmtMb(r.rssKb)];
}

/**
 * One line comparing two {@link repeat} results: how many times faster `fast` is than `slow`,
 * by wall time and by CPU time, against a target factor (>= target is met).
 */
export function speedupLine(fastName, fast, slowName, slow, target) {
  const wall = slow.medianMs / fast.medianMs;
  const cpu = slow.cpuMs / fast.cpuMs;
  const verdict = (x) => (Number.isFinite(x) ? (x >= target ? 'met' : 'NOT met') : 'n/a');
  const cpuText = Number.isFinite(cpu) ? `${cpu.toFixed(1)}x by CPU time (${verdict(cpu)})` : 'CPU time n/a';
  return `${fastName} vs ${slowName}: ${wall.toFixed(1)}x faster by wall time (${verdict(wall)}), ${cpuText}; target >= ${target}x`;
}
