/**
 * Shared fixtures for the governance tests: policies resolved from real YAML through the real
 * config loader (schema validation included), ledger comments written by the real serializer.
 */
import { resolveConfig } from '../../policies/load.js';
import type { ResolvedConfig } from '../../policies/types.js';
import { bodyDigest } from '../../checks/governance/fingerprint.js';
import { serializeRecord, type LedgerRecord } from '../../checks/governance/ledger.js';
import { policyFromConfig, type GovernancePolicy } from '../../checks/governance/policy.js';
import type { ChangedFile } from '../../checks/snapshot.js';
import type {
  EligibilityFacts,
  GovernanceInput,
  PrComment,
  RepoPermission,
} from '../../checks/governance/types.js';

export const BOT = 'autopack[bot]';
export const HEAD = 'a'.repeat(40);
export const HEAD2 = 'b'.repeat(40);

/** Resolves a YAML config (layered over nothing but itself, like a repository file). */
export async function configFrom(yaml: string): Promise<ResolvedConfig> {
  return resolveConfig({ readFile: async () => undefined, configText: yaml });
}

/** The governance policy of a YAML config. */
export async function policyFrom(yaml: string): Promise<GovernancePolicy> {
  return policyFromConfig(await configFrom(yaml));
}

/** A changed file. */
export function file(
  path: string,
  blob: string,
  status: ChangedFile['status'] = 'modified',
  extra: Partial<ChangedFile> = {},
): ChangedFile {
  return {
    path,
    status,
    blobSha: status === 'removed' ? undefined : blob,
    additions: 1,
    deletions: 1,
    ...extra,
  };
}

let nextId = 1000;

/** A human comment. */
export function comment(
  author: string,
  body: string,
  at = '2024-05-01T10:00:00Z',
  extra: Partial<PrComment> = {},
): PrComment {
  const id = nextId++;
  return {
    id,
    author,
    authorType: 'User',
    body,
    createdAt: at,
    url: `https://github.com/o/r/pull/7#issuecomment-${id}`,
    ...extra,
  };
}

/** A bot comment carrying records. */
export function botComment(
  records: LedgerRecord[],
  at = '2024-05-01T10:00:05Z',
  author = BOT,
): PrComment {
  const id = nextId++;
  return {
    id,
    author,
    authorType: 'Bot',
    body: `ok\n\n${records.map(serializeRecord).join('\n')}`,
    createdAt: at,
    url: `https://github.com/o/r/pull/7#issuecomment-${id}`,
  };
}

/** An approve record for a human comment, bound to `fingerprints` at `head`. */
export function approveRecord(
  c: PrComment,
  rules: Array<{ id: string; fingerprint: string }>,
  head = HEAD,
): LedgerRecord {
  return {
    v: 1,
    kind: 'approve',
    by: c.author,
    at: c.createdAt,
    head,
    source: { type: 'comment', id: c.id, url: c.url, bodySha: bodyDigest(c.body) },
    rules,
  };
}

/** Eligibility facts from a compact description. */
export function facts(
  permissions: Record<string, RepoPermission | 'unknown'>,
  memberships: Record<string, Record<string, 'active' | 'pending' | 'none' | 'unknown'>> = {},
  extra: Partial<EligibilityFacts> = {},
): EligibilityFacts {
  return { permissions, memberships, ...extra };
}

/** A governance input. */
export function input(
  files: ChangedFile[],
  over: Partial<GovernanceInput> & { author?: string; labels?: string[]; head?: string } = {},
): GovernanceInput {
  return {
    pullRequest: {
      number: 7,
      author: over.author ?? 'octocat',
      labels: over.labels ?? [],
      baseRef: 'main',
      baseSha: 'c'.repeat(40),
      headSha: over.head ?? HEAD,
      files,
    },
    comments: over.comments ?? [],
    reviews: over.reviews,
    botLogin: over.botLogin ?? BOT,
    eligibility: over.eligibility ?? facts({}),
    codeowners: over.codeowners,
  };
}
