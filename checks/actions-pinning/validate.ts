/**
 * Semantic validation of the merged `actions-pinning` section: `allow-tags` entries name
 * actions (`owner/repo`, `owner/*`, `owner/repo/path`) or `docker://` images, `exclude`
 * patterns are usable, and the always-on rules are not switched off.
 */
import { Minimatch } from 'minimatch';
import type { ConfigIssue } from '../model.js';
import type { ActionsPinningSection } from './config.js';
import { ALWAYS_ON, type PinningRuleId } from './rules.js';

const ACTION_NAME = /^[A-Za-z0-9_.*?[\]-]+\/[A-Za-z0-9_.*?[\]/-]+$/;

/** Every problem in the section (empty when usable). */
export function validatePinningConfig(raw: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const s = (raw ?? {}) as ActionsPinningSection;
  s['allow-tags']?.forEach((entry, i) => {
    const name = entry.trim();
    if (name.includes('@')) {
      issues.push({
        path: ['allow-tags', i],
        message: `"${entry}": list the action without a ref (owner/repo or owner/*)`,
      });
    } else if (!name.startsWith('docker://') && !ACTION_NAME.test(name)) {
      issues.push({
        path: ['allow-tags', i],
        message: `"${entry}" is not owner/repo, owner/* or owner/repo/path`,
      });
    }
  });
  s.exclude?.forEach((p, i) => {
    if (p.trim().startsWith('!') || p.split('/').includes('..')) {
      issues.push({
        path: ['exclude', i],
        message: `pattern "${p}": negation and ".." are not supported`,
      });
      return;
    }
    try {
      new Minimatch(p, { dot: true });
    } catch (e) {
      issues.push({
        path: ['exclude', i],
        message: `pattern "${p}" does not compile: ${(e as Error).message}`,
      });
    }
  });
  for (const [rule, level] of Object.entries(s.rules ?? {})) {
    if (level === 'off' && ALWAYS_ON.has(rule as PinningRuleId)) {
      issues.push({
        path: ['rules', rule],
        message: `${rule} cannot be off: a file that cannot be read or parsed is never a pass`,
      });
    }
  }
  return issues;
}
