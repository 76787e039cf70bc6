#!/usr/bin/env node
// The `autopack` executable: runs the compiled CLI (npm's `prepare` builds lib/ on install).
import { main } from '../lib/cli/main.js';

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
process.exitCode = code;
