/** Where the CLI writes; tests pass buffers, `bin/autopack.js` passes the process streams. */
export interface CliIO {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown };
  env: Record<string, string | undefined>;
}

/** Exit codes of the contract: 0 clean, 1 error-severity findings, 2 usage or configuration error. */
export const EXIT = { ok: 0, findings: 1, usage: 2 } as const;

/** A usage error (unknown check id, bad flag value): printed without a stack, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
