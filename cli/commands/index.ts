/**
 * Verbs beyond `check` and `config`, each registered from its own module (one import line each):
 * `explain` (governance), `baseline update` (security-baseline), `render` (sot).
 */
import type { Command } from 'commander';
import type { CliIO } from '../io.js';
import { registerRender } from './render.js';
import { registerBaseline } from './baseline.js';
import { registerExplain } from './explain.js';

type Register = (program: Command, io: CliIO, setExit: (code: number) => void) => void;

const REGISTRARS: Register[] = [registerRender, registerBaseline, registerExplain];

/** Registers every extra verb. */
export function registerExtraCommands(
  program: Command,
  io: CliIO,
  setExit: (code: number) => void,
): void {
  for (const register of REGISTRARS) register(program, io, setExit);
}
