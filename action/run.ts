/** The Action's entry point (action.yml `main` is its bundle, dist/index.js): all logic is in runner.ts. */
await (await import('./runner.js')).run();
