/**
 * The scheduled drift job, run as the runner runs the bundle: one "Autopack: drift report"
 * issue, created on the first run with findings, left alone while nothing changes, updated when
 * the findings change, closed when the default branch is clean, reopened (never duplicated)
 * when drift comes back. The fake API keeps the issues between runs, like GitHub does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitFixture, type Fixture } from '../helpers/git-fixture.js';
import {
  examplePayload,
  paginated,
  runAction,
  startFakeGitHub,
  type FakeGitHub,
  type Route,
} from './harness.js';

const OWNER = 'octo-org';
const REPO = 'octo-repo';
const LABEL = 'autopack:drift';
const TITLE = 'Autopack: drift report';

interface Issue {
  number: number;
  title: string;
  state: 'open' | 'closed';
  state_reason?: string | null;
  body: string;
  labels: Array<{ name: string }>;
  html_url: string;
  pull_request?: object;
}

/** GitHub's issues endpoints over an in-memory list (newest first, as GitHub lists them). */
function issueRoutes(issues: Issue[]): Route[] {
  const base = `/repos/${OWNER}/${REPO}/issues`;
  return [
    {
      method: 'GET',
      path: base,
      reply: (req, server) => {
        const label = req.query.get('labels');
        const state = req.query.get('state') ?? 'open';
        const list = issues
          .filter((i) => !label || i.labels.some((l) => l.name === label))
          .filter((i) => state === 'all' || i.state === state)
          .sort((a, b) => b.number - a.number);
        return paginated(list, req, server);
      },
    },
    {
      method: 'POST',
      path: base,
      reply: (req) => {
        const b = req.body as { title: string; body: string; labels: string[] };
        const number = Math.max(0, ...issues.map((i) => i.number)) + 1;
        const issue: Issue = {
          number,
          title: b.title,
          body: b.body,
          state: 'open',
          labels: b.labels.map((name) => ({ name })),
          html_url: `https://github.com/${OWNER}/${REPO}/issues/${number}`,
        };
        issues.push(issue);
        return { status: 201, body: issue };
      },
    },
    {
      method: 'PATCH',
      path: new RegExp(`^${base}/\\d+$`),
      reply: (req) => {
        const issue = issues.find((i) => i.number === Number(req.path.split('/').pop()));
        if (!issue) return { status: 404, body: { message: 'Not Found' } };
        Object.assign(issue, req.body);
        return { body: issue };
      },
    },
  ];
}

let repo: Fixture;
let issues: Issue[];
let api: FakeGitHub;

beforeAll(async () => {
  repo = await gitFixture({
    'README.md': '# x\n',
    LICENSE: 'MIT\n',
    'SECURITY.md': '# s\n',
    '.github/CODEOWNERS': '* @a\n',
    '.env': 'A=1\n',
  });
  // 130 other issues carry the label (two pages at 100 per page), some of them pull requests
  // and one with a look-alike title: none of them is the tracking issue.
  issues = [];
  for (let n = 1; n <= 130; n++) {
    issues.push({
      number: n,
      title: n === 7 ? `${TITLE} (old copy)` : `Some other issue ${n}`,
      state: n % 2 ? 'open' : 'closed',
      body: '',
      labels: [{ name: LABEL }],
      html_url: `https://github.com/${OWNER}/${REPO}/issues/${n}`,
      ...(n % 10 === 0 ? { pull_request: {} } : {}),
    });
  }
  api = await startFakeGitHub(issueRoutes(issues));
});

afterAll(async () => {
  await api.close();
  await repo.cleanup();
});

/** A scheduled run: the documented `schedule` payload (`github.event.schedule`), no repository. */
async function scheduled(inputs: Record<string, string> = {}) {
  const before = api.requests.length;
  const run = await runAction({
    eventName: 'schedule',
    payload: { schedule: '17 3 * * *' },
    workspace: repo.dir,
    sha: repo.git('rev-parse', 'HEAD').trim(),
    ref: 'refs/heads/main',
    repository: `${OWNER}/${REPO}`,
    inputs: { checks: 'workspace-structure', ...inputs },
    api,
  });
  return {
    run,
    requests: api.requests
      .slice(before)
      .map(
        (r) => `${r.method} ${r.path}${r.query.get('page') ? `?page=${r.query.get('page')}` : ''}`,
      ),
  };
}

const tracking = () => issues.filter((i) => i.title === TITLE && !i.pull_request);

describe('the scheduled drift job', () => {
  it('opens one tracking issue with the report when the default branch has drift', async () => {
    const { run, requests } = await scheduled();
    expect(run.code).toBe(1);
    expect(requests).toEqual([
      `GET /repos/${OWNER}/${REPO}/issues`,
      `GET /repos/${OWNER}/${REPO}/issues?page=2`,
      `POST /repos/${OWNER}/${REPO}/issues`,
    ]);
    const list = api.calls('GET', `/repos/${OWNER}/${REPO}/issues`).at(-1)!;
    expect(list.query.get('labels')).toBe(LABEL);
    expect(list.query.get('state')).toBe('all');
    expect(tracking()).toHaveLength(1);
    const issue = tracking()[0]!;
    expect(issue).toMatchObject({ number: 131, state: 'open', labels: [{ name: LABEL }] });
    expect(issue.body).toContain("Autopack's scheduled run found drift on `main`");
    expect(issue.body).toContain(
      '[workflow run](https://github.com/octo-org/octo-repo/actions/runs/4242)',
    );
    expect(issue.body).toContain('`forbidden-path`');
    expect(issue.body).toMatch(/<!-- autopack:drift-report digest=[0-9a-f]{32} -->/);
    expect(run.summary).toContain(
      'Opened the drift report issue [#131](https://github.com/octo-org/octo-repo/issues/131).',
    );
  });

  it('writes nothing when the next run finds the same drift', async () => {
    const { run, requests } = await scheduled();
    expect(run.code).toBe(1);
    expect(requests.filter((r) => !r.startsWith('GET '))).toEqual([]);
    expect(run.summary).toContain('already says this; left unchanged');
    expect(tracking()).toHaveLength(1);
  });

  it('updates the same issue when the findings change', async () => {
    await repo.write('notes.bak', 'old\n');
    repo.commit('a backup file');
    const { requests } = await scheduled();
    expect(requests.filter((r) => !r.startsWith('GET '))).toEqual([
      `PATCH /repos/${OWNER}/${REPO}/issues/131`,
    ]);
    expect(tracking()).toHaveLength(1);
    expect(tracking()[0]!.body).toContain('notes.bak');
  });

  it('closes the issue when the branch is clean again', async () => {
    repo.git('rm', '-q', '.env', 'notes.bak');
    repo.commit('clean up');
    const { run, requests } = await scheduled();
    expect(run.code).toBe(0);
    expect(requests.filter((r) => !r.startsWith('GET '))).toEqual([
      `PATCH /repos/${OWNER}/${REPO}/issues/131`,
    ]);
    const patch = api.calls('PATCH', `/repos/${OWNER}/${REPO}/issues/131`).at(-1)!.body as Record<
      string,
      unknown
    >;
    expect(patch).toMatchObject({ state: 'closed', state_reason: 'completed' });
    expect(tracking()[0]!.state).toBe('closed');
    expect(tracking()[0]!.body).toContain('is clean again');
    // Clean and already closed: no write at all.
    const again = await scheduled();
    expect(again.requests.filter((r) => !r.startsWith('GET '))).toEqual([]);
    expect(again.run.summary).toContain('No drift, and no open drift report issue.');
  });

  it('reopens the same issue, never a new one, when drift comes back', async () => {
    await repo.write('.DS_Store', 'x');
    repo.commit('oops');
    const { run, requests } = await scheduled();
    expect(run.code).toBe(1);
    expect(requests.filter((r) => !r.startsWith('GET '))).toEqual([
      `PATCH /repos/${OWNER}/${REPO}/issues/131`,
    ]);
    expect(tracking()).toHaveLength(1);
    expect(tracking()[0]).toMatchObject({ number: 131, state: 'open' });
    expect(run.summary).toContain('Reopened the drift report issue [#131]');
  });

  it('says so in the issue when the configuration is invalid', async () => {
    await repo.write(
      '.github/autopack.yml',
      'extends: autopack:recommended\ndrift:\n  colour: blue\n',
    );
    repo.commit('broken config');
    const { run, requests } = await scheduled();
    expect(run.code).toBe(1);
    expect(requests.filter((r) => !r.startsWith('GET '))).toEqual([
      `PATCH /repos/${OWNER}/${REPO}/issues/131`,
    ]);
    expect(tracking()[0]!.body).toContain('could not check anything: the configuration is invalid');
    expect(tracking()[0]!.body).toContain('unknown key "colour"');
    repo.git('rm', '-q', '.github/autopack.yml');
    repo.commit('restore the default policy');
  });

  it('leaves the issue alone with drift-issue: false, and off the default branch', async () => {
    const off = await scheduled({ 'drift-issue': 'false' });
    expect(off.run.code).toBe(1);
    expect(off.requests).toEqual([]);
    const payload = await examplePayload('workflow_dispatch', undefined, 0); // default branch main
    const before = api.requests.length;
    const feature = await runAction({
      eventName: 'workflow_dispatch',
      payload,
      workspace: repo.dir,
      sha: repo.git('rev-parse', 'HEAD').trim(),
      ref: 'refs/heads/feature',
      inputs: { checks: 'workspace-structure' },
      api,
    });
    expect(feature.code).toBe(1);
    expect(api.requests.slice(before)).toEqual([]);
    // The same dispatch on the default branch is the drift job.
    const onMain = await runAction({
      eventName: 'workflow_dispatch',
      payload,
      workspace: repo.dir,
      sha: repo.git('rev-parse', 'HEAD').trim(),
      ref: 'refs/heads/main',
      inputs: { checks: 'workspace-structure' },
      api,
    });
    expect(onMain.summary).toContain('drift report issue');
    expect(tracking()).toHaveLength(1);
  });
});
