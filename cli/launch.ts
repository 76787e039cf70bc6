/**
 * Runs the bundled CLI (lib/autopack.cjs, one CommonJS script) with a V8 code cache: the
 * bytecode of every function a run compiled, saved after the run and handed to V8 on the next
 * one, so that a run skips parsing and compiling the code it runs (25-35 ms of a 200 ms
 * `autopack check`; docs/architecture.md, "CLI start-up"). Node 22's
 * `module.enableCompileCache()` does this for any module; Node 20 offers it only for scripts
 * (`vm.Script` `cachedData`, https://nodejs.org/api/vm.html#new-vmscriptcode-options), hence
 * one script. Before compiling it, the launcher raises V8's tier-up budget for a short-lived
 * process ({@link CLI_INTERRUPT_BUDGET}).
 *
 * The cache is code, so it is only read from a directory and file that no one else can write
 * (owned by this user, not group- or world-writable, not a symlink). V8 refuses a cache made by
 * another V8 version, other flags or another source length; the file name also carries a
 * SHA-256 of the bundle, the Node version and the architecture, so a rebuilt bundle never
 * meets an old cache. Any problem with the cache (unreadable, refused, unwritable) is silent
 * and only costs the compile time: the CLI runs the same with or without it.
 *
 * Where: `AUTOPACK_CODE_CACHE` (a directory, or `off`), else `$XDG_CACHE_HOME/autopack/code-cache`,
 * `~/.cache/autopack/code-cache`, or `%LOCALAPPDATA%\autopack\code-cache` on Windows. A cache is
 * written when there was none (or V8 refused it), and renewed when a run ran a check the cache
 * had not seen (its functions were compiled without it); at most {@link KEEP} caches are kept.
 */
import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * V8's tier-up budget for the CLI, in bytes of bytecode run: 4x Node 20's default (66 KiB), so
 * that only code that stays hot for a while is optimised. A CLI run lasts 0.1-1 s: with the
 * default budget V8 optimises hundreds of functions on background threads that compete with
 * the main thread on a 2-core runner, mostly for code that no longer runs by the time they are
 * ready, and Node waits for the jobs in flight before it exits. Measured (docs/architecture.md,
 * "CLI start-up"): the 1,000-file link subset 233 → 212 ms wall and 320 → 230 ms CPU; the
 * whole-tree runs unchanged to 7 % faster. `--no-opt` was tried too: the subset as fast, the
 * 38,000-file runs 30-40 % slower.
 */
export const CLI_INTERRUPT_BUDGET = 4 * 67_584;

/**
 * The V8 flags {@link launch} sets, given Node's own arguments (`process.execArgv`): the tier-up
 * budget, unless the user set one (`node --interrupt-budget=… bin/autopack.js`; Node refuses V8
 * flags in NODE_OPTIONS). `--interrupt-budget` has been a V8 flag since 2011 (default 66 KiB in
 * Node 20's V8 11.3, 132 KiB in later ones).
 */
export function jitFlags(execArgv: readonly string[]): string[] {
  const set = execArgv.some((a) => /^--interrupt[-_]budget(?:=|$)/.test(a));
  return set ? [] : [`--interrupt-budget=${CLI_INTERRUPT_BUDGET}`];
}

/** Cache files kept per directory (one per bundle build and Node version in use). */
export const KEEP = 8;
/** A cache file larger than this is not read (the CLI's is ~1-3 MiB). */
const MAX_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * What happened to the code cache in one run: `off` (disabled or no cache directory),
 * `unavailable` (the directory is not private or not usable), `cold` (no cache yet), `used`
 * (V8 accepted it), `rejected` (V8 refused it: it is rewritten).
 */
export type CodeCacheState = 'off' | 'unavailable' | 'cold' | 'used' | 'rejected';

/** The directory for code caches under `env`, or undefined when caching is off or homeless. */
export function codeCacheDir(env: NodeJS.ProcessEnv): string | undefined {
  const set = env.AUTOPACK_CODE_CACHE;
  if (set !== undefined && /^(?:off|0|false|no)$/i.test(set)) return undefined;
  if (set) return path.resolve(set);
  if (process.platform === 'win32') {
    return env.LOCALAPPDATA ? path.join(env.LOCALAPPDATA, 'autopack', 'code-cache') : undefined;
  }
  if (env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME)) {
    return path.join(env.XDG_CACHE_HOME, 'autopack', 'code-cache');
  }
  const home = os.homedir();
  return home ? path.join(home, '.cache', 'autopack', 'code-cache') : undefined;
}

/** Owned by this user and not writable by others (always true on Windows: per-user dirs). */
function privateTo(st: { uid: number; mode: number }): boolean {
  if (process.platform === 'win32' || !process.getuid) return true;
  return st.uid === process.getuid() && (st.mode & 0o022) === 0;
}

/** Creates `dir` (mode 0700) if needed; true when it is a private directory. */
function usableDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    return st.isDirectory() && privateTo(st);
  } catch {
    return false;
  }
}

/** One cache file: which checks its code covers, then V8's data. */
interface CacheFile {
  checks: string[];
  data: Buffer;
}

/** Reads a cache file when it is a private regular file (not a symlink); else undefined. */
function readCache(file: string): CacheFile | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    const st = fstatSync(fd);
    if (!st.isFile() || !privateTo(st) || st.size > MAX_CACHE_BYTES) return undefined;
    const buf = readFileSync(fd);
    const nl = buf.indexOf(0x0a);
    if (nl < 0) return undefined;
    const header = JSON.parse(buf.subarray(0, nl).toString('utf8')) as { checks?: unknown };
    const checks = Array.isArray(header.checks)
      ? header.checks.filter((c): c is string => typeof c === 'string')
      : [];
    return { checks, data: buf.subarray(nl + 1) };
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes a cache file atomically (temporary file, then rename) and prunes the oldest ones. */
function writeCache(dir: string, file: string, checks: string[], data: Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    const header = Buffer.from(`${JSON.stringify({ checks })}\n`);
    writeFileSync(tmp, Buffer.concat([header, data]), { mode: 0o600, flag: 'wx' });
    renameSync(tmp, file);
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      // never created
    }
    return;
  }
  try {
    const caches = readdirSync(dir)
      .filter((n) => /^cli-[0-9a-f]{32}\.bin$/.test(n))
      .map((n) => ({ n, t: statSync(path.join(dir, n)).mtimeMs }))
      .sort((a, b) => b.t - a.t);
    for (const old of caches.slice(KEEP)) unlinkSync(path.join(dir, old.n));
  } catch {
    // another process pruned first
  }
}

/**
 * Runs the CommonJS script `bundle` (absolute path) as the main program, with the code cache
 * of {@link codeCacheDir}(`env`). The script may export `checksRunInProcess(): string[]`
 * (cli/run.ts does): the checks whose code the cache should cover. Returns the cache's state
 * for this run; a cache, if any is due, is written when the process exits. Throws only what
 * reading the bundle or running it throws.
 */
export function launch(bundle: string, env: NodeJS.ProcessEnv = process.env): CodeCacheState {
  // Before anything is compiled: the code cache is made and checked under the same flags.
  for (const flag of jitFlags(process.execArgv)) v8.setFlagsFromString(flag);
  const bytes = readFileSync(bundle);
  // The build writes ASCII (esbuild charset: ascii); latin1 then decodes it without a UTF-8 pass.
  const source = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
  const wrapped = `(function (exports, require, module, __filename, __dirname) { ${source}\n});`;

  const dir = codeCacheDir(env);
  let state: CodeCacheState = dir ? 'cold' : 'off';
  let file: string | undefined;
  let cache: CacheFile | undefined;
  if (dir && usableDir(dir)) {
    const key = createHash('sha256')
      .update(bytes)
      .update(`\0${process.version}\0${process.arch}`)
      .digest('hex')
      .slice(0, 32);
    file = path.join(dir, `cli-${key}.bin`);
    cache = readCache(file);
  } else if (dir) {
    state = 'unavailable';
  }

  const script = new vm.Script(wrapped, { filename: bundle, cachedData: cache?.data });
  if (cache) state = script.cachedDataRejected ? 'rejected' : 'used';

  const mod = { exports: {} as { checksRunInProcess?: () => string[] } };
  if (file) {
    const target = file;
    process.once('exit', () => {
      try {
        const ran = mod.exports.checksRunInProcess?.() ?? [];
        const known = state === 'used' ? (cache?.checks ?? []) : [];
        if (state === 'used' && ran.every((c) => known.includes(c))) return;
        const checks = [...new Set([...known, ...ran])].sort();
        writeCache(path.dirname(target), target, checks, script.createCachedData());
      } catch {
        // a cache is an optimisation: never fail the run for it
      }
    });
  }
  const run = script.runInThisContext() as (
    exports: unknown,
    require: NodeJS.Require,
    module: unknown,
    filename: string,
    dirname: string,
  ) => void;
  run.call(mod.exports, mod.exports, createRequire(bundle), mod, bundle, path.dirname(bundle));
  return state;
}
