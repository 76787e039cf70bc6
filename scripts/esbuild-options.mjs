/**
 * The esbuild options shared by the two bundles: the Action (dist/index.js, an ES module) and
 * the CLI (lib/autopack.cjs, a CommonJS script: see scripts/build-cli.mjs). Node 20, every
 * dependency inlined; the data files (policies/*.yml, schemas/*.json) stay beside the code and
 * policies/assets.ts finds them.
 */
export function bundleOptions({ entry, outfile, banner, minify, format = 'esm' }) {
  if (format === 'cjs') {
    return {
      ...bundleOptions({ entry, outfile, banner, minify }),
      format: 'cjs',
      // ASCII only (other characters escaped): the launcher decodes it as latin1, without a
      // UTF-8 pass over 2.5 MB, and V8 scans one-byte source faster.
      charset: 'ascii',
      // A script has no import.meta; the only use (policies/assets.ts) needs the file's URL.
      define: { 'import.meta.url': '__autopackImportMetaUrl' },
      banner: {
        js: [
          banner,
          "const __autopackImportMetaUrl = require('node:url').pathToFileURL(__filename).href;",
        ].join('\n'),
      },
    };
  }
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Prefer a package's ES module build: some UMD builds (jsonc-parser) require() their own
    // files at run time, which a bundle cannot follow.
    mainFields: ['module', 'main'],
    minify,
    legalComments: 'eof',
    charset: 'utf8',
    metafile: true,
    logLevel: 'warning',
    // CommonJS dependencies (undici, ajv, ...) call require() on Node built-ins; an ES module has
    // no require, so the bundle creates one. The names are prefixed so they never clash.
    banner: {
      js: [
        banner,
        "import { createRequire as __autopackCreateRequire } from 'node:module';",
        'const require = __autopackCreateRequire(import.meta.url);',
      ].join('\n'),
    },
  };
}
