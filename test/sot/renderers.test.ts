import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Check } from '../../checks/model.js';
import type { LoadedRegistry } from '../../checks/sot/registry.js';
import {
  createRenderers,
  RENDER_KEYS,
  RenderError,
  type RenderContext,
} from '../../checks/sot/render/index.js';
import {
  renderGovernance,
  viewFromPolicy,
  viewFromSection,
} from '../../checks/sot/render/governance.js';
import { code, relativeLink, table } from '../../checks/sot/render/markdown-text.js';
import { parseMarkdown } from '../../checks/sot/markdown.js';
import type { ResolvedConfig } from '../../policies/types.js';

function config(values: Record<string, unknown>): ResolvedConfig {
  return { values, layers: ['test'], locate: () => undefined };
}

function ctx(over: Partial<RenderContext> = {}): RenderContext {
  return {
    config: config({}),
    registry: { source: 'none', entries: [] },
    registryProblems: 0,
    checks: [],
    docPath: 'docs/GOVERNANCE.md',
    ...over,
  };
}

const render = (key: string, c: RenderContext) => createRenderers().get(key)!(c);

describe('render keys', () => {
  it('knows governance.protected-paths, checks.enabled and sot.registry', () => {
    expect(RENDER_KEYS).toEqual(['governance.protected-paths', 'checks.enabled', 'sot.registry']);
  });

  it('lists exactly the keys the renderers serve (the CLI help reads the list, not the map)', () => {
    expect([...createRenderers().keys()]).toEqual(RENDER_KEYS);
  });
});

describe('governance.protected-paths', () => {
  const section = {
    enabled: true,
    'approver-permission': 'write',
    rules: [
      {
        id: 'ci',
        description: 'CI | workflows',
        paths: ['.github/workflows/**', '!.github/workflows/docs.yml'],
        approvals: 2,
        approvers: { teams: ['org/platform'], users: ['alice'], codeowners: true },
        if: { 'base-branches': ['main'], labels: ['release'] },
      },
      { id: 'schemas', paths: ['schemas/**'], approvers: { permission: 'maintain' } },
    ],
  };

  it('renders a table from the governance section (the schema shape)', () => {
    const md = render(
      'governance.protected-paths',
      ctx({ config: config({ governance: section }) }),
    );
    expect(md).toBe(
      [
        '| Rule | Protected paths | Approvals required | Approvers |',
        '| --- | --- | --- | --- |',
        '| `ci`: CI \\| workflows; only when the base branch is `main`, labelled `release` | `.github/workflows/**`, `!.github/workflows/docs.yml` | 2 | @org/platform, @alice, the CODEOWNERS of the changed files |'.replace(
          '@org/platform, @alice',
          '@alice, @org/platform',
        ),
        '| `schemas` | `schemas/**` | 1 | anyone with `maintain` permission or higher |',
        '',
        'Every approver needs at least `write` permission on the repository. Approvals are `/autopack approve` comments on the pull request.',
      ].join('\n'),
    );
    // It is a real GFM table: 3 rows of 4 cells, the escaped pipe kept inside its cell.
    const tree = parseMarkdown(md);
    const tableNode = tree.children[0] as {
      type: string;
      children: Array<{ children: unknown[] }>;
    };
    expect(tableNode.type).toBe('table');
    expect(tableNode.children.map((r) => r.children.length)).toEqual([4, 4, 4]);
  });

  it('says when governance is disabled, and when there are no rules', () => {
    const md = render(
      'governance.protected-paths',
      ctx({ config: config({ governance: { enabled: false } }) }),
    );
    expect(md).toContain('The governance check is disabled');
    expect(md).toContain('_No protected paths are configured._');
  });

  it('refuses (RenderError) a shape it does not understand, naming the key', () => {
    for (const [gov, msg] of [
      [{ rules: { id: 'x' } }, 'governance.rules is not a list'],
      [{ rules: ['x'] }, 'governance.rules[0] is not a mapping'],
      [
        { rules: [{ id: 'x', paths: 'a', approvals: 'two' }] },
        'governance.rules[0].approvals is not a number',
      ],
      [{ rules: [{ id: 'x', paths: [1] }] }, 'governance.rules[0].paths is not a list of strings'],
    ] as const) {
      expect(() => viewFromSection(gov, true)).toThrow(new RenderError(msg));
    }
  });

  it('renders the enforced policy (built-in rules marked) when the governance engine resolves it', () => {
    const view = viewFromPolicy(
      {
        rules: [
          {
            id: 'workflows',
            description: 'GitHub Actions workflows',
            paths: ['.github/workflows/**'],
            approvals: 1,
            approvers: { users: [], teams: [], permission: 'maintain', codeowners: false },
            if: {},
            builtin: 'workflows',
          },
        ],
        approverPermission: 'write',
        reviewApprovals: true,
      },
      true,
    );
    const md = renderGovernance(view);
    expect(md).toContain(
      '| `workflows` (built-in): GitHub Actions workflows | `.github/workflows/**` | 1 | anyone with `maintain` permission or higher |',
    );
    expect(md).toContain('or approving pull request reviews');
  });
});

describe('checks.enabled', () => {
  const checks = [
    { id: 'workspace-structure', title: 'Workspace structure' },
    { id: 'sot', title: 'Source-of-truth documents' },
  ] as unknown as Check[];

  it('lists the enabled checks of this build with their titles', () => {
    const md = render(
      'checks.enabled',
      ctx({ checks, config: config({ sot: {}, 'workspace-structure': { enabled: false } }) }),
    );
    expect(md).toBe(
      '| Check Run | Checks |\n| --- | --- |\n| `autopack/sot` | Source-of-truth documents |',
    );
  });

  it('says when none is enabled', () => {
    expect(render('checks.enabled', ctx({ checks }))).toBe('_No checks are enabled._');
  });
});

describe('sot.registry', () => {
  const registry: LoadedRegistry = {
    source: 'inline',
    entries: [
      {
        path: 'docs/ARCHITECTURE.md',
        title: 'Architecture [v2]',
        owner: '@org/arch',
        kind: 'document',
        at: { file: 'x', inRepo: false },
      },
      { path: 'ledgers/DECISIONS LOG.md', kind: 'ledger', at: { file: 'x', inRepo: false } },
    ],
  };

  it('lists the registry with links relative to the rendered document', () => {
    expect(render('sot.registry', ctx({ registry }))).toBe(
      [
        '- [Architecture \\[v2\\]](ARCHITECTURE.md) `docs/ARCHITECTURE.md`: document, owner @org/arch',
        '- [ledgers/DECISIONS LOG.md](../ledgers/DECISIONS%20LOG.md): ledger (append-only)',
      ].join('\n'),
    );
    expect(render('sot.registry', ctx({ registry, docPath: 'README.md' }))).toContain(
      '(docs/ARCHITECTURE.md)',
    );
  });

  it('refuses while the registry has problems', () => {
    expect(() => render('sot.registry', ctx({ registry, registryProblems: 2 }))).toThrow(
      RenderError,
    );
  });
});

describe('markdown writers', () => {
  it('code spans survive backticks; tables escape pipes; links encode', () => {
    expect(code('a`b')).toBe('``a`b``');
    expect(code('`x')).toBe('`` `x ``');
    expect(table(['a|b'], [['c']])).toBe('| a\\|b |\n| --- |\n| c |');
    expect(relativeLink('docs/a/INDEX.md', 'docs/b/(x).md')).toBe(
      '../b/(x).md'.replace('(x)', '%28x%29'),
    );
  });
});

describe('schemas', () => {
  it('keeps the entry definition identical in the config schema and the registry-file schema', () => {
    const strip = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(strip)
        : v && typeof v === 'object'
          ? Object.fromEntries(
              Object.entries(v)
                .filter(([k]) => k !== 'description')
                .map(([k, x]) => [k, strip(x)]),
            )
          : v;
    const a = JSON.parse(readFileSync('schemas/config/sot.schema.json', 'utf8')) as {
      definitions: Record<string, unknown>;
    };
    const b = JSON.parse(readFileSync('schemas/sot-registry.schema.json', 'utf8')) as {
      definitions: Record<string, unknown>;
    };
    for (const k of ['entry', 'entries', 'repoPath'])
      expect(strip(a.definitions[k])).toEqual(strip(b.definitions[k]));
  });
});
