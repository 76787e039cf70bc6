#!/usr/bin/env node
// The `autopack` executable: runs the bundled CLI, lib/autopack.cjs, with a V8 code cache
// (cli/launch.ts). npm's `prepare` builds lib/ on install.
import { existsSync } from 'node:fs';
import { URL, fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../lib/autopack.cjs', import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write(
    `autopack: the CLI is not built (${bundle} is missing): run npm run build\n`,
  );
  process.exitCode = 2;
} else {
  const { launch } = await import('../lib/cli/launch.js');
  launch(bundle);
}
