/**
 * The engine's Logger port on top of `@actions/core`: debug lines appear with step debug
 * logging on, warnings and errors become workflow-command annotations. Every line is redacted.
 */
import * as core from '@actions/core';
import type { Logger } from '../checks/model.js';
import { redact } from '../checks/redact.js';

export const actionsLogger: Logger = {
  debug: (msg) => core.debug(redact(msg)),
  info: (msg) => core.info(redact(msg)),
  warn: (msg) => core.warning(redact(msg)),
  error: (msg) => core.error(redact(msg)),
};
