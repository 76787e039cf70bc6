/**
 * A repository's files at a commit in ONE request. Source: GitHub REST API, "Download a
 * repository archive (tar)" (`GET /repos/{owner}/{repo}/tarball/{ref}`): a 302 to codeload,
 * which serves a gzip'd tar whose entries sit under one top directory
 * (`<owner>-<repo>-<short sha>/`). Archives honour `.gitattributes` (`export-ignore` drops files,
 * `export-subst` rewrites them), so callers must check each file against its blob SHA before
 * trusting it (see {@link gitBlobSha}).
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import type { GitHubClient, RepoRef } from './client.js';
import { callGitHub } from './errors.js';

/** Archives up to this size (compressed) are inflated synchronously: ~10 MB raw, a few ms. */
const SYNC_GUNZIP_MAX_BYTES = 2 * 1024 * 1024;
/**
 * A synchronous inflate stops (and the archive is refused) past this many bytes: a 2 MB gzip
 * bomb could otherwise ask for gigabytes at once. Git's own archives of repositories whose
 * readable files fit the App's archive budget stay far below it.
 */
const SYNC_GUNZIP_MAX_OUTPUT = 512 * 1024 * 1024;

/** The git blob SHA of some content: `sha1("blob <length>\0" + content)`. */
export function gitBlobSha(content: Uint8Array): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

/** One regular file of the archive (symlinks and directories are skipped). */
export interface ArchiveFile {
  /** Repository-relative path (the archive's top directory removed). */
  path: string;
  content: Buffer;
}

/**
 * Downloads the archive of `ref` (`GET /repos/{owner}/{repo}/tarball/{ref}`, following the 302 to
 * codeload) and resolves its gzip'd bytes. Rejects with GitHubAPIError when the download fails, or
 * an Error when the body is not binary.
 */
export async function downloadArchive(
  client: GitHubClient,
  repo: RepoRef,
  ref: string,
): Promise<Buffer> {
  const path = `/repos/${repo.owner}/${repo.repo}/tarball/${ref}`;
  const res = await callGitHub('GET', path, () =>
    client.request('GET /repos/{owner}/{repo}/tarball/{ref}', {
      owner: repo.owner,
      repo: repo.repo,
      ref,
    }),
  );
  const data = res.data as unknown;
  const bytes =
    data instanceof ArrayBuffer
      ? Buffer.from(data)
      : Buffer.isBuffer(data)
        ? data
        : typeof data === 'string'
          ? Buffer.from(data, 'binary')
          : undefined;
  if (!bytes) throw new Error(`GET ${path}: the archive body is not binary`);
  return bytes;
}

/**
 * Reads a gzip'd tar held in memory: calls `onFile` for each regular file under the archive's
 * top directory, up to `maxFileBytes` each. Resolves the number of files handed over; rejects
 * for a corrupt archive or when `onFile` throws.
 */
export async function readArchive(
  bytes: Buffer,
  maxFileBytes: number,
  onFile: (file: ArchiveFile) => void,
): Promise<number> {
  let count = 0;
  const ex = extract();
  // Entry events, not `for await`: async iteration costs a few promises per entry and chunk,
  // which for 5,000 small files was most of the time (111 ms against 30 ms, cold).
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (h, stream, next) => {
      const slash = h.name.indexOf('/');
      const rel = slash >= 0 ? h.name.slice(slash + 1) : '';
      if (
        (h.type === 'file' || h.type === 'contiguous-file') &&
        rel &&
        (h.size ?? 0) <= maxFileBytes
      ) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: unknown) => void chunks.push(c as Buffer));
        stream.on('end', () => {
          count++;
          try {
            onFile({
              path: rel,
              content: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
            });
          } catch (e) {
            reject(e as Error);
            return;
          }
          next();
        });
      } else {
        stream.on('end', () => next());
        stream.resume();
      }
      stream.on('error', reject);
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  if (bytes.length <= SYNC_GUNZIP_MAX_BYTES) {
    // A small archive is inflated at once (a few ms) rather than streamed through the pool.
    let raw: Buffer;
    try {
      raw = gunzipSync(bytes, { maxOutputLength: SYNC_GUNZIP_MAX_OUTPUT });
    } catch (e) {
      ex.destroy(e as Error);
      await done.catch(() => undefined);
      throw e;
    }
    ex.end(raw);
  } else {
    Readable.from([bytes])
      .pipe(createGunzip())
      .on('error', (e) => ex.destroy(e))
      .pipe(ex);
  }
  await done;
  return count;
}
