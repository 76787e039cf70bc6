#!/usr/bin/env node
/**
 * Content benchmark (issue 3): on one large real tree, in one run,
 *
 * A. Portability patterns `C:\\dev\\` and `/home/[a-z]+/` over every tracked file, side by side:
 *    `git grep -l -I -E` (the floor), `autopack check --checks drift` (portability only) and
 *    repolinter 0.12.0 `file-not-contents` with the same patterns; prints the files each finds
 *    and which of git grep's files each missed. Targets: every file git grep finds, <= 3x git grep.
 * B. Every relative link and anchor of every Markdown file (drift `links` only): wall time, peak
 *    RSS, findings. Targets: under 15 s and 500 MB.
 * C. markdown-link-check (external links off) against Autopack on the same 1,000-file subset,
 *    materialised as its own git repository so both tools see the same tree. Target: >= 10x.
 *
 * Usage (see bench/README.md):
 *   npm run build
 *   node bench/content.mjs /tmp/repos/tldr [--runs 3] [--subset 1000] [--only A,B,C]
 *        [--repolinter /tmp/rl/node_modules/repolinter/bin/repolinter.js]
 *        [--mlc /tmp/mlc/node_modules/markdown-link-check/markdown-link-check]
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  copyFile,
  lstat,
  mkdir,
  mkdtemp,
  readlink,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  autopackFindings,
  haveGnuTime,
  parseArgs,
  ratio,
  repeat,
  repeatInterleaved,
  speedupLine,
  TIMING_HEADER,
  timingCells,
  requireBuiltCli,
  requireTool,
  table,
} from './lib/measure.mjs';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The two patterns, as ERE for git grep and as RE2/JS source for Autopack and repolinter. */
export const PATTERNS = { 'windows-dev': 'C:\\\\dev\\\\', 'linux-home': '/home/[a-z]+/' };

/** Autopack config: drift portability with exactly the two patterns and no allowances. */
export const PORTABILITY_CONFIG = `# bench/content.mjs A: portability patterns only
drift:
  enabled: true
  portability:
    severity: warning
    builtin-patterns: false
    allow: []
    files: ['**']
    patterns:
      windows-dev: { regex: '${PATTERNS['windows-dev']}' }
      linux-home: { regex: '${PATTERNS['linux-home']}' }
`;

/** Autopack config: drift links (relative links, images and anchors) only. */
export const LINKS_CONFIG = `# bench/content.mjs B and C: relative links and anchors only
drift:
  enabled: true
  links:
    files: ['**/*.md']
`;

/** repolinter's file-not-contents with the same patterns over every file. */
export const REPOLINTER_CONTENT_RULESET = {
  $schema: 'https://raw.githubusercontent.com/todogroup/repolinter/master/rulesets/schema.json',
  version: 2,
  axioms: {},
  rules: {
    'no-machine-paths': {
      level: 'warning',
      rule: {
        type: 'file-not-contents',
        options: { globsAll: ['**'], contents: Object.values(PATTERNS) },
      },
    },
  },
};

/** markdown-link-check config: local links only. */
export const MLC_CONFIG = {
  ignorePatterns: [{ pattern: '^https?://' }, { pattern: '^mailto:' }, { pattern: '^ftp://' }],
};

const git = (cwd, args) =>
  execFileSync('git', ['-C', cwd, ...args], { maxBuffer: 1 << 30 }).toString('utf8');
const lsFiles = (cwd, ...pathspec) =>
  git(cwd, ['ls-files', '-z', ...(pathspec.length ? ['--', ...pathspec] : [])])
    .split('\0')
    .filter(Boolean);

/** Is the drift check in this build? (The bench explains instead of printing zeros.) */
async function driftRegistered() {
  const { CHECKS } = await import(path.join(REPO_ROOT, 'lib', 'checks', 'registry.js'));
  return CHECKS.some((c) => c.id === 'drift');
}

/**
 * Runs `autopack check DIR --config CFG --checks drift --format json` `runs` times with the
 * CLI's code cache (cli/launch.ts) in a fresh directory, primed by one run that is not timed
 * (what every run after a user's first one gets), and `runs` times with the cache off (what a
 * first run gets), interleaved with the `others` jobs (see `repeatInterleaved`: the tools being
 * compared see the same load). Resolves the summaries of `others` (`timed`, in order), of
 * Autopack (`ap`: cached, `apCold`: no cache) and the last cached run's findings (`apF`).
 * Throws when autopack exits with a usage or config error (2).
 */
async function runDrift(label, runs, cli, dir, cfg, others = []) {
  const args = [cli, 'check', dir, '--config', cfg, '--checks', 'drift', '--format', 'json'];
  const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'autopack-bench-code-cache-'));
  const cached = { env: { AUTOPACK_CODE_CACHE: cacheDir } };
  await repeat(`${label}, priming the code cache`, 1, process.execPath, args, cached);
  const all = await repeatInterleaved(
    [
      ...others,
      { label, cmd: process.execPath, args, opts: cached },
      {
        label: `${label}, no code cache`,
        cmd: process.execPath,
        args,
        opts: { env: { AUTOPACK_CODE_CACHE: 'off' } },
      },
    ],
    runs,
  );
  await rm(cacheDir, { recursive: true, force: true });
  const [ap, apCold] = all.slice(others.length);
  if (ap.last.code > 1) throw new Error(`autopack exited ${ap.last.code}: ${ap.last.stderr}`);
  return { timed: all.slice(0, others.length), ap, apCold, apF: autopackFindings(ap.last.stdout) };
}

function uniquePaths(findings, predicate = () => true) {
  return [
    ...new Set(
      findings
        .filter(predicate)
        .map((f) => f.path)
        .filter(Boolean),
    ),
  ].sort();
}

async function benchPatterns(tree, cli, tmp, runs, repolinter) {
  console.log('\n## A. Portability patterns over every tracked file');
  const files = lsFiles(tree).length;
  const cfg = path.join(tmp, 'portability.yml');
  await writeFile(cfg, PORTABILITY_CONFIG);
  const grepArgs = [
    '-C',
    tree,
    'grep',
    '-l',
    '-I',
    '-E',
    '-e',
    PATTERNS['windows-dev'],
    '-e',
    PATTERNS['linux-home'],
  ];
  // Warm the page cache once so the first measured tool does not pay for it alone.
  try {
    git(tree, ['grep', '-l', '-I', '-e', 'warm-the-cache-nothing-matches-this']);
  } catch {
    // git grep exits 1 when nothing matches: expected here
  }
  let rs;
  if (repolinter) {
    rs = path.join(tmp, 'repolinter-content.json');
    await writeFile(rs, JSON.stringify(REPOLINTER_CONTENT_RULESET, null, 2));
  }
  const {
    timed: [floor, rl],
    ap,
    apCold,
    apF,
  } = await runDrift('autopack', runs, cli, tree, cfg, [
    { label: 'git grep', cmd: 'git', args: grepArgs },
    ...(repolinter
      ? [
          {
            label: 'repolinter',
            cmd: process.execPath,
            args: [repolinter, 'lint', tree, '-r', rs, '-f', 'json'],
            opts: { cwd: tmp },
          },
        ]
      : []),
  ]);
  const grepFiles = floor.last.stdout.toString('utf8').split('\n').filter(Boolean).sort();
  // The config runs the portability family only, so every drift finding is a portability match.
  const apFiles = uniquePaths(apF.list, (f) => f.rule.startsWith('drift/'));
  const rows = [['tool', ...TIMING_HEADER, 'vs git grep', 'files found', 'missed of git grep']];
  rows.push(['git grep -l -I -E (floor)', ...timingCells(floor), '1.0x', grepFiles.length, '-']);
  const missed = (found) => grepFiles.filter((f) => !found.includes(f));
  rows.push([
    'autopack (drift portability)',
    ...timingCells(ap),
    ratio(ap.medianMs, floor.medianMs),
    apFiles.length,
    missed(apFiles).length,
  ]);
  rows.push([
    'autopack, no code cache',
    ...timingCells(apCold),
    ratio(apCold.medianMs, floor.medianMs),
    '',
    '',
  ]);
  let rlFiles;
  if (rl) {
    const out = JSON.parse(rl.last.stdout.toString('utf8'));
    rlFiles = [];
    for (const r of out.results ?? []) {
      for (const t of r.lintResult?.targets ?? [])
        if (t.passed === false && t.path) rlFiles.push(t.path);
    }
    rlFiles = [...new Set(rlFiles.map((p) => path.relative(tree, path.resolve(tree, p))))].sort();
    rows.push([
      'repolinter file-not-contents',
      ...timingCells(rl),
      ratio(rl.medianMs, floor.medianMs),
      rlFiles.length,
      missed(rlFiles).length,
    ]);
  }
  console.log(`${files} tracked files; median of ${runs} run(s)\n`);
  console.log(table(rows));
  const r = ap.medianMs / floor.medianMs;
  const rc = ap.cpuMs / floor.cpuMs;
  const rCold = apCold.medianMs / floor.medianMs;
  console.log(
    `\nautopack: ${apFiles.length}/${grepFiles.length} of git grep's files (target all: ${missed(apFiles).length === 0 ? 'met' : 'NOT met'}); ${r.toFixed(1)}x git grep by wall time, ${rc.toFixed(1)}x by CPU time (target <= 3x: ${r <= 3 ? 'met' : 'NOT met'}); without the code cache ${rCold.toFixed(1)}x (${rCold <= 3 ? 'met' : 'NOT met'})`,
  );
  const extra = apFiles.filter((f) => !grepFiles.includes(f));
  if (extra.length) console.log(`autopack files not in git grep's list: ${extra.join(', ')}`);
  if (missed(apFiles).length) console.log(`autopack missed: ${missed(apFiles).join(', ')}`);
  if (rlFiles && missed(rlFiles).length)
    console.log(`repolinter missed ${missed(rlFiles).length}: ${missed(rlFiles).join(', ')}`);
  console.log(`\ngit grep's files:\n  ${grepFiles.join('\n  ')}`);
}

async function benchLinksWhole(tree, cli, tmp, runs) {
  console.log('\n## B. Every relative link and anchor of every Markdown file');
  const md = lsFiles(tree, '*.md').length;
  const cfg = path.join(tmp, 'links.yml');
  await writeFile(cfg, LINKS_CONFIG);
  const { ap, apCold, apF } = await runDrift('autopack links (whole tree)', runs, cli, tree, cfg);
  const stats = apF.report.results.find((r) => r.checkId === 'drift')?.stats ?? {};
  console.log(`${md} Markdown files; median of ${runs} run(s)\n`);
  console.log(
    table([
      ['tool', ...TIMING_HEADER, 'findings'],
      ['autopack (drift links)', ...timingCells(ap), apF.list.length],
      ['autopack, no code cache', ...timingCells(apCold), ''],
    ]),
  );
  // Both runs count: the targets hold for a first run too.
  const okTime = Math.max(ap.medianMs, apCold.medianMs) < 15_000;
  const okRss = Math.max(ap.rssKb, apCold.rssKb) / 1024 < 500;
  console.log(
    `\ntargets: < 15 s ${okTime ? 'met' : 'NOT met'}; < 500 MB ${okRss ? 'met' : 'NOT met'}`,
  );
  if (Object.keys(stats).length) console.log(`drift stats: ${JSON.stringify(stats)}`);
  const fr = [['rule', 'count']];
  for (const [k, v] of [...apF.byRule].sort()) fr.push([k, v]);
  console.log(table(fr));
  for (const f of apF.list.slice(0, 60))
    console.log(`  ${f.rule}  ${f.path}:${f.line ?? ''}  ${f.message}`);
  if (apF.list.length > 60) console.log(`  ... ${apF.list.length - 60} more`);
}

/**
 * The subset: every Markdown file outside the `pages*` translations (the docs with most links),
 * every `pages*` file holding a relative link, then `pages/common` and other pages in path order
 * up to `size` files. Copied with every non-Markdown tracked file (link targets such as images)
 * into a fresh git repository.
 */
async function materialiseSubset(tree, tmp, size) {
  const all = lsFiles(tree, '*.md');
  const linkBearing = new Set(
    git(tree, ['grep', '-l', '-I', '-E', '\\]\\(|\\]\\[|\\]:|href=|src=', '--', '*.md'])
      .split('\n')
      .filter(Boolean),
  );
  const pick = [];
  const picked = new Set();
  const add = (f) => {
    if (pick.length < size && !picked.has(f)) {
      pick.push(f);
      picked.add(f);
    }
  };
  all.filter((f) => !f.startsWith('pages')).forEach(add);
  all.filter((f) => linkBearing.has(f)).forEach(add);
  // The Markdown files those documents link to, so that the subset keeps its links intact (a
  // crude scan, only to choose files; the tools under test do the real parsing).
  const known = new Set(all);
  for (const f of [...pick]) {
    const text = readFileSync(path.join(tree, f), 'utf8');
    for (const m of text.matchAll(/\]\(<?([^)#\s>]+\.md)/g)) {
      const target = m[1].startsWith('/')
        ? m[1].slice(1)
        : path.posix.join(path.posix.dirname(f), m[1]);
      if (known.has(target)) add(target);
    }
  }
  all.filter((f) => f.startsWith('pages/common/')).forEach(add);
  all.forEach(add);
  const others = lsFiles(tree).filter((f) => !f.endsWith('.md'));
  const dir = path.join(tmp, 'subset');
  for (const f of [...pick, ...others]) {
    await mkdir(path.dirname(path.join(dir, f)), { recursive: true });
    const st = await lstat(path.join(tree, f));
    if (st.isSymbolicLink()) await symlink(await readlink(path.join(tree, f)), path.join(dir, f));
    else await copyFile(path.join(tree, f), path.join(dir, f));
  }
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 'bench',
    GIT_AUTHOR_EMAIL: 'b@example.com',
    GIT_COMMITTER_NAME: 'bench',
    GIT_COMMITTER_EMAIL: 'b@example.com',
  };
  execFileSync('git', ['init', '-q', dir]);
  execFileSync('git', ['-C', dir, 'add', '-A'], { env });
  execFileSync('git', ['-C', dir, 'commit', '-q', '--no-verify', '-m', 'subset'], { env });
  return { dir, files: pick };
}

/** Parses markdown-link-check's quiet output: dead links per file. */
function mlcDead(stdout, stderr) {
  // eslint-disable-next-line no-control-regex -- strip ANSI colours
  const text = `${stderr}\n${stdout}`.replace(/\u001b\[\d+m/g, '');
  const list = [];
  let file;
  for (const line of text.split('\n')) {
    const head = /ERROR: (\d+) dead links? found in (.+?) !/.exec(line);
    if (head) {
      file = head[2];
      continue;
    }
    const dead = /^\s*\[✖\] (.+?) → Status: (\S+)/.exec(line);
    if (dead) list.push({ path: file, link: dead[1], status: dead[2] });
  }
  return list;
}

async function benchSubset(tree, cli, tmp, runs, mlc, size) {
  console.log(`\n## C. markdown-link-check vs Autopack on a ${size}-file subset`);
  const { dir, files } = await materialiseSubset(tree, tmp, size);
  const cfg = path.join(tmp, 'links.yml');
  await writeFile(cfg, LINKS_CONFIG);
  const mlcCfg = path.join(tmp, 'mlc.json');
  await writeFile(mlcCfg, JSON.stringify(MLC_CONFIG));
  // Through `sh -c ... 2>&1`: markdown-link-check prints each file's "dead links found in" line on
  // stderr and the links themselves on stdout; one pipe keeps them in order. (GNU time still
  // measures the node process: the shell execs it.)
  const {
    timed: [m],
    ap,
    apCold,
    apF,
  } = await runDrift('autopack links (subset)', runs, cli, dir, cfg, [
    {
      label: 'markdown-link-check',
      cmd: 'sh',
      args: ['-c', 'exec "$0" "$@" 2>&1', process.execPath, mlc, '-q', '-c', mlcCfg, ...files],
      opts: { cwd: dir },
    },
  ]);
  const mDead = mlcDead(m.last.stdout.toString('utf8'), '');
  console.log(
    `${files.length} Markdown files (plus the tree's non-Markdown files as link targets); median of ${runs} run(s)\n`,
  );
  console.log(
    table([
      ['tool', ...TIMING_HEADER, 'findings', 'exit'],
      ['markdown-link-check', ...timingCells(m), mDead.length, m.last.code],
      ['autopack (drift links)', ...timingCells(ap), apF.list.length, ap.last.code],
      ['autopack, no code cache', ...timingCells(apCold), '', apCold.last.code],
    ]),
  );
  console.log(`\n${speedupLine('autopack', ap, 'markdown-link-check', m, 10)}`);
  console.log(speedupLine('autopack without its code cache', apCold, 'markdown-link-check', m, 10));
  console.log('\n### markdown-link-check dead links');
  for (const d of mDead) console.log(`  ${d.path}  ${d.link}  (${d.status})`);
  console.log('\n### autopack findings');
  for (const f of apF.list) console.log(`  ${f.rule}  ${f.path}:${f.line ?? ''}  ${f.message}`);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2), {
    runs: '3',
    subset: '1000',
    only: 'A,B,C',
    repolinter: '/tmp/rl/node_modules/repolinter/bin/repolinter.js',
    mlc: '/tmp/mlc/node_modules/markdown-link-check/markdown-link-check',
  });
  const [treeArg] = opts._;
  if (!treeArg) {
    console.error(
      'usage: node bench/content.mjs <git tree> [--runs N] [--subset N] [--only A,B,C] [--repolinter PATH] [--mlc PATH] [--skip-repolinter]',
    );
    process.exit(2);
  }
  const tree = path.resolve(treeArg);
  const runs = Math.max(1, Number(opts.runs) || 3);
  const only = new Set(
    String(opts.only)
      .split(',')
      .map((s) => s.trim().toUpperCase()),
  );
  const cli = requireBuiltCli(REPO_ROOT);
  if (!(await driftRegistered())) {
    throw new Error(
      'this build has no drift check registered (checks/registry.ts): rebuild once the drift check has landed',
    );
  }
  const repolinter =
    only.has('A') && !opts['skip-repolinter']
      ? requireTool(
          opts.repolinter,
          'Install it outside the repository: mkdir -p /tmp/rl && cd /tmp/rl && npm init -y && npm i repolinter@0.12.0',
        )
      : undefined;
  const mlc = only.has('C')
    ? requireTool(
        opts.mlc,
        'Install it outside the repository: mkdir -p /tmp/mlc && cd /tmp/mlc && npm init -y && npm i markdown-link-check',
      )
    : undefined;
  console.log(`# Content benchmark: ${tree}`);
  let nofile = '?';
  try {
    nofile = execFileSync('sh', ['-c', 'ulimit -n']).toString().trim();
  } catch {
    // no shell: leave it unknown
  }
  console.log(
    `${os.cpus().length} CPUs; Node ${process.version}; open-files limit ${nofile}; load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}; RSS via ${haveGnuTime() ? 'GNU time' : '/proc polling'}`,
  );
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'autopack-bench-content-'));
  try {
    if (only.has('A')) await benchPatterns(tree, cli, tmp, runs, repolinter);
    if (only.has('B')) await benchLinksWhole(tree, cli, tmp, runs);
    if (only.has('C'))
      await benchSubset(tree, cli, tmp, runs, mlc, Math.max(1, Number(opts.subset) || 1000));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`bench/content.mjs: ${e.message}`);
  process.exit(1);
});
