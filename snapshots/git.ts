import { spawn } from 'node:child_process';

/** A git command that failed: carries the exit code and git's own stderr. */
export class GitError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stderr: string,
    /** What git printed on stdout before it failed. */
    readonly stdout: Buffer = Buffer.alloc(0),
  ) {
    super(message);
    this.name = 'GitError';
  }
}

/**
 * Runs `git <args>` in `cwd` and resolves with its whole stdout as a Buffer. Output is streamed
 * into chunks (no maxBuffer ceiling), so a 40,000-file `ls-files -z` is never cut short.
 * Rejects with GitError (exit code and stderr) when git exits non-zero or cannot start.
 */
export function git(cwd: string, args: readonly string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) => reject(new GitError(`git ${args[0]}: ${e.message}`, null, '')));
    child.on('close', (code) => {
      const stderr = Buffer.concat(err).toString('utf8').trim();
      if (code === 0) resolve(Buffer.concat(out));
      else
        reject(
          new GitError(
            `git ${args.join(' ')} failed: ${stderr || `exit ${code}`}`,
            code,
            stderr,
            Buffer.concat(out),
          ),
        );
    });
  });
}

/** Splits NUL-terminated git output (`-z`) into its records, dropping the trailing empty one. */
export function splitZ(buf: Buffer): string[] {
  const s = buf.toString('utf8');
  const parts = s.split('\0');
  if (parts.length && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/**
 * Where `dir` sits in git and which commit HEAD is, in one `git rev-parse`: `prefix` is the
 * path from the work tree's top (`''` at the top, else ending in `/`), undefined when `dir` is
 * not in a work tree (or git is absent); `head` is HEAD's full SHA, undefined when there is no
 * commit yet or no work tree. Never throws.
 */
export async function workTreeAndHead(
  dir: string,
): Promise<{ prefix: string | undefined; head: string | undefined }> {
  const parse = (out: Buffer) => {
    const [inside = '', prefix = '', head = ''] = out.toString('utf8').split('\n');
    if (inside !== 'true') return { prefix: undefined, head: undefined };
    return { prefix, head: /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(head) ? head : undefined };
  };
  try {
    return parse(
      await git(dir, [
        'rev-parse',
        '--is-inside-work-tree',
        '--show-prefix',
        '--verify',
        '-q',
        'HEAD',
      ]),
    );
  } catch (e) {
    // `--verify -q` exits 1 when HEAD names no commit (a new repository), after the other answers.
    if (e instanceof GitError && e.exitCode === 1) return parse(e.stdout);
    return { prefix: undefined, head: undefined };
  }
}
