/**
 * `mode: check` on pull requests, run as the runner runs the bundle. The fixture's pull request
 * adds defects AND loosens `.github/autopack.yml` (switches workspace-structure off): the Action
 * must judge it by the BASE commit's policy. The change comes from git when the checkout has
 * the base commit, from the API (complete pagination) when it is shallow, and the head's content
 * from the API on `pull_request_target` (whose checkout is the base branch).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitFixture, runGit, type Fixture } from '../helpers/git-fixture.js';
import { checkRunRoutes, gitBackedRoutes, governanceRoutes } from './git-backed-api.js';
import {
  examplePayload,
  runAction,
  startFakeGitHub,
  type FakeGitHub,
  type RecordedRequest,
} from './harness.js';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const OWNER = 'Codertocat';
const REPO = 'Hello-World';
const PR = 2;

let repo: Fixture;
let baseSha: string;
let headSha: string;
let tmp: string;
let shallow: string;
let baseOnly: string;
let small: Fixture;
let smallBase: string;
let smallHead: string;

beforeAll(async () => {
  repo = await gitFixture({
    'README.md': '# Fixture\n',
    LICENSE: 'MIT License\n',
    'SECURITY.md': '# Security\n',
    '.github/CODEOWNERS': '* @octo-org/maintainers\n',
    // The base policy: the recommended preset, up to 100 annotations per Check Run.
    '.github/autopack.yml': 'extends: autopack:recommended\ncheck-runs:\n  max-annotations: 100\n',
  });
  baseSha = repo.git('rev-parse', 'HEAD').trim();
  repo.git('checkout', '-q', '-b', 'feature');
  const files: Record<string, string> = {
    '.env': 'TOKEN=1\n',
    // The PR tries to switch off the check that would catch it.
    '.github/autopack.yml':
      'extends: autopack:recommended\nworkspace-structure:\n  enabled: false\n',
  };
  for (let i = 0; i < 320; i++) files[`notes/n-${String(i).padStart(3, '0')}.txt`] = `note ${i}\n`;
  for (let i = 0; i < 60; i++) files[`backup/f-${String(i).padStart(2, '0')}.bak`] = `old ${i}\n`;
  await repo.write(files);
  headSha = repo.commit('feature: notes, backups, a .env and a looser policy');
  tmp = await mkdtemp(path.join(os.tmpdir(), 'autopack-pr-'));
  shallow = path.join(tmp, 'shallow');
  runGit(tmp, [
    'clone',
    '-q',
    '--depth',
    '1',
    '--branch',
    'feature',
    `file://${repo.dir}`,
    shallow,
  ]);
  // A small pull request for the API-read head (every file's content comes over HTTP there).
  small = await gitFixture({
    'README.md': '# Small\n',
    LICENSE: 'MIT License\n',
    'SECURITY.md': '# Security\n',
    '.github/CODEOWNERS': '* @octo-org/maintainers\n',
    '.github/autopack.yml': 'extends: autopack:recommended\n',
  });
  smallBase = small.git('rev-parse', 'HEAD').trim();
  small.git('checkout', '-q', '-b', 'feature');
  await small.write({
    '.env': 'TOKEN=1\n',
    'docs/guide.md': '# Guide\n\nSee [the readme](../README.md).\n',
    '.github/autopack.yml':
      'extends: autopack:recommended\nworkspace-structure:\n  enabled: false\n',
  });
  smallHead = small.commit('feature: a guide, a .env and a looser policy');
  small.git('checkout', '-q', 'main');
  baseOnly = path.join(tmp, 'base');
  runGit(tmp, [
    'clone',
    '-q',
    '--single-branch',
    '--branch',
    'main',
    `file://${small.dir}`,
    baseOnly,
  ]);
});

afterAll(async () => {
  await repo.cleanup();
  await small.cleanup();
  await rm(tmp, { recursive: true, force: true });
});

async function prPayload(base = baseSha, head = headSha): Promise<Record<string, unknown>> {
  const payload = await examplePayload('pull_request', 'opened');
  const pr = payload.pull_request as Record<string, Record<string, unknown>>;
  pr.base!.sha = base;
  pr.base!.ref = 'main';
  pr.head!.sha = head;
  pr.head!.ref = 'feature';
  return payload;
}

async function withApi<T>(
  fn: (api: FakeGitHub) => Promise<T>,
  fx = () => ({ dir: repo.dir, baseSha, headSha }),
): Promise<T> {
  const { dir, baseSha: b, headSha: h } = fx();
  const api = await startFakeGitHub([
    ...gitBackedRoutes(dir, OWNER, REPO, { number: PR, baseRef: 'main', baseSha: b, headSha: h }),
    ...checkRunRoutes(OWNER, REPO),
    ...governanceRoutes(OWNER, REPO, PR, {
      comments: [],
      permissions: { codertocat: 'admin' },
      reactions: [],
    }),
  ]);
  try {
    return await fn(api);
  } finally {
    await api.close();
  }
}

/** The address of a port nothing listens on (a server opened and closed again). */
async function closedPort(): Promise<string> {
  const api = await startFakeGitHub([]);
  await api.close();
  return api.url;
}

const paths = (reqs: RecordedRequest[]) => reqs.map((r) => `${r.method} ${r.path}`);

describe('pull_request with the base commit in the checkout', () => {
  it('judges the PR by the base policy and takes the change from git; the API is read only for governance', async () => {
    await withApi(async (api) => {
      const run = await runAction({
        eventName: 'pull_request',
        payload: await prPayload(),
        workspace: repo.dir,
        sha: headSha,
        ref: `refs/pull/${PR}/merge`,
        api,
      });
      expect(run.code).toBe(1);
      // workspace-structure ran although the PR's own config switches it off.
      expect(run.report!.results.map((r) => r.checkId)).toContain('workspace-structure');
      expect(run.annotations.find((a) => a.file === '.env')).toMatchObject({ level: 'error' });
      expect(run.summary).toContain(`Evaluated pull request [#${PR}]`);
      expect(run.summary).toContain('policy read from the base commit; changed files from git');
      expect(run.stdout).toContain(
        `pull request #${PR} (main@${baseSha.slice(0, 7)}...${headSha.slice(0, 7)})`,
      );
      // No change, tree, content or policy reads: git answered them.
      expect(api.calls('GET', /\/(pulls\/\d+\/files|compare\/|contents\/|git\/)/)).toEqual([]);
      // Governance read the pull request and its ledger (comments), and, as nobody approved the
      // protected change (the PR edits .github/autopack.yml, always protected), who could.
      expect(paths(api.requests).sort()).toEqual([
        `GET /repos/${OWNER}/${REPO}/collaborators`,
        `GET /repos/${OWNER}/${REPO}/issues/${PR}/comments`,
        `GET /repos/${OWNER}/${REPO}/pulls/${PR}`,
      ]);
      expect(run.report!.results.find((r) => r.checkId === 'governance')?.conclusion).toBe(
        'action_required',
      );
      expect(api.unmatched).toEqual([]);
    });
  });
});

describe('pull_request in a shallow checkout', () => {
  it('reads the policy at the base and the change from the API, every page, each once', async () => {
    await withApi(async (api) => {
      const run = await runAction({
        eventName: 'pull_request',
        payload: await prPayload(),
        workspace: shallow,
        sha: headSha,
        ref: `refs/pull/${PR}/merge`,
        api,
      });
      expect(run.code).toBe(1);
      expect(run.summary).toContain(
        'changed files from the pull request files API (shallow checkout)',
      );
      expect(run.report!.results.map((r) => r.checkId)).toContain('workspace-structure');
      const files = `/repos/${OWNER}/${REPO}/pulls/${PR}/files`;
      // 383 changed files: the comparison lists 300 (GitHub's cap), so every page of the files
      // API is read, 100 per page, no page twice.
      expect(api.calls('GET', files).map((r) => r.query.get('page') ?? '1')).toEqual([
        '1',
        '2',
        '3',
        '4',
      ]);
      expect(api.calls('GET', files)[0]!.query.get('per_page')).toBe('100');
      expect(
        api.calls('GET', `/repos/${OWNER}/${REPO}/compare/${baseSha}...${headSha}`),
      ).toHaveLength(1);
      // The policy is read at the base commit, not the head.
      const policy = api.calls('GET', `/repos/${OWNER}/${REPO}/contents/.github/autopack.yml`);
      expect(policy).toHaveLength(1);
      expect(policy[0]!.query.get('ref')).toBe(baseSha);
      expect(api.unmatched).toEqual([]);
      // Every request carries the token from the `token` input.
      expect(new Set(api.requests.map((r) => r.headers.authorization))).toEqual(
        new Set(['token test-token-not-a-secret']),
      );
      expect(paths(api.requests).every((p) => p.startsWith('GET '))).toBe(true);
    });
  });

  it('fails closed with a clear message when the API cannot be reached', async () => {
    const run = await runAction({
      eventName: 'pull_request',
      payload: await prPayload(),
      workspace: shallow,
      sha: headSha,
      ref: `refs/pull/${PR}/merge`,
      env: { GITHUB_API_URL: await closedPort() },
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /::error::GitHub API GET \/repos\/Codertocat\/Hello-World\/contents\/\.github(\/|%252F)autopack\.yml failed: GitHub could not be reached/,
    );
    expect(run.outputs.conclusion).toBeUndefined();
  });
});

describe('check-runs: true', () => {
  it('publishes one completed autopack/<id> Check Run per check on the PR head, annotations in batches of 50', async () => {
    await withApi(async (api) => {
      const run = await runAction({
        eventName: 'pull_request',
        payload: await prPayload(),
        workspace: repo.dir,
        sha: headSha,
        ref: `refs/pull/${PR}/merge`,
        inputs: { 'check-runs': 'true' },
        api,
      });
      expect(run.code).toBe(1);
      const creates = api.calls('POST', `/repos/${OWNER}/${REPO}/check-runs`);
      const names = creates.map((r) => (r.body as { name: string }).name);
      expect(names).toEqual(run.report!.results.map((r) => `autopack/${r.checkId}`));
      for (const c of creates) {
        expect(c.body).toMatchObject({
          head_sha: headSha,
          status: 'completed',
          external_id: `autopack-action:https://github.com/${OWNER}/${REPO}/actions/runs/4242`,
        });
      }
      const ws = creates.find(
        (r) => (r.body as { name: string }).name === 'autopack/workspace-structure',
      )!.body as {
        conclusion: string;
        output: {
          title: string;
          summary: string;
          annotations: Array<{ path: string; annotation_level: string }>;
        };
      };
      expect(ws.conclusion).toBe('failure');
      expect(ws.output.annotations).toHaveLength(50);
      expect(ws.output.summary).toContain('autopack/workspace-structure');
      // 61 annotated findings (60 backups and the .env) under the BASE policy's cap of 100:
      // 50 with the create, 11 with one update.
      const updates = api.calls('PATCH', /^\/repos\/Codertocat\/Hello-World\/check-runs\/\d+$/);
      expect(updates).toHaveLength(1);
      const patched = updates[0]!.body as { output: { annotations: Array<{ path: string }> } };
      expect(patched.output.annotations).toHaveLength(11);
      const annotated = [...ws.output.annotations, ...patched.output.annotations].map(
        (a) => a.path,
      );
      expect(annotated).toContain('.env');
      expect(new Set(annotated).size).toBe(61);
      expect(run.summary).toContain(
        `Published ${creates.length} Check Run(s) on \`${headSha.slice(0, 12)}\`.`,
      );
      // The step's own annotations stay capped at 50 and say so.
      expect(run.annotations.filter((a) => a.title?.startsWith('autopack/'))).toHaveLength(50);
    });
  });
});

describe('pull_request_target (the checkout holds the base branch)', () => {
  it('reads the PR head through the API and still judges it by the base policy', async () => {
    await withApi(
      async (api) => {
        const run = await runAction({
          eventName: 'pull_request_target',
          payload: await prPayload(smallBase, smallHead),
          workspace: baseOnly,
          sha: smallBase,
          ref: 'refs/heads/main',
          api,
        });
        expect(run.code).toBe(1);
        // The .env exists only in the PR head, which this checkout does not have.
        expect(run.annotations.find((a) => a.file === '.env')).toMatchObject({ level: 'error' });
        expect(run.summary).toContain(
          'file content from the API at the head (the checkout holds the base branch)',
        );
        expect(api.calls('GET', `/repos/${OWNER}/${REPO}/git/trees/${smallHead}`)).toHaveLength(1);
        // The base commit is in this checkout: the policy is read from git, not the contents API.
        expect(api.calls('GET', /\/contents\//)).toEqual([]);
        // No blob is fetched twice.
        const blobs = api.calls('GET', /\/git\/blobs\//).map((r) => r.path);
        expect(new Set(blobs).size).toBe(blobs.length);
        expect(api.unmatched).toEqual([]);
      },
      () => ({ dir: small.dir, baseSha: smallBase, headSha: smallHead }),
    );
  });
});

describe('pull_request without a checkout', () => {
  it('reads the pull request through the API rather than judging an empty workspace', async () => {
    const empty = await mkdtemp(path.join(os.tmpdir(), 'autopack-empty-'));
    try {
      await withApi(
        async (api) => {
          const run = await runAction({
            eventName: 'pull_request',
            payload: await prPayload(smallBase, smallHead),
            workspace: empty,
            sha: smallHead,
            ref: `refs/pull/${PR}/merge`,
            api,
          });
          expect(run.code).toBe(1);
          expect(run.summary).toContain('file content from the API at the head');
          expect(run.annotations.find((a) => a.file === '.env')).toMatchObject({ level: 'error' });
          // No checkout: the policy is read from the base commit through the contents API.
          const policy = api.calls('GET', `/repos/${OWNER}/${REPO}/contents/.github/autopack.yml`);
          expect(policy.map((r) => r.query.get('ref'))).toEqual([smallBase]);
        },
        () => ({ dir: small.dir, baseSha: smallBase, headSha: smallHead }),
      );
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});

describe('merge_group', () => {
  it('judges the group with the ledger of the pull request its branch names, the change from git', async () => {
    const mg = path.join(tmp, 'merge-group');
    runGit(tmp, ['clone', '-q', `file://${small.dir}`, mg]);
    runGit(mg, ['checkout', '-q', smallHead]);
    const payload = await examplePayload('merge_group', 'checks_requested');
    const group = payload.merge_group as Record<string, unknown>;
    group.base_sha = smallBase;
    group.head_sha = smallHead;
    group.head_ref = `refs/heads/gh-readonly-queue/main/pr-${PR}-${smallBase}`;
    payload.repository = {
      ...(payload.repository as object),
      name: REPO,
      full_name: `${OWNER}/${REPO}`,
      owner: { login: OWNER },
    };
    await withApi(
      async (api) => {
        const run = await runAction({
          eventName: 'merge_group',
          payload,
          workspace: mg,
          sha: smallHead,
          ref: String(group.head_ref),
          api,
        });
        expect(run.code).toBe(1);
        expect(run.summary).toContain('changed files from git');
        // The group changes the always-protected config and the queued PR has no approval.
        expect(run.report!.results.find((r) => r.checkId === 'governance')?.conclusion).toBe(
          'action_required',
        );
        expect(api.calls('GET', `/repos/${OWNER}/${REPO}/issues/${PR}/comments`)).toHaveLength(1);
        expect(api.calls('GET', /\/(compare|pulls\/\d+\/files)/)).toEqual([]);
        // A queue branch that names no pull request fails closed instead of skipping governance.
        group.head_ref = 'refs/heads/gh-readonly-queue/main/unknown';
        const unknown = await runAction({
          eventName: 'merge_group',
          payload,
          workspace: mg,
          sha: smallHead,
          ref: String(group.head_ref),
          api,
        });
        expect(unknown.code).toBe(1);
        expect(unknown.stdout).toContain(
          'cannot tell which pull request this merge group belongs to',
        );
      },
      () => ({ dir: small.dir, baseSha: smallBase, headSha: smallHead }),
    );
  });
});
