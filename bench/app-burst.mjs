#!/usr/bin/env node
/**
 * Burst benchmark of the GitHub App: the real server process (app/server.ts, bundled with
 * esbuild, NODE_ENV=production: Probot's retry and throttling ON) against the fake GitHub of
 * test/app/fake-github.ts on 127.0.0.1, for a 5,000-file repository.
 *
 * The burst: PRS pull requests spread over INSTALLATIONS installations; each is opened and then
 * pushed to HEADS-1 times. Every push is delivered as GitHub delivers it: `pull_request`
 * (opened / synchronize) and, a few milliseconds later, `check_suite.requested` for the same head.
 * Events are sent at RATE events per second, HMAC-signed, over HTTP.
 *
 * Printed in one run:
 * - GitHub API requests per evaluated event against the minimum the API allows for the same
 *   result, reads and writes separately (the minimum is spelled out below the table);
 * - events per second offered, acknowledged and evaluated;
 * - p50 / p99 from the webhook to the first and to the last completed Check Run of a head;
 * - p50 / p99 evaluation time (webhook received to results ready, writes excluded) from the
 *   server's own log, and the same measured from the start of the evaluation;
 * - peak RSS of the server process (VmHWM);
 * - whether any blob was requested twice.
 *
 * Usage: node bench/app-burst.mjs [--prs 20] [--heads 5] [--rate 20] [--installations 10]
 *                                 [--files 5000] [--mode combined|per-check]
 *                                 [--concurrency N] [--coalesce-ms MS]   (AUTOPACK_CONCURRENCY / _COALESCE_MS)
 *                                 [--archive-thread on|off]   (AUTOPACK_ARCHIVE_THREAD)
 *                                 [--log FILE]   (the server's JSON log lines, for a closer look)
 */
/* global setTimeout, structuredClone, fetch */
import { spawn } from 'node:child_process';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'node_modules', '.cache', 'autopack-bench');

function arg(name, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
}
const PRS = Number(arg('prs', 20));
const HEADS = Number(arg('heads', 5));
const RATE = Number(arg('rate', 20));
const INSTALLATIONS = Number(arg('installations', 10));
const FILES = Number(arg('files', 5000));
const MODE = arg('mode', 'combined');
const CONCURRENCY = arg('concurrency', '');
const COALESCE_MS = arg('coalesce-ms', '');
const LOG_FILE = arg('log', '');
const ARCHIVE_THREAD = arg('archive-thread', '');
const APP_ID = 777;
const SECRET = 'bench-secret';
const OWNER = 'bench';

const pct = (xs, p) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const ms = (x) => (Number.isFinite(x) ? `${Math.round(x)} ms` : 'n/a');
const sha = (s) => createHmac('sha1', 'bench').update(s).digest('hex');
const sleep = (t) => new Promise((r) => setTimeout(r, t));

async function bundle() {
  mkdirSync(OUT, { recursive: true });
  const common = {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
  };
  await build({
    ...common,
    entryPoints: [path.join(ROOT, 'app/server.ts')],
    outfile: path.join(OUT, 'server.mjs'),
  });
  // The archive worker sits beside the server, as lib/app/archive-worker.js sits beside
  // lib/app/archive-reader.js (app/archive-reader.ts finds it there).
  await build({
    ...common,
    entryPoints: [path.join(ROOT, 'app/archive-worker.ts')],
    outfile: path.join(OUT, 'archive-worker.js'),
  });
  writeFileSync(path.join(OUT, 'package.json'), '{ "type": "module" }\n');
  await build({
    ...common,
    entryPoints: [path.join(ROOT, 'test/app/fake-github.ts')],
    outfile: path.join(OUT, 'fake-github.mjs'),
  });
  return import(pathToFileURL(path.join(OUT, 'fake-github.mjs')).href);
}

/** A 5,000-file repository shaped like a real one: sources, docs with links, workflows, config. */
function repository(n) {
  const files = {
    'README.md':
      '# Bench\n\nSee [the guide](docs/guide-0.md) and [contributing](CONTRIBUTING.md).\n',
    'CONTRIBUTING.md': '# Contributing\n\nRun `npm test`.\n',
    LICENSE: 'MIT License\n',
    'SECURITY.md': 'Report vulnerabilities to security@example.com.\n',
    '.github/CODEOWNERS': '* @bench/maintainers\n',
    '.gitignore': 'node_modules/\n',
    'package.json': '{ "name": "bench", "version": "1.0.0" }\n',
    '.github/workflows/ci.yml':
      'name: ci\non: [push]\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n',
    '.github/autopack.yml': `extends: autopack:recommended\ncheck-runs:\n  mode: ${MODE}\n`,
  };
  let i = 0;
  while (Object.keys(files).length < n) {
    const k = i++;
    if (k % 10 === 0)
      files[`docs/section-${k % 40}/guide-${k}.md`] =
        `# Guide ${k}\n\nBack to [the README](../../README.md).\n\n${'Some prose. '.repeat(20)}\n`;
    else if (k % 10 === 1)
      files[`config/service-${k}.json`] =
        `{ "name": "service-${k}", "port": ${3000 + (k % 100)} }\n`;
    else
      files[`src/module-${k % 50}/file-${k}.ts`] =
        `export const value${k} = ${k};\n// ${'x'.repeat(k % 200)}\n`;
  }
  files['docs/guide-0.md'] = '# Guide\n\nStart here.\n';
  return files;
}

async function main() {
  const { FakeGitHub } = await bundle();
  const fake = new FakeGitHub({ appId: APP_ID });
  const port = await fake.listen();
  const baseFiles = repository(FILES);
  const BASE = sha('base');
  /** The heads of every pull request, and what changed in each. */
  const plan = [];
  for (let p = 1; p <= PRS; p++) {
    const inst = 1000 + ((p - 1) % INSTALLATIONS);
    const repo = `${OWNER}/repo-${inst}`;
    if (!plan.some((x) => x.repo === repo)) fake.addCommit(repo, BASE, baseFiles);
    const heads = [];
    let files = baseFiles;
    for (let h = 0; h < HEADS; h++) {
      files = { ...files };
      // Each push edits a doc and a source file and adds a note: new blobs, most shared with the base.
      files[`docs/section-${p % 40}/pr-${p}.md`] =
        `# PR ${p} push ${h}\n\nSee [README](../../README.md).\n`;
      files[`src/module-${p % 50}/pr-${p}.ts`] = `export const pr${p} = ${h};\n`;
      files[`notes/pr-${p}-${h}.txt`] = `push ${h}\n`;
      const head = sha(`pr-${p}-head-${h}`);
      fake.addCommit(repo, head, files, BASE);
      heads.push(head);
    }
    fake.addPull(repo, {
      number: p,
      headSha: heads.at(-1),
      baseSha: BASE,
      baseRef: 'main',
      headRef: `topic-${p}`,
    });
    plan.push({ pr: p, inst, repo, heads });
  }
  // GitHub's codeload has archives ready; building them here, inside the burst, would take the
  // App's CPUs (this process shares the machine with the server) and count as its latency.
  const archives = await fake.prepareArchives();
  console.error(`fake GitHub: ${archives} commit archives prepared before the burst`);

  const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs1', format: 'pem' })
    .toString();
  // BENCH_NODE_ARGS: extra node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const server = spawn(process.execPath, [...nodeArgs, path.join(OUT, 'server.mjs')], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      APP_ID: String(APP_ID),
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: SECRET,
      PORT: '0',
      HOST: '127.0.0.1',
      GHE_HOST: `127.0.0.1:${port}`,
      GHE_PROTOCOL: 'http',
      LOG_LEVEL: 'info',
      ...(CONCURRENCY ? { AUTOPACK_CONCURRENCY: CONCURRENCY } : {}),
      ...(COALESCE_MS ? { AUTOPACK_COALESCE_MS: COALESCE_MS } : {}),
      ...(ARCHIVE_THREAD ? { AUTOPACK_ARCHIVE_THREAD: ARCHIVE_THREAD } : {}),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const logs = [];
  let buf = '';
  let appPort;
  const listening = new Promise((resolve, reject) => {
    server.once('exit', (code) =>
      reject(new Error(`the server exited (${code}) before listening`)),
    );
    server.stdout.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try {
          const j = JSON.parse(line);
          logs.push(j);
          if (j.autopack === 'listening') {
            appPort = j.port;
            resolve();
          }
        } catch {
          // not JSON
        }
      }
    });
  });
  await listening;

  // Payload templates: real payloads from @octokit/webhooks-examples.
  const examples = JSON.parse(
    readFileSync(
      path.join(ROOT, 'node_modules/@octokit/webhooks-examples/api.github.com/index.json'),
      'utf8',
    ),
  );
  const tpl = (name, action) =>
    examples
      .find((d) => d.name === name)
      .examples.find((x) => x.action === action && x.installation);
  const prTpl = tpl('pull_request', 'synchronize');
  const suiteTpl = tpl('check_suite', 'requested');
  const repoOf = (r, inst) => ({
    ...prTpl.repository,
    id: inst,
    name: r.split('/')[1],
    full_name: r,
    owner: { ...prTpl.repository.owner, login: OWNER },
    default_branch: 'main',
  });

  /** The event list, in send order. */
  const events = [];
  let clock = Date.parse('2024-01-01T00:00:00Z');
  for (let h = 0; h < HEADS; h++) {
    for (const p of plan) {
      const head = p.heads[h];
      const updated = new Date((clock += 1000)).toISOString();
      const repository = repoOf(p.repo, p.inst);
      const pr = structuredClone(prTpl);
      pr.action = h === 0 ? 'opened' : 'synchronize';
      pr.number = p.pr;
      pr.installation = { id: p.inst, node_id: 'x' };
      pr.repository = repository;
      Object.assign(pr.pull_request, {
        number: p.pr,
        state: 'open',
        updated_at: updated,
        changed_files: 3,
      });
      pr.pull_request.head = { ...pr.pull_request.head, sha: head, ref: `topic-${p.pr}` };
      pr.pull_request.base = { ...pr.pull_request.base, sha: BASE, ref: 'main', repo: repository };
      events.push({ name: 'pull_request', payload: pr, head, pr: p.pr });
      const suite = structuredClone(suiteTpl);
      suite.installation = { id: p.inst, node_id: 'x' };
      suite.repository = repository;
      Object.assign(suite.check_suite, {
        head_sha: head,
        head_branch: `topic-${p.pr}`,
        updated_at: updated,
        pull_requests: [
          {
            number: p.pr,
            head: { sha: head, ref: `topic-${p.pr}` },
            base: { sha: BASE, ref: 'main', repo: { id: p.inst } },
          },
        ],
      });
      events.push({ name: 'check_suite', payload: suite, head, pr: p.pr });
    }
  }

  // Send at RATE events/s (a check_suite follows its pull_request event by the same 1/RATE step).
  const sentAt = new Map();
  const firstSend = Date.now();
  const benchCpu0 = process.cpuUsage();
  let acked = 0;
  let lastAck = 0;
  const inflight = [];
  for (let i = 0; i < events.length; i++) {
    const due = firstSend + (i * 1000) / RATE;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    const e = events[i];
    const body = JSON.stringify(e.payload);
    const sig = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
    if (!sentAt.has(e.head)) sentAt.set(e.head, Date.now());
    inflight.push(
      fetch(`http://127.0.0.1:${appPort}/api/github/webhooks`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-github-event': e.name,
          'x-github-delivery': `d-${i}`,
          'x-hub-signature-256': sig,
        },
        body,
      }).then(async (r) => {
        await r.arrayBuffer();
        if (r.ok) acked++;
        lastAck = Date.now();
      }),
    );
  }
  const lastSend = Date.now();
  await Promise.all(inflight);

  // Wait until every pull request's newest head has its runs completed and the queue is quiet.
  const expectedRuns = MODE === 'combined' ? 2 : null;
  const newest = plan.map((p) => ({ repo: p.repo, head: p.heads.at(-1) }));
  const done = () =>
    newest.every(({ repo, head }) => {
      const runs = fake.latestRuns(repo, head);
      return (
        runs.length > 0 &&
        runs.every((r) => r.status === 'completed') &&
        (expectedRuns === null || runs.length >= expectedRuns)
      );
    });
  const deadline = Date.now() + 20 * 60_000;
  while (!done() && Date.now() < deadline) await sleep(200);
  let quiet = fake.requests.length;
  for (;;) {
    await sleep(1500);
    if (fake.requests.length === quiet) break;
    quiet = fake.requests.length;
  }
  const finished = Date.now();
  const benchCpu = process.cpuUsage(benchCpu0);
  if (LOG_FILE) writeFileSync(LOG_FILE, logs.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const status = readFileSync(`/proc/${server.pid}/status`, 'utf8');
  const peakRss = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  await exited;

  // --- Figures ---------------------------------------------------------------------------------
  const evaluated = logs.filter((l) => l.autopack === 'evaluated');
  const published = evaluated.filter((l) => l.outcome === 'published');
  const byOutcome = {};
  for (const l of evaluated) byOutcome[l.outcome] = (byOutcome[l.outcome] ?? 0) + 1;
  const repoReq = fake.requests.filter((r) => r.path.startsWith('/repos/'));
  const reads = repoReq.filter((r) => r.method === 'GET');
  const writes = repoReq.filter((r) => r.method !== 'GET');
  const notModified = reads.filter((r) => r.status === 304).length;
  const kind = (r) =>
    r.path
      .replace(/^\/repos\/[^/]+\/[^/]+/, '')
      .replace(/[0-9a-f]{40}\.\.\.[0-9a-f]{40}/, '{base}...{head}')
      .replace(/[0-9a-f]{40}/g, '{sha}')
      .replace(/\/\d+(\/|$)/g, '/{n}$1')
      .replace(/contents\/.*/, 'contents/{path}');
  const readKinds = {};
  for (const r of reads) readKinds[kind(r)] = (readKinds[kind(r)] ?? 0) + 1;
  const blobCounts = new Map();
  for (const r of reads.filter((x) => x.path.includes('/git/blobs/')))
    blobCounts.set(r.path, (blobCounts.get(r.path) ?? 0) + 1);
  // Blobs are shared across the repos of the bench (same base): count per blob SHA, across repos.
  const bySha = new Map();
  for (const [p, n] of blobCounts) {
    const s = p.slice(-40);
    bySha.set(s, (bySha.get(s) ?? 0) + n);
  }
  const blobTwice = [...bySha.values()].filter((n) => n > 1).length;

  // The minimum for the same result. Per published evaluation: its Check Run lookup (idempotency
  // under redelivery), the head tree, the change list (one compare), and what governance needs
  // (the pull request and its comments); once per distinct (repo, base commit): the policy file;
  // once per distinct blob any check read. Writes: one per Check Run written.
  const governancePerEval = reads.some((r) => /\/issues\/\d+\/comments$/.test(r.path)) ? 2 : 0;
  const distinctPolicy = new Set(
    reads.filter((r) => r.path.includes('/contents/')).map((r) => `${r.path}@${r.query.ref}`),
  ).size;
  const minReads = published.length * (3 + governancePerEval) + distinctPolicy + bySha.size;
  const runsWritten = new Set(
    writes
      .filter((w) => w.method === 'POST')
      .map((w) => w.path + (w.body?.name ?? '') + (w.body?.head_sha ?? '')),
  ).size;
  const annotationBatches = writes.filter((w) => w.method === 'PATCH').length;

  // Webhook → first / last completed Check Run, per head that received runs.
  const toFirst = [];
  const toLast = [];
  const heads = new Map();
  for (const r of fake.checkRuns)
    if (r.completedAt)
      heads.set(`${r.repo}@${r.head_sha}`, [...(heads.get(`${r.repo}@${r.head_sha}`) ?? []), r]);
  for (const [key, runs] of heads) {
    const head = key.split('@')[1];
    const t0 = sentAt.get(head);
    if (t0 === undefined) continue;
    const times = runs.map((r) => r.completedAt);
    toFirst.push(Math.min(...times) - t0);
    toLast.push(Math.max(...times) - t0);
  }
  const sinceWebhook = published.map((l) => l.sinceWebhookMs);
  const sinceFirst = published.map((l) => l.sinceFirstWebhookMs);
  const evalMs = published.map((l) => l.evaluationMs);
  const engineMs = published.map((l) => l.engineMs ?? 0);
  const appMs = published.map((l) => l.evaluationMs - (l.engineMs ?? 0));
  const perCheck = {};
  for (const l of published)
    for (const [k, v] of Object.entries(l.checkMs ?? {})) (perCheck[k] ??= []).push(v);

  const out = [];
  out.push(
    `Autopack App burst benchmark — ${FILES} files, ${PRS} pull requests × ${HEADS} heads, ${INSTALLATIONS} installations, check-runs mode ${MODE}${CONCURRENCY ? `, concurrency ${CONCURRENCY}` : ''}${COALESCE_MS ? `, coalesce ${COALESCE_MS} ms` : ''}${ARCHIVE_THREAD ? `, archive thread ${ARCHIVE_THREAD}` : ''}`,
  );
  out.push(
    `machine: ${process.platform} ${process.arch}, ${cpus().length} cores, load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(
        ' ',
      )} at the end; node ${process.version}; server: NODE_ENV=production (Probot retry + throttling on)`,
  );
  out.push('');
  out.push(
    `events sent:                 ${events.length} (pull_request + check_suite.requested per push)`,
  );
  out.push(
    `  offered rate:              ${(events.length / ((lastSend - firstSend) / 1000 || 1)).toFixed(1)} events/s (target ${RATE})`,
  );
  out.push(
    `  acknowledged (2xx):        ${acked}, sustained ${(acked / ((lastAck - firstSend) / 1000 || 1)).toFixed(1)} events/s`,
  );
  out.push(
    `evaluations:                 ${evaluated.length} (${Object.entries(byOutcome)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')})`,
  );
  out.push(
    `  results-ready throughput:  ${(events.length / (Math.max(...published.map((l) => l.time ?? 0)) / 1000 - firstSend / 1000 || 1)).toFixed(1)} events/s (events / time to the last result ready)`,
  );
  out.push('');
  out.push('GitHub API requests (repository endpoints; token exchanges and GET /app excluded)');
  out.push(
    `  reads:   ${reads.length} total, ${(reads.length / published.length).toFixed(2)} per evaluated event; minimum ${(minReads / published.length).toFixed(2)} → ${(reads.length / minReads).toFixed(2)}× the minimum (target ≤ 1.5×); ${notModified} answered 304 (free)`,
  );
  out.push(
    `           by kind: ${Object.entries(readKinds)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  // The fake GitHub's own answer time (in this process, on the same two cores): part of the
  // App's time that a real GitHub would replace by its network latency.
  const fakeMs = {};
  for (const r of reads) if (r.ms !== undefined) (fakeMs[kind(r)] ??= []).push(r.ms);
  out.push(
    `           fake GitHub's answer time p50/p99: ${Object.entries(fakeMs)
      .sort((a, b) => b[1].length - a[1].length)
      .map(([k, v]) => `${k} ${Math.round(pct(v, 50))}/${Math.round(pct(v, 99))}`)
      .join(', ')} ms`,
  );
  out.push(
    `  writes:  ${writes.length} total, ${(writes.length / published.length).toFixed(2)} per evaluated event; Check Runs written ${runsWritten} → ${(writes.length / (runsWritten || 1)).toFixed(2)} writes per Check Run (target exactly 1; ${annotationBatches} extra annotation/update writes)`,
  );
  out.push(
    `  blobs:   ${bySha.size} distinct read; requested more than once: ${blobTwice} (target 0)`,
  );
  out.push(
    '  minimum = per published evaluation: run lookup + head tree + compare' +
      (governancePerEval ? ' + pull request + comments (governance)' : '') +
      '; once per policy commit: the policy file; once per distinct blob read',
  );
  out.push('');
  out.push('Latency (ms)                           p50        p99');
  out.push(
    `  webhook → first completed Check Run  ${ms(pct(toFirst, 50)).padEnd(10)} ${ms(pct(toFirst, 99))}   (${toFirst.length} heads with runs)`,
  );
  out.push(
    `  webhook → last completed Check Run   ${ms(pct(toLast, 50)).padEnd(10)} ${ms(pct(toLast, 99))}`,
  );
  out.push(
    `  evaluation, webhook → results ready  ${ms(pct(sinceWebhook, 50)).padEnd(10)} ${ms(pct(sinceWebhook, 99))}   (writes excluded; target p99 < 500 ms)`,
  );
  out.push(
    `    from the oldest coalesced webhook  ${ms(pct(sinceFirst, 50)).padEnd(10)} ${ms(pct(sinceFirst, 99))}`,
  );
  out.push(
    `    from the start of the evaluation   ${ms(pct(evalMs, 50)).padEnd(10)} ${ms(pct(evalMs, 99))}`,
  );
  out.push(
    `      of which the engine (runChecks)  ${ms(pct(engineMs, 50)).padEnd(10)} ${ms(pct(engineMs, 99))}`,
  );
  out.push(
    `      of which the App (API, snapshot) ${ms(pct(appMs, 50)).padEnd(10)} ${ms(pct(appMs, 99))}`,
  );
  for (const [k, v] of Object.entries(perCheck)) {
    out.push(`      check ${k.padEnd(26)} ${ms(pct(v, 50)).padEnd(10)} ${ms(pct(v, 99))}`);
  }
  out.push('');
  out.push(
    `CPU of this process (the fake GitHub and the webhook sender, on the same cores): ${((benchCpu.user + benchCpu.system) / 1e6).toFixed(1)} s over ${((finished - firstSend) / 1000).toFixed(1)} s`,
  );
  out.push(`peak RSS of the server: ${peakRss.toFixed(0)} MiB`);
  out.push(
    `wall time: ${((finished - firstSend) / 1000).toFixed(1)} s (writes are paced ~1 s apart per installation by Probot's throttling)`,
  );
  console.log(out.join('\n'));
  if (process.env.BENCH_TIMELINE) {
    for (const r of fake.requests)
      console.log(`${r.at - firstSend}\t${r.method} ${r.path.slice(0, 90)} ${r.status}`);
    for (const l of evaluated) console.log(JSON.stringify(l));
  }
  await fake.close();
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
