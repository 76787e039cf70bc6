/**
 * CLI input for the security-baseline check: expands `--sarif` paths and globs (or the config's
 * `sarif` globs), reads the files, and says where the baseline is (`--baseline FILE`, else the
 * config's path). Registers itself in `checkInputProviders` of `autopack check` on import.
 *
 * Globs are minimatch patterns matched over a walk of the pattern's literal base directory
 * (Node 20 has no fs.glob); `.git` and `node_modules` are not walked unless the pattern names them.
 */
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { Minimatch, escape as mmEscape, type MinimatchOptions } from 'minimatch';
import type { CheckInputs } from '../checks/model.js';
import {
  resolveSection,
  type BaselineInput,
  type SarifInputFile,
  type SecurityBaselineSection,
} from '../checks/security-baseline/types.js';
import { checkInputProviders, type CheckCommandOptions } from './commands/check.js';
import { loadLocalConfig } from './context.js';
import { UsageError } from './io.js';

const MM: MinimatchOptions = { dot: true };
const SKIP_DIRS = new Set(['.git', 'node_modules']);

/**
 * Expands paths and globs into files, each once, in a stable order. A relative pattern is taken
 * from `cwd`. `strict`: a pattern that matches nothing is a UsageError (patterns the user typed);
 * otherwise it is silently empty (globs from the config).
 */
export async function expandSarifPatterns(
  patterns: readonly string[],
  cwd: string,
  strict: boolean,
): Promise<string[]> {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const pattern of patterns) {
    const abs = path.resolve(cwd, pattern);
    const mm = new Minimatch(abs.split(path.sep).join('/'), MM);
    let matched: string[];
    if (!mm.hasMagic()) {
      matched = [];
      try {
        const st = await stat(abs);
        if (st.isFile()) matched = [abs];
        else if (strict) throw new UsageError(`--sarif ${pattern}: not a file`);
      } catch (e) {
        if (e instanceof UsageError) throw e;
        if (strict) throw new UsageError(`--sarif ${pattern}: no such file`);
      }
    } else {
      matched = await walkMatching(literalBase(abs), mm, pattern);
    }
    if (matched.length === 0 && strict) throw new UsageError(`--sarif ${pattern}: matches no file`);
    for (const f of matched.sort()) {
      const real = await realpath(f).catch(() => f);
      if (seen.has(real)) continue;
      seen.add(real);
      out.push(f);
    }
  }
  return out;
}

/** The longest leading part of an absolute pattern without glob characters. */
function literalBase(absPattern: string): string {
  const parts = absPattern.split(path.sep);
  const lit: string[] = [];
  for (const p of parts) {
    if (new Minimatch(p, MM).hasMagic() || mmEscape(p) !== p) break;
    lit.push(p);
  }
  return lit.join(path.sep) || path.sep;
}

async function walkMatching(base: string, mm: Minimatch, pattern: string): Promise<string[]> {
  const out: string[] = [];
  const mentions = (d: string) => pattern.split(/[\\/]/).includes(d);
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (SKIP_DIRS.has(e.name) && !mentions(e.name)) continue;
        await walk(full);
      } else if (e.isFile() && mm.match(full.split(path.sep).join('/'))) out.push(full);
    }
  };
  await walk(base);
  return out;
}

/** Reads SARIF files as text; names each relative to `dir` when inside it, else as an absolute path. */
export async function readSarifFiles(
  files: readonly string[],
  dir: string,
): Promise<SarifInputFile[]> {
  const root = path.resolve(dir);
  return Promise.all(
    files.map(async (f) => {
      const rel = path.relative(root, f);
      const shown =
        rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : f;
      return { path: shown, text: await readFile(f, 'utf8') };
    }),
  );
}

/**
 * Where the baseline is for a CLI run. With `--base` the check reads it from the base commit, so
 * only a repository path is passed (a file outside the repository is read and labelled as such);
 * without `--base` the file is read from disk, tracked or not.
 */
export async function baselineInput(
  dir: string,
  configured: string,
  flag: string | undefined,
  baseRef: string | undefined,
  flagMustExist = true,
): Promise<BaselineInput> {
  const root = path.resolve(dir);
  const abs = flag !== undefined ? path.resolve(flag) : path.resolve(root, configured);
  const rel = path.relative(root, abs);
  const inside = rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  const repoPath = inside ? rel.split(path.sep).join('/') : abs;
  if (baseRef !== undefined && inside) return { path: repoPath };
  try {
    return { path: repoPath, text: await readFile(abs, 'utf8') };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      if (flag !== undefined && flagMustExist)
        throw new UsageError(`--baseline ${flag}: no such file`);
      return { path: repoPath };
    }
    throw e;
  }
}

/** The SARIF logs and baseline of a CLI invocation (`check` or `baseline update`). */
export async function cliSecurityInputs(
  opts: { sarif?: string[]; baseline?: string; config?: string; base?: string },
  dir: string,
  /** `check` reads `--baseline FILE` (it must exist); `baseline update` writes it. */
  purpose: 'read' | 'write' = 'read',
): Promise<{
  sarif?: SarifInputFile[];
  securityBaseline: BaselineInput;
  section: ReturnType<typeof resolveSection>;
}> {
  const config = await loadLocalConfig({ dir, configFile: opts.config, baseRef: opts.base });
  const section = resolveSection(
    (config.values['security-baseline'] ?? {}) as SecurityBaselineSection,
  );
  let sarif: SarifInputFile[] | undefined;
  if (opts.sarif && opts.sarif.length > 0) {
    sarif = await readSarifFiles(await expandSarifPatterns(opts.sarif, process.cwd(), true), dir);
  } else if (section.sarif.length > 0) {
    sarif = await readSarifFiles(
      await expandSarifPatterns(section.sarif, path.resolve(dir), false),
      dir,
    );
  }
  const securityBaseline = await baselineInput(
    dir,
    section.baseline,
    opts.baseline,
    opts.base,
    purpose === 'read',
  );
  return { sarif, securityBaseline, section };
}

/** The `autopack check` provider: SARIF logs and the baseline location. */
export async function sarifInputProvider(
  opts: CheckCommandOptions,
  dir: string,
): Promise<Partial<CheckInputs>> {
  const { sarif, securityBaseline } = await cliSecurityInputs(opts, dir);
  return { ...(sarif ? { sarif } : {}), securityBaseline };
}

if (!checkInputProviders.includes(sarifInputProvider)) checkInputProviders.push(sarifInputProvider);
