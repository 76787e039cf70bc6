// The `autopack` process entry: runs the CLI on the process's argv and streams. Bundled into
// lib/autopack.cjs (a script: no top-level await), which bin/autopack.js runs.
import { main } from './main.js';

export { checksRunInProcess } from '../checks/runner.js';

void main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
}).then((code) => {
  process.exitCode = code;
});
