import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/**
 * The package root: the nearest ancestor of this module holding `policies/recommended.yml`.
 * Works from the TypeScript sources, from the compiled `lib/`, and from the Action's `dist/`.
 * Throws when the package's data files are not shipped beside the code.
 */
export function packageRoot(): string {
  if (root) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'policies', 'recommended.yml'))) return (root = dir);
    const up = path.dirname(dir);
    if (up === dir)
      throw new Error('autopack: cannot find policies/recommended.yml beside the code');
    dir = up;
  }
}

/** Reads a data file shipped with the package (a preset or a schema), by package-relative path. */
export function readAsset(rel: string): string {
  return readFileSync(path.join(packageRoot(), rel), 'utf8');
}

/** Reads and parses a JSON data file shipped with the package. */
export function readJsonAsset<T = unknown>(rel: string): T {
  return JSON.parse(readAsset(rel)) as T;
}
