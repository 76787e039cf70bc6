#!/usr/bin/env node
// The `autopack` executable: runs the bundled CLI, lib/autopack.cjs, with a V8 code cache
// (lib/launch.cjs, bundled from cli/launch.ts). npm's `prepare` builds lib/ on install.
// A CommonJS script (bin/package.json): Node starts one ~5 ms sooner than an ES module.
'use strict';
const { existsSync } = require('node:fs');
const path = require('node:path');

const lib = path.join(__dirname, '..', 'lib');
const bundle = path.join(lib, 'autopack.cjs');
if (!existsSync(bundle) || !existsSync(path.join(lib, 'launch.cjs'))) {
  process.stderr.write(
    `autopack: the CLI is not built (${bundle} is missing): run npm run build\n`,
  );
  process.exitCode = 2;
} else {
  require(path.join(lib, 'launch.cjs')).launch(bundle);
}
