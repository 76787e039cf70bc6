/**
 * Fixture repositories for tests: a fresh temporary directory, optionally a real `git init`
 * repository, with helpers to write files (text or bytes), make symlinks, run git and commit.
 * Nothing is mocked: the tests run the real `git` binary on real files.
 *
 * Usage:
 *   const repo = await gitFixture({ 'README.md': '# hi\n', 'docs/a.md': 'x' });
 *   repo.git('checkout', '-q', '-b', 'feature');
 *   await repo.write('LICENSE', 'MIT');
 *   repo.commit('add licence');
 *   ...
 *   await repo.cleanup();
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Files to create: repository-relative path → text (UTF-8) or raw bytes. */
export type FixtureFiles = Record<string, string | Uint8Array>;

/** Options for {@link gitFixture} and {@link dirFixture}. */
export interface FixtureOptions {
  /** Commit the initial files (default true; git fixtures only). */
  commit?: boolean;
  /** Name prefix of the temporary directory (default `autopack-fixture-`). */
  prefix?: string;
}

/** A temporary directory (a git repository for {@link gitFixture}) and helpers to shape it. */
export interface Fixture {
  /** Absolute path of the directory (its real path: no symlinked temp dir in between). */
  readonly dir: string;
  /** Absolute path of a repository-relative path. */
  abs(rel: string): string;
  /** Writes files (creating parent directories). Does not stage or commit. */
  write(files: FixtureFiles): Promise<void>;
  write(rel: string, content: string | Uint8Array): Promise<void>;
  /** Creates a symlink at `rel` whose target text is `target` (relative or absolute). */
  symlink(rel: string, target: string): Promise<void>;
  /** Removes a file or directory from disk (not from the index). */
  remove(rel: string): Promise<void>;
  /** Runs git in the directory and returns its stdout (throws on a non-zero exit). */
  git(...args: string[]): string;
  /** `git add -A` then commit with `message`; returns the new HEAD SHA. */
  commit(message?: string): string;
  /** Deletes the directory. */
  cleanup(): Promise<void>;
}

/** Environment that makes git deterministic and independent of the user's config. */
export const GIT_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Fixture Author',
  GIT_AUTHOR_EMAIL: 'author@example.com',
  GIT_COMMITTER_NAME: 'Fixture Author',
  GIT_COMMITTER_EMAIL: 'author@example.com',
  GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z',
  LC_ALL: 'C',
};

/** Runs `git <args>` in `cwd` with {@link GIT_ENV}; returns stdout as UTF-8. */
export function runGit(cwd: string, args: readonly string[]): string {
  return execFileSync('git', args, {
    cwd,
    env: GIT_ENV,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function makeDir(prefix: string): Promise<string> {
  const { realpath } = await import('node:fs/promises');
  return realpath(await mkdtemp(path.join(os.tmpdir(), prefix)));
}

function makeFixture(dir: string): Fixture {
  const abs = (rel: string) => path.join(dir, ...rel.split('/'));
  const writeOne = async (rel: string, content: string | Uint8Array) => {
    const p = abs(rel);
    await mkdir(path.dirname(p), { recursive: true });
    await writeFile(p, content);
  };
  async function write(a: FixtureFiles | string, content?: string | Uint8Array): Promise<void> {
    if (typeof a === 'string') return writeOne(a, content ?? '');
    for (const [rel, c] of Object.entries(a)) await writeOne(rel, c);
  }
  return {
    dir,
    abs,
    write,
    async symlink(rel, target) {
      const p = abs(rel);
      await mkdir(path.dirname(p), { recursive: true });
      await symlink(target, p);
    },
    async remove(rel) {
      await rm(abs(rel), { recursive: true, force: true });
    },
    git: (...args) => runGit(dir, args),
    commit(message = 'fixture commit') {
      runGit(dir, ['add', '-A']);
      runGit(dir, ['commit', '-q', '--allow-empty', '--no-verify', '-m', message]);
      return runGit(dir, ['rev-parse', 'HEAD']).trim();
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * A real git repository (`git init`, branch `main`) in a new temporary directory, holding
 * `files`, committed unless `opts.commit === false`.
 */
export async function gitFixture(
  files: FixtureFiles = {},
  opts: FixtureOptions = {},
): Promise<Fixture> {
  const dir = await makeDir(opts.prefix ?? 'autopack-fixture-');
  runGit(dir, ['init', '-q', '-b', 'main']);
  runGit(dir, ['config', 'core.autocrlf', 'false']);
  runGit(dir, ['config', 'commit.gpgsign', 'false']);
  const fx = makeFixture(dir);
  await fx.write(files);
  if (opts.commit !== false && Object.keys(files).length > 0) fx.commit('initial');
  return fx;
}

/** A plain directory (no git) in a new temporary directory, holding `files`. */
export async function dirFixture(
  files: FixtureFiles = {},
  opts: FixtureOptions = {},
): Promise<Fixture> {
  const dir = await makeDir(opts.prefix ?? 'autopack-dir-');
  const fx = makeFixture(dir);
  await fx.write(files);
  return fx;
}
