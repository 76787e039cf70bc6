#!/usr/bin/env node
/**
 * The Action bundle's start-up cost, measured as the runner pays it: `node dist/index.js` is
 * spawned with the environment a workflow step gets (INPUT_*, GITHUB_EVENT_NAME / _PATH,
 * GITHUB_WORKSPACE, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY), and the clock runs from the spawn to the
 * first line of work the Action prints (`autopack: mode ...`, written once the inputs are read
 * and the event is resolved), then to the end of the process. Also prints the bundle's size.
 * Target: the first line of work in under 300 ms.
 *
 *   node bench/action-startup.mjs [RUNS]          # default 15 runs, on a small git fixture
 *   node bench/action-startup.mjs 15 /path/repo   # on a checkout of your choice
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundle = path.join(root, 'dist', 'index.js');
const runs = Number(process.argv[2] ?? 15);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'autopack-bench-action-'));

function fixture() {
  const dir = path.join(tmp, 'repo');
  mkdirSync(dir);
  const git = (...args) =>
    execFileSync('git', args, {
      cwd: dir,
      env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
    });
  git('init', '-q', '-b', 'main');
  for (const [p, text] of Object.entries({
    'README.md': '# bench\n',
    LICENSE: 'MIT\n',
    'SECURITY.md': '# s\n',
    'src/index.js': 'export {};\n',
  })) {
    mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    writeFileSync(path.join(dir, p), text);
  }
  git('add', '-A');
  git('-c', 'user.name=b', '-c', 'user.email=b@example.com', 'commit', '-qm', 'bench');
  return dir;
}

const workspace = process.argv[3] ? path.resolve(process.argv[3]) : fixture();
const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: workspace }).toString().trim();
const eventPath = path.join(tmp, 'event.json');
writeFileSync(
  eventPath,
  JSON.stringify({
    inputs: {},
    ref: 'refs/heads/main',
    repository: { default_branch: 'main', full_name: 'bench/bench' },
  }),
);

function once() {
  const out = path.join(tmp, 'out');
  const summary = path.join(tmp, 'summary');
  writeFileSync(out, '');
  writeFileSync(summary, '');
  const env = {
    PATH: process.env.PATH,
    HOME: tmp,
    GITHUB_EVENT_NAME: 'workflow_dispatch',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_WORKSPACE: workspace,
    GITHUB_SHA: sha,
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REPOSITORY: 'bench/bench',
    GITHUB_OUTPUT: out,
    GITHUB_STEP_SUMMARY: summary,
    RUNNER_TEMP: tmp,
    'INPUT_DRIFT-ISSUE': 'false',
    'INPUT_FAIL-ON': 'never',
    INPUT_TOKEN: '',
  };
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    let first;
    let buf = '';
    const child = spawn(process.execPath, [bundle], {
      cwd: workspace,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout.on('data', (c) => {
      buf += c.toString();
      if (first === undefined && /^autopack: mode /m.test(buf))
        first = Number(process.hrtime.bigint() - t0) / 1e6;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const total = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0 || first === undefined)
        reject(new Error(`run failed (exit ${code}):\n${buf}`));
      else resolve({ first, total });
    });
  });
}

/** Bare `node -e ''` start-up on this machine, for reference. */
function nodeFloor() {
  const t0 = process.hrtime.bigint();
  execFileSync(process.execPath, ['-e', '']);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

try {
  await once(); // warm the file system cache
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await once());
  const floors = Array.from({ length: 5 }, nodeFloor);
  const bytes = statSync(bundle).size;
  const gz = gzipSync(readFileSync(bundle)).length;
  const firsts = results.map((r) => r.first);
  const totals = results.map((r) => r.total);
  const f = (n) => `${n.toFixed(0)} ms`;
  console.log(
    `bundle            dist/index.js ${(bytes / 1024).toFixed(0)} KiB (${bytes} bytes), gzip ${(gz / 1024).toFixed(0)} KiB`,
  );
  console.log(
    `node ${process.version} on ${os.cpus().length} CPU(s), ${runs} runs, workspace ${workspace}`,
  );
  console.log(
    `first line of work  median ${f(pct(firsts, 50))}  p90 ${f(pct(firsts, 90))}  min ${f(Math.min(...firsts))}  max ${f(Math.max(...firsts))}  (target < 300 ms)`,
  );
  console.log(
    `whole run           median ${f(pct(totals, 50))}  p90 ${f(pct(totals, 90))}  (every check on the workspace, report files, summary)`,
  );
  console.log(`bare node start     median ${f(pct(floors, 50))}`);
  console.log(
    pct(firsts, 50) < 300
      ? 'PASS: first line of work under 300 ms'
      : 'MISS: first line of work at or over 300 ms',
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
