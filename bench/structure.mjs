#!/usr/bin/env node
/**
 * Structure benchmark (issue 2): on one large real tree, side by side in one run,
 *   - `git ls-files -z` (the floor: what listing the tracked files costs),
 *   - `autopack check --checks workspace-structure` (the built CLI, `node bin/autopack.js`),
 *   - repolinter 0.12.0 with the equivalent ruleset,
 * printing wall time (median of --runs), ratios, peak RSS and the findings each tool reports.
 *
 * The rule set: LICENSE and SECURITY.md required; CODEOWNERS recommended (warning); forbid
 * `**\/node_modules/**`, `dist/`, `**\/*.bak*`, `**\/__pycache__/**`, `*.db`; flag files over 5 MB.
 * Targets: Autopack at least 20x faster than repolinter, peak RSS at most 200 MB.
 *
 * Usage (see bench/README.md):
 *   npm run build
 *   node bench/structure.mjs /tmp/repos/tldr [--runs 3] [--plant]
 *        [--repolinter /tmp/rl/node_modules/repolinter/bin/repolinter.js] [--skip-repolinter]
 *
 * --plant runs on a local clone of the tree (in the temp dir) with one committed defect per
 * rule, so that the findings columns show what each tool catches, not only what the tree lacks.
 */
import { Buffer } from 'node:buffer';
import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  autopackFindings,
  haveGnuTime,
  parseArgs,
  ratio,
  repeat,
  speedupLine,
  TIMING_HEADER,
  timingCells,
  requireBuiltCli,
  requireTool,
  table,
} from './lib/measure.mjs';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FIVE_MB = 5 * 1024 * 1024;

/** The Autopack config equivalent to the rule set above (schemas/config/workspace-structure.schema.json). */
export const AUTOPACK_CONFIG = `# bench/structure.mjs: the issue-2 benchmark rule set
workspace-structure:
  enabled: true
  required-files:
    license: { patterns: ['LICENSE*'], severity: error }
    security-policy: { patterns: ['SECURITY.md'], severity: error }
    codeowners: { patterns: ['CODEOWNERS', '.github/CODEOWNERS', 'docs/CODEOWNERS'], severity: warning }
  forbidden-paths:
    node-modules: { patterns: ['**/node_modules/**'] }
    dist: { patterns: ['dist/'] }
    backups: { patterns: ['**/*.bak*'] }
    pycache: { patterns: ['**/__pycache__/**'] }
    databases: { patterns: ['*.db'] }
  max-file-size: { limit: ${FIVE_MB} }
`;

/** The same rules as a repolinter 0.12.0 ruleset (rulesets/schema.json, version 2). */
export const REPOLINTER_RULESET = {
  $schema: 'https://raw.githubusercontent.com/todogroup/repolinter/master/rulesets/schema.json',
  version: 2,
  axioms: {},
  rules: {
    'license-file-exists': {
      level: 'error',
      rule: { type: 'file-existence', options: { globsAny: ['LICENSE*'] } },
    },
    'security-file-exists': {
      level: 'error',
      rule: { type: 'file-existence', options: { globsAny: ['SECURITY.md'] } },
    },
    'codeowners-file-exists': {
      level: 'warning',
      rule: {
        type: 'file-existence',
        options: { globsAny: ['CODEOWNERS', '.github/CODEOWNERS', 'docs/CODEOWNERS'] },
      },
    },
    'forbidden-paths': {
      level: 'error',
      rule: {
        type: 'file-not-exists',
        options: {
          globsAll: ['**/node_modules/**', 'dist/**', '**/*.bak*', '**/__pycache__/**', '*.db'],
        },
      },
    },
    'large-file': {
      level: 'error',
      rule: { type: 'large-file', options: { globsAll: ['**'], size: FIVE_MB } },
    },
  },
};

/** One committed defect per rule (for --plant). */
const PLANTED = {
  'packages/web/node_modules/left-pad/index.js': 'module.exports = 1;\n',
  'dist/app.js': 'console.log(1);\n',
  'docs/notes.md.bak': 'old notes\n',
  'scripts/__pycache__/util.cpython-312.pyc': 'cached\n',
  'cache.db': 'SQLite format 3\n',
};

/** Repolinter's findings: every failing target of every failing rule. */
function repolinterFindings(stdout) {
  const out = JSON.parse(stdout.toString('utf8'));
  const byRule = new Map();
  const list = [];
  for (const r of out.results ?? []) {
    if (r.lintResult?.passed !== false) continue;
    const failing = (r.lintResult.targets ?? []).filter((t) => t.passed === false);
    const n = Math.max(1, failing.length);
    byRule.set(r.ruleInfo.name, (byRule.get(r.ruleInfo.name) ?? 0) + n);
    for (const t of failing.length ? failing : [{}]) {
      list.push({
        rule: r.ruleInfo.name,
        path: t.path ?? t.pattern,
        message: t.message ?? r.lintResult.message,
      });
    }
  }
  return { byRule, list, errored: out.errored === true };
}

async function plantedClone(tree, tmp) {
  const dir = path.join(tmp, 'planted');
  execFileSync('git', ['clone', '-q', '--local', '--no-hardlinks', tree, dir], {
    stdio: 'inherit',
  });
  for (const [rel, text] of Object.entries(PLANTED)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), text);
  }
  await writeFile(path.join(dir, 'assets-huge.bin'), Buffer.alloc(FIVE_MB + 1024, 7));
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 'bench',
    GIT_AUTHOR_EMAIL: 'bench@example.com',
    GIT_COMMITTER_NAME: 'bench',
    GIT_COMMITTER_EMAIL: 'bench@example.com',
  };
  execFileSync('git', ['-C', dir, 'add', '-f', '.'], { env });
  execFileSync('git', ['-C', dir, 'commit', '-q', '--no-verify', '-m', 'plant defects'], { env });
  return dir;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2), {
    runs: '3',
    repolinter: '/tmp/rl/node_modules/repolinter/bin/repolinter.js',
  });
  const [treeArg] = opts._;
  if (!treeArg) {
    console.error(
      'usage: node bench/structure.mjs <git tree> [--runs N] [--plant] [--repolinter PATH] [--skip-repolinter]',
    );
    process.exit(2);
  }
  const runs = Math.max(1, Number(opts.runs) || 3);
  const cli = requireBuiltCli(REPO_ROOT);
  const repolinter = opts['skip-repolinter']
    ? undefined
    : requireTool(
        opts.repolinter,
        'Install it outside the repository: mkdir -p /tmp/rl && cd /tmp/rl && npm init -y && npm i repolinter@0.12.0',
      );
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'autopack-bench-structure-'));
  try {
    let tree = path.resolve(treeArg);
    if (opts.plant) tree = await plantedClone(tree, tmp);
    const configFile = path.join(tmp, 'autopack.yml');
    const rulesetFile = path.join(tmp, 'repolinter.json');
    await writeFile(configFile, AUTOPACK_CONFIG);
    await writeFile(rulesetFile, JSON.stringify(REPOLINTER_RULESET, null, 2));

    const tracked = execFileSync('git', ['-C', tree, 'ls-files', '-z'], { maxBuffer: 1 << 30 })
      .toString('utf8')
      .split('\0')
      .filter(Boolean).length;
    console.error(
      `tree: ${tree} (${tracked} tracked files); ${runs} run(s) each; RSS via ${haveGnuTime() ? 'GNU time' : '/proc polling'}`,
    );

    const floor = await repeat('git ls-files -z', runs, 'git', ['-C', tree, 'ls-files', '-z']);
    const ap = await repeat('autopack', runs, process.execPath, [
      cli,
      'check',
      tree,
      '--config',
      configFile,
      '--checks',
      'workspace-structure',
      '--format',
      'json',
    ]);
    if (ap.last.code !== 0 && ap.last.code !== 1) {
      throw new Error(`autopack exited ${ap.last.code}: ${ap.last.stderr.toString('utf8')}`);
    }
    const apF = autopackFindings(ap.last.stdout);
    let rl;
    let rlF;
    if (repolinter) {
      rl = await repeat(
        'repolinter',
        runs,
        process.execPath,
        [repolinter, 'lint', tree, '-r', rulesetFile, '-f', 'json'],
        {
          cwd: tmp,
        },
      );
      rlF = repolinterFindings(rl.last.stdout);
    }

    console.log(`\n## Structure benchmark: ${tree}`);
    console.log(
      `${tracked} tracked files; ${os.cpus().length} CPUs; Node ${process.version}; load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}; median of ${runs} run(s)\n`,
    );
    const rows = [['tool', ...TIMING_HEADER, 'vs git ls-files', 'findings']];
    rows.push(['git ls-files -z (floor)', ...timingCells(floor), '1.0x', `${tracked} files`]);
    rows.push([
      'autopack check',
      ...timingCells(ap),
      ratio(ap.medianMs, floor.medianMs),
      apF.list.length,
    ]);
    if (rl)
      rows.push([
        'repolinter 0.12.0',
        ...timingCells(rl),
        ratio(rl.medianMs, floor.medianMs),
        rlF.list.length,
      ]);
    console.log(table(rows));
    console.log('');
    if (rl) console.log(speedupLine('autopack', ap, 'repolinter', rl, 20));
    const apMb = ap.rssKb / 1024;
    console.log(
      `autopack peak RSS: ${apMb.toFixed(1)} MB (target <= 200 MB: ${apMb <= 200 ? 'met' : 'NOT met'})`,
    );

    console.log('\n### Findings by rule');
    const fr = [['tool', 'rule', 'count']];
    for (const [k, v] of [...apF.byRule].sort()) fr.push(['autopack', k, v]);
    if (rlF) for (const [k, v] of [...rlF.byRule].sort()) fr.push(['repolinter', k, v]);
    console.log(table(fr));
    console.log('\n### Findings (autopack)');
    for (const f of apF.list)
      console.log(`  ${f.severity.padEnd(7)} ${f.rule}  ${f.path ?? '(repository)'}  ${f.message}`);
    if (rlF) {
      console.log('\n### Findings (repolinter)');
      for (const f of rlF.list) console.log(`  ${f.rule}  ${f.path ?? ''}  ${f.message ?? ''}`);
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`bench/structure.mjs: ${e.message}`);
  process.exit(1);
});
