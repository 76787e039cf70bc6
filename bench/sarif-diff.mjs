#!/usr/bin/env node
/**
 * Benchmark: diff two SARIF logs of N results each (default 50,000) the way the security-baseline
 * check does — parse and validate both against the official schema, extract and fingerprint,
 * build the baseline from the first (refresh), then match the second against it — and print the
 * time of each phase, the total, and the peak RSS. Target: under 2 s and 500 MB.
 *
 * The logs have the shape CodeQL writes: rules with `security-severity` in the driver, artifacts
 * with `%SRCROOT%` URIs and `index`, results with `ruleIndex`, `partialFingerprints`
 * (`primaryLocationLineHash`, `primaryLocationStartColumnFingerprint`), regions, related
 * locations on every tenth result. The second log differs from the first as a week of work
 * would: 2% of results fixed, 2% new, 10% moved by a line shift (same fingerprint), 1% with a
 * changed line hash next to unchanged neighbours.
 *
 * Usage: npm run build && node bench/sarif-diff.mjs [results] (imports the compiled lib/).
 */
import { performance } from 'node:perf_hooks';
import { parseSarifFile, sarifValidator } from '../lib/checks/security-baseline/sarif.js';
import { extractFindings } from '../lib/checks/security-baseline/extract.js';
import { refreshBaseline } from '../lib/checks/security-baseline/refresh.js';
import { parseBaseline } from '../lib/checks/security-baseline/baseline.js';
import { matchFindings } from '../lib/checks/security-baseline/match.js';

const N = Number(process.argv[2] ?? 50_000);
const FILES = 2_000;
const RULES = 120;

// Deterministic pseudo-random numbers (mulberry32).
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const hex = (r, n) => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');

function makeRules() {
  const r = rng(7);
  return Array.from({ length: RULES }, (_, i) => ({
    id: `js/rule-${i}`,
    name: `js/rule-${i}`,
    shortDescription: { text: `Rule ${i}` },
    fullDescription: { text: `Rule ${i} finds a problem that matters.` },
    defaultConfiguration: { level: i % 3 === 0 ? 'error' : 'warning' },
    properties: {
      tags: ['security'],
      precision: 'high',
      'security-severity': (r() * 10).toFixed(1),
    },
  }));
}

/** The base population of results: identity and position of each. */
function population() {
  const r = rng(42);
  return Array.from({ length: N }, (_, i) => ({
    id: i,
    file: Math.floor(r() * FILES),
    rule: Math.floor(r() * RULES),
    line: 1 + Math.floor(r() * 3000),
    col: 1 + Math.floor(r() * 80),
    hash: hex(r, 16),
  }));
}

function toLog(items) {
  const files = [...new Set(items.map((x) => x.file))].sort((a, b) => a - b);
  const index = new Map(files.map((f, i) => [f, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'CodeQL',
            organization: 'GitHub',
            semanticVersion: '2.20.0',
            rules: makeRules(),
          },
        },
        artifacts: files.map((f) => ({
          location: {
            uri: `src/module${f}/file${f}.js`,
            uriBaseId: '%SRCROOT%',
            index: index.get(f),
          },
        })),
        results: items.map((x) => {
          const loc = {
            uri: `src/module${x.file}/file${x.file}.js`,
            uriBaseId: '%SRCROOT%',
            index: index.get(x.file),
          };
          const res = {
            ruleId: `js/rule-${x.rule}`,
            ruleIndex: x.rule,
            message: { text: `This value flows to a sensitive sink in function f${x.id % 997}.` },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: loc,
                  region: { startLine: x.line, startColumn: x.col, endColumn: x.col + 12 },
                },
              },
            ],
            partialFingerprints: {
              primaryLocationLineHash: `${x.hash}:1`,
              primaryLocationStartColumnFingerprint: String(x.col % 8),
            },
          };
          if (x.id % 10 === 0) {
            res.relatedLocations = [
              {
                id: 1,
                physicalLocation: {
                  artifactLocation: loc,
                  region: { startLine: Math.max(1, x.line - 5) },
                },
                message: { text: 'source' },
              },
            ];
          }
          return res;
        }),
        columnKind: 'utf16CodeUnits',
        properties: { 'semmle.formatSpecifier': 'sarif-latest' },
      },
    ],
  };
}

function evolve(base) {
  const r = rng(99);
  const out = [];
  let next = N;
  for (const x of base) {
    const p = r();
    if (p < 0.02) continue; // fixed
    if (p < 0.12)
      out.push({ ...x, line: x.line + 3 }); // line shift: same fingerprint
    else if (p < 0.13)
      out.push({ ...x, hash: hex(r, 16) }); // edited flagged line
    else out.push(x);
  }
  const added = Math.round(N * 0.02);
  for (let i = 0; i < added; i++) {
    out.push({
      id: next++,
      file: Math.floor(r() * FILES),
      rule: Math.floor(r() * RULES),
      line: 1 + Math.floor(r() * 3000),
      col: 1,
      hash: hex(r, 16),
    });
  }
  while (out.length < N)
    out.push({
      id: next++,
      file: Math.floor(r() * FILES),
      rule: Math.floor(r() * RULES),
      line: 1 + Math.floor(r() * 3000),
      col: 1,
      hash: hex(r, 16),
    });
  return out;
}

const base = population();
const textA = JSON.stringify(toLog(base));
const textB = JSON.stringify(toLog(evolve(base)));
sarifValidator(); // compile the schema outside the timed phases (done once per process)

const phases = [];
const t0 = performance.now();
const c0 = process.cpuUsage();
let t = t0;
let c = c0;
// Wall time, and this process's CPU time (user + system): on a shared machine the wall time
// includes waiting for a core, the CPU time does not.
const lap = (name) => {
  const now = performance.now();
  const cpu = process.cpuUsage();
  phases.push([name, now - t, (cpu.user - c.user + cpu.system - c.system) / 1000]);
  t = now;
  c = cpu;
};

const noFiles = () => false;
const noSource = async () => undefined;
// Log 1 becomes the baseline. Each parsed log is dropped once its findings are extracted (it
// goes out of scope in load()), as in the check, which holds one current log and the baseline.
async function load(n, path, text) {
  const parsed = parseSarifFile({ path, text });
  if (!parsed.ok) throw new Error(`invalid generated log: ${parsed.message}`);
  lap(`log ${n}: parse + schema-validate`);
  const extracted = await extractFindings(
    [{ file: parsed.file, log: parsed.log }],
    noFiles,
    noSource,
  );
  lap(`log ${n}: extract + fingerprint`);
  return extracted;
}
const ea = await load(1, 'a.sarif', textA);
const refreshed = await refreshBaseline({
  findings: ea.findings,
  scannedTools: ea.scannedTools,
  today: '2024-01-01',
});
lap('baseline from log 1 (refresh + serialise)');
const parsedBaseline = parseBaseline(refreshed.text, 'baseline');
if (!parsedBaseline.ok) throw new Error(parsedBaseline.message);
lap('baseline: parse + schema-validate');
const eb = await load(2, 'b.sarif', textB);
const outcome = await matchFindings(parsedBaseline.baseline.entries, eb.findings);
lap('match log 2 against the baseline');
const total = performance.now() - t0;
const cEnd = process.cpuUsage();
const totalCpu = (cEnd.user - c0.user + cEnd.system - c0.system) / 1000;

const counts = { new: 0, unchanged: 0, updated: 0 };
for (const m of outcome.findings) counts[m.state]++;
const rssMb = process.resourceUsage().maxRSS / 1024;
console.log(
  `sarif-diff: ${N.toLocaleString('en-US')} vs ${eb.findings.length.toLocaleString('en-US')} results (${(textA.length / 1e6).toFixed(1)} MB + ${(textB.length / 1e6).toFixed(1)} MB of SARIF)`,
);
console.log(`  ${'phase'.padEnd(44)} ${'wall'.padStart(9)} ${'cpu'.padStart(9)}`);
for (const [name, ms, cpu] of phases)
  console.log(
    `  ${name.padEnd(44)} ${ms.toFixed(0).padStart(6)} ms ${cpu.toFixed(0).padStart(6)} ms`,
  );
console.log(
  `  ${'total'.padEnd(44)} ${total.toFixed(0).padStart(6)} ms ${totalCpu.toFixed(0).padStart(6)} ms   (target < 2000 ms; load average ${(await import('node:os')).loadavg()[0].toFixed(1)} on ${(await import('node:os')).availableParallelism()} cores)`,
);
console.log(`  peak RSS ${rssMb.toFixed(0)} MB   (target < 500 MB; includes generating both logs)`);
console.log(
  `  new ${counts.new}, unchanged ${counts.unchanged}, updated ${counts.updated}, absent ${outcome.absent.length}; by stage ${JSON.stringify(outcome.byStage)}`,
);
