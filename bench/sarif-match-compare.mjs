#!/usr/bin/env node
/**
 * Compares Autopack's new / unchanged / updated / absent classification with the SARIF SDK's
 * `match-results-forward` on the same pairs of logs (the fixtures of test/fixtures/sarif, plus
 * two pairs derived here), and prints every disagreement.
 *
 * Autopack's side runs the real check: a git repository with the "before" sources, the baseline
 * written from the "before" log (`autopack baseline update` logic) and committed on `main`, then a
 * `feature` branch with the "after" sources (renames with `git mv`), evaluated as `--base main`.
 *
 * The SDK is not a dependency of this project. Install it outside the repository:
 *   mkdir -p /tmp/mt && cd /tmp/mt && npm init -y && npm i @microsoft/sarif-multitool-linux
 * and point MULTITOOL at the binary (default below). It needs ICU or
 * DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 (set here).
 *
 * Usage: npm run build && node bench/sarif-match-compare.mjs
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChecks } from '../lib/checks/runner.js';
import { securityBaselineCheck } from '../lib/checks/security-baseline/index.js';
import { snapshotReader } from '../lib/checks/security-baseline/extract.js';
import { computeBaselineRefresh } from '../lib/checks/security-baseline/refresh.js';
import { resolveConfig } from '../lib/policies/load.js';
import { loadLocalSnapshot } from '../lib/snapshots/local.js';

const MULTITOOL =
  process.env.MULTITOOL ?? '/tmp/mt/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool';
const FX = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'test',
  'fixtures',
  'sarif',
);
const fx = (rel) => readFile(path.join(FX, rel), 'utf8');
const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'bench',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com',
};
const git = (dir, ...args) =>
  execFileSync('git', args, { cwd: dir, env: GIT_ENV, encoding: 'utf8' });

/** Derived pairs (documented in the README of the fixtures and in docs/security-baseline.md). */
async function trivyUpgraded() {
  const log = JSON.parse(await fx('trivy/alpine-310.sarif'));
  // libssl1.1 upgraded: its two results disappear, libcrypto1.1's stay.
  log.runs[0].results = log.runs[0].results.filter((r) => !r.message.text.includes('libssl1.1'));
  return JSON.stringify(log, null, 2);
}
async function codeqlEdited() {
  const log = JSON.parse(await fx('codeql/valid-sarif.sarif'));
  const run = log.runs[1];
  // Three lines inserted above the first result (CodeQL's hash is unchanged, its line moves) and
  // the second result fixed.
  run.results[0].locations[0].physicalLocation.region.startLine += 3;
  run.results.splice(1, 1);
  return JSON.stringify(log, null, 2);
}

const PAIRS = [
  {
    name: 'ESLint: line shift above the findings',
    before: { files: { 'src/app.js': 'eslint/app.v1.js.txt' }, sarif: ['eslint/v1.sarif'] },
    after: { files: { 'src/app.js': 'eslint/app.v2.js.txt' }, sarif: ['eslint/v2-shifted.sarif'] },
  },
  {
    name: 'ESLint: file renamed (and shifted)',
    before: { files: { 'src/app.js': 'eslint/app.v1.js.txt' }, sarif: ['eslint/v1.sarif'] },
    after: {
      renames: { 'src/app.js': 'src/main.js' },
      files: { 'src/main.js': 'eslint/app.v2.js.txt' },
      sarif: ['eslint/v3-renamed.sarif'],
    },
  },
  {
    name: 'ESLint: flagged line edited, a new eval added',
    before: { files: { 'src/app.js': 'eslint/app.v2.js.txt' }, sarif: ['eslint/v2-shifted.sarif'] },
    after: { files: { 'src/app.js': 'eslint/app.v4.js.txt' }, sarif: ['eslint/v4-edited.sarif'] },
  },
  {
    name: 'ESLint: duplicated finding (the same log twice)',
    before: { files: { 'src/app.js': 'eslint/app.v1.js.txt' }, sarif: ['eslint/v1.sarif'] },
    after: {
      files: { 'src/app.js': 'eslint/app.v1.js.txt' },
      sarif: ['eslint/v1.sarif', 'eslint/v1.sarif'],
    },
  },
  {
    name: 'Semgrep: rule renamed by an upgrade (no deprecatedIds)',
    before: { files: {}, sarif: ['semgrep/dataflow-traces.sarif'] },
    after: { files: {}, sarif: ['semgrep/dataflow-traces.rule-renamed.sarif'] },
  },
  {
    name: 'Semgrep: rule renamed, deprecatedIds names the old id',
    before: { files: {}, sarif: ['semgrep/dataflow-traces.sarif'] },
    after: { files: {}, sarif: ['semgrep/dataflow-traces.rule-renamed-deprecatedIds.sarif'] },
  },
  {
    name: 'Trivy: one package upgraded (derived)',
    before: { files: {}, sarif: ['trivy/alpine-310.sarif'] },
    after: { files: {}, sarif: [trivyUpgraded] },
  },
  {
    name: 'CodeQL: line shift with tool fingerprints, one result fixed (derived)',
    before: { files: {}, sarif: ['codeql/valid-sarif.sarif'] },
    after: { files: {}, sarif: [codeqlEdited] },
  },
];

const text = (s) => (typeof s === 'function' ? s() : fx(s));

async function autopackSide(pair) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'autopack-compare-'));
  try {
    git(dir, 'init', '-q', '-b', 'main');
    const write = async (rel, content) => {
      await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
      await writeFile(path.join(dir, rel), content);
    };
    await write('README.md', '# compare\n');
    for (const [rel, src] of Object.entries(pair.before.files)) await write(rel, await fx(src));
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'before');
    const snap0 = await loadLocalSnapshot(dir);
    const before = await Promise.all(
      pair.before.sarif.map(async (s, i) => ({ path: `before-${i}.sarif`, text: await text(s) })),
    );
    const refreshed = await computeBaselineRefresh({
      sarif: before,
      previousLabel: 'b',
      hasFile: (p) => snap0.hasFile(p),
      readSource: snapshotReader(snap0),
      today: '2024-01-01',
    });
    await write('.github/autopack-baseline.json', refreshed.text);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'baseline');
    git(dir, 'checkout', '-q', '-b', 'feature');
    for (const [from, to] of Object.entries(pair.after.renames ?? {})) git(dir, 'mv', from, to);
    for (const [rel, src] of Object.entries(pair.after.files)) await write(rel, await fx(src));
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '--allow-empty', '-m', 'after');
    const after = await Promise.all(
      pair.after.sarif.map(async (s, i) => ({ path: `after-${i}.sarif`, text: await text(s) })),
    );
    const snapshot = await loadLocalSnapshot(dir, { baseRef: 'main' });
    const config = await resolveConfig({
      readFile: async () => undefined,
      configText: 'security-baseline:\n  report-unchanged: true\n',
    });
    const report = await runChecks({
      snapshot,
      config,
      only: ['security-baseline'],
      checks: [securityBaselineCheck],
      inputs: { sarif: after },
    });
    const states = [];
    for (const f of report.results[0].findings) {
      const st = f.properties?.baselineState;
      if (!st) continue;
      states.push({
        state: st,
        rule: f.properties.sarifRuleId,
        line: f.line ?? null,
        path: f.path ?? '',
        how: f.properties.matchedBy,
      });
    }
    return { states, stats: report.results[0].stats };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function sdkSide(pair) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sdk-compare-'));
  try {
    const prev = path.join(dir, 'previous.sarif');
    // The SDK takes one previous log; several "before" logs are merged by the multitool first.
    await writeFile(prev, await text(pair.before.sarif[0]));
    const inputs = [];
    for (const [i, s] of pair.after.sarif.entries()) {
      const p = path.join(dir, `current-${i}.sarif`);
      await writeFile(p, await text(s));
      inputs.push(p);
    }
    const out = path.join(dir, 'out.sarif');
    execFileSync(
      MULTITOOL,
      [
        'match-results-forward',
        '--previous',
        prev,
        ...inputs,
        '-o',
        out,
        '--log',
        'ForceOverwrite',
      ],
      {
        env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const log = JSON.parse(await readFile(out, 'utf8'));
    const states = [];
    for (const run of log.runs) {
      for (const r of run.results ?? []) {
        const region = r.locations?.[0]?.physicalLocation?.region;
        states.push({
          state: r.baselineState,
          rule: r.ruleId ?? run.tool.driver.rules?.[r.ruleIndex]?.id,
          line: region?.startLine ?? null,
        });
      }
    }
    return { states };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const count = (states) => {
  const c = { new: 0, unchanged: 0, updated: 0, absent: 0 };
  for (const s of states) c[s.state] = (c[s.state] ?? 0) + 1;
  return c;
};
const fmt = (c) =>
  `new ${c.new}, unchanged ${c.unchanged}, updated ${c.updated}, absent ${c.absent}`;

if (!existsSync(MULTITOOL)) {
  console.error(`sarif-match-compare: no multitool at ${MULTITOOL}; see the header of this file`);
  process.exit(2);
}
for (const pair of PAIRS) {
  const ours = await autopackSide(pair);
  const sdk = await sdkSide(pair);
  console.log(`\n## ${pair.name}`);
  console.log(`  autopack: ${fmt(count(ours.states))}`);
  console.log(`  sdk:      ${fmt(count(sdk.states))}`);
  // Per current result (rule + line); absent ones by rule.
  const key = (s) => `${s.rule}@${s.line ?? '-'}`;
  const sdkCurrent = new Map();
  for (const s of sdk.states.filter((x) => x.state !== 'absent'))
    sdkCurrent.set(key(s), [...(sdkCurrent.get(key(s)) ?? []), s.state]);
  for (const s of ours.states.filter((x) => x.state !== 'absent' && x.line !== null)) {
    const theirs = sdkCurrent.get(key(s));
    const t = theirs?.shift();
    if (t !== s.state)
      console.log(
        `  differs: ${key(s)} autopack ${s.state}${s.how ? ` (${s.how})` : ''}, sdk ${t ?? 'not reported'}`,
      );
  }
  const oursAbsent = ours.states
    .filter((x) => x.state === 'absent')
    .map((x) => x.rule)
    .sort();
  const sdkAbsent = sdk.states
    .filter((x) => x.state === 'absent')
    .map((x) => x.rule)
    .sort();
  if (oursAbsent.join() !== sdkAbsent.join())
    console.log(`  absent differs: autopack [${oursAbsent}] sdk [${sdkAbsent}]`);
}
