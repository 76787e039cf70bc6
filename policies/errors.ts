import type { SourcePosition } from './types.js';

/** One problem in a config file, with where it is. */
export interface ConfigProblem {
  /** The file, line and column (absent when the problem has no single place). */
  position?: SourcePosition;
  /** The dotted key path, e.g. `drift.patterns[0].regex`. */
  key: string;
  message: string;
}

/**
 * The configuration is invalid: malformed YAML, a schema violation, an unknown key, an invalid
 * regular expression, a missing or cyclic `extends`. Shells print every problem and exit 2 (CLI)
 * or fail every Check Run with it (App, Action). Never a crash, never a silent default.
 */
export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
  }
}

/** `file:line:column: key: message`, the form editors and terminals link. */
export function formatProblem(p: ConfigProblem): string {
  const where = p.position ? `${p.position.file}:${p.position.line}:${p.position.column}: ` : '';
  return `${where}${p.key ? `${p.key}: ` : ''}${p.message}`;
}

/** Renders a key path as `a.b[0].c`. */
export function keyPathString(path: ReadonlyArray<string | number>): string {
  let s = '';
  for (const seg of path) s += typeof seg === 'number' ? `[${seg}]` : s ? `.${seg}` : seg;
  return s;
}
