/**
 * drift rule family 2: relative links, images and #anchors in Markdown, with GitHub's
 * semantics (slugs, duplicates, `/`-rooted links, templates, links above the root) and the
 * legitimate look-alikes that must not raise an alarm.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupFixtures, driftRepo, where } from './harness.js';

afterAll(cleanupFixtures);

/** Only links: the other families stay quiet in these fixtures anyway. */
const LINKS_ONLY = `drift:
  portability: { enabled: false }
  references: { enabled: false }
`;

describe('relative links', () => {
  it('reports a link to a missing file with line, column and a case hint; existing targets pass', async () => {
    const run = await driftRepo(
      {
        'README.md': [
          '# Project',
          '',
          'See [the guide](docs/Guide.md), [the docs](docs/), [setup](./docs/setup.md) and [licence](LICENSE).',
          '',
          'Broken: [gone](docs/removed.md).',
          '',
        ].join('\n'),
        'docs/guide.md': '# Guide\n',
        'docs/setup.md': '# Setup\n',
        LICENSE: 'MIT\n',
      },
      LINKS_ONLY,
    );
    const f = run.of('broken-link');
    expect(where(f)).toEqual(['README.md:3:5', 'README.md:5:9']);
    expect(f[0]!.help).toContain('did you mean docs/guide.md?');
    expect(f[1]!.message).toContain('docs/removed.md is not a tracked file or directory');
  });

  it('checks images, reference definitions and raw HTML links, but nothing inside code', async () => {
    const run = await driftRepo(
      {
        'docs/index.md': [
          '# Docs', // 1
          '', // 2
          '![logo](img/logo.png) ![missing](img/none.png)', // 3
          '', // 4
          'A [reference link][ref] and a [collapsed one][].', // 5
          '', // 6
          '[ref]: ./reference.md', // 7
          '[collapsed one]: ../nowhere.md', // 8
          '', // 9
          '<p><img src="img/absent.svg" alt="x"> <a href="reference.md">ok</a></p>', // 10
          '', // 11
          '`[not a link](missing-in-span.md)`', // 12
          '', // 13
          '```md', // 14
          '[not a link](missing-in-fence.md)', // 15
          '```', // 16
          '', // 17
          '<!-- [commented](missing-in-comment.md) <a href="gone.md"> -->', // 18
          '',
        ].join('\n'),
        'docs/img/logo.png': new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0]),
        'docs/reference.md': '# Reference\n',
      },
      LINKS_ONLY,
    );
    expect(where(run.of('broken-link'))).toEqual([
      'docs/index.md:3:23',
      'docs/index.md:8:1',
      'docs/index.md:10:14',
    ]);
    const kinds = run.of('broken-link').map((f) => f.properties?.kind);
    expect(kinds).toEqual(['image', 'definition', 'html-src']);
  });

  it('resolves /-rooted links against the repository root (GitHub semantics)', async () => {
    const run = await driftRepo(
      {
        'docs/deep/page.md':
          'Root [contributing](/CONTRIBUTING.md), root [dir](/docs/), missing [x](/nope.md).\n',
        'CONTRIBUTING.md': '# Contributing\n',
      },
      LINKS_ONLY,
    );
    expect(run.of('broken-link').map((f) => f.properties?.url)).toEqual(['/nope.md']);
  });

  it('does not check /-rooted links in issue and pull request templates (github.com-relative there)', async () => {
    const run = await driftRepo(
      {
        '.github/PULL_REQUEST_TEMPLATE.md':
          '- [ ] Follow the [guide](/owner/repo/blob/main/CONTRIBUTING.md).\n',
        '.github/ISSUE_TEMPLATE/bug.md': 'See [issues](/owner/repo/issues).\n',
        'CONTRIBUTING.md': '# Contributing\n',
      },
      LINKS_ONLY,
    );
    expect(run.of('broken-link')).toEqual([]);
  });

  it('treats ../../ above the root as a GitHub page, but one level above the root as broken', async () => {
    const run = await driftRepo(
      {
        'README.md':
          'File an [issue](../../issues) or see the [wiki](../../wiki); [bad](../sibling.md).\n',
      },
      LINKS_ONLY,
    );
    const f = run.of('broken-link');
    expect(f.map((x) => x.properties?.url)).toEqual(['../sibling.md']);
    expect(f[0]!.message).toContain('climbs above the repository root');
  });

  it('never fetches external links and ignores configured destinations', async () => {
    const run = await driftRepo(
      {
        'README.md':
          '[web](https://nonexistent.invalid/x) [mail](mailto:a@b.c) [proto](//cdn.invalid/x) [gen](generated/api.md)\n',
      },
      `${LINKS_ONLY}  links:
    ignore: ['^generated/']
`,
    );
    expect(run.of('broken-link')).toEqual([]);
    expect(run.outcome.stats?.['links-external']).toBe(3);
  });

  it('resolves documentation-site links (root, extensions, index, public dir) when a site is declared', async () => {
    const files = {
      'docs/guide/index.md':
        '# Guide\n\n[features](/guide/features) [api](../api/) [logo](/logo.svg) [html](./features.html#hot-reload) [bad](/guide/missing)\n',
      'docs/guide/features.md': '# Features\n\n## Hot Reload {#hot-reload}\n',
      'docs/api/index.md': '# API\n',
      'docs/public/logo.svg': '<svg/>\n',
    };
    const plain = await driftRepo(files, LINKS_ONLY);
    expect(plain.of('broken-link').map((f) => f.properties?.url)).toEqual([
      '/guide/features',
      '/logo.svg',
      './features.html#hot-reload',
      '/guide/missing',
    ]);
    const site = await driftRepo(
      files,
      `${LINKS_ONLY}  links:
    sites:
      docs:
        files: ['docs/**']
        root: docs
        public: [docs/public]
`,
    );
    expect(site.of('broken-link').map((f) => f.properties?.url)).toEqual(['/guide/missing']);
    expect(site.of('broken-anchor')).toEqual([]);
  });
});

describe('link options', () => {
  it('images, html and anchors can each be switched off; anchor-severity applies to anchors only', async () => {
    const files = {
      'README.md':
        '# Top\n\n![img](missing.png) <img src="missing.svg"> <a href="gone.md">x</a> [a](#nope) [f](gone2.md)\n',
    };
    const all = await driftRepo(files, `${LINKS_ONLY}  links:\n    anchor-severity: warning\n`);
    expect(all.findings.map((f) => `${f.ruleId}:${f.severity}:${f.properties?.url}`)).toEqual([
      'broken-link:error:missing.png',
      'broken-link:error:missing.svg',
      'broken-link:error:gone.md',
      'broken-anchor:warning:#nope',
      'broken-link:error:gone2.md',
    ]);
    const some = await driftRepo(
      files,
      `${LINKS_ONLY}  links:\n    images: false\n    html: false\n    anchors: false\n`,
    );
    expect(some.findings.map((f) => f.properties?.url)).toEqual(['gone2.md']);
  });
});

describe('detected documentation sites', () => {
  it('follows VitePress routing in a directory with .vitepress/config, GitHub routing elsewhere', async () => {
    const files = {
      'docs/.vitepress/config.ts': 'export default {};\n',
      'docs/guide/index.md':
        '# Guide\n\n[cfg](/config/#server-port) [logo](/logo.svg) [bad](/guide/nope)\n',
      'docs/config/index.md': '# Config\n\n## server.port\n',
      'docs/public/logo.svg': '<svg/>\n',
      'README.md': '[site route](/config/) [file](docs/config/index.md#serverport)\n',
    };
    const auto = await driftRepo(files, LINKS_ONLY);
    expect(auto.of('broken-link').map((f) => `${f.path} ${f.properties?.url}`)).toEqual([
      'README.md /config/',
      'docs/guide/index.md /guide/nope',
    ]);
    expect(auto.of('broken-anchor')).toEqual([]);
    expect(auto.outcome.summary).toContain('vitepress(docs):docs');
    const off = await driftRepo(files, `${LINKS_ONLY}  links:\n    auto-sites: false\n`);
    expect(off.of('broken-link').map((f) => f.properties?.url)).toEqual([
      '/config/',
      '/config/#server-port',
      '/logo.svg',
      '/guide/nope',
    ]);
  });

  it('follows MkDocs routing in its docs_dir (directory links, attribute-list ids), read from mkdocs.yml', async () => {
    const files = {
      // A custom tag, as Material for MkDocs configs have: only docs_dir is read.
      'mkdocs.yml': [
        'site_name: Demo',
        'docs_dir: site-docs',
        'markdown_extensions:',
        '  - pymdownx.emoji:',
        '      emoji_index: !!python/name:material.extensions.emoji.twemoji',
        '',
      ].join('\n'),
      'site-docs/index.md': [
        '# Home',
        '',
        '[Guide](guide/) and [its locale](guide/#guide-locale) and [setup](guide.md#set-up).',
        '[Gone](missing/) [bad id](guide/#nope)',
        '',
      ].join('\n'),
      'site-docs/guide.md':
        '# Guide\n\n## Set up { #set-up }\n\n*   **`locale`**{ #guide-locale }: the language.\n',
      'README.md': '[route](site-docs/guide/) [file](site-docs/guide.md#set-up)\n',
    };
    const auto = await driftRepo(files, LINKS_ONLY);
    const urls = (run: typeof auto, rule: string) =>
      run.of(rule).map((f) => `${f.path} ${f.properties?.url}`);
    expect(urls(auto, 'broken-link')).toEqual([
      'README.md site-docs/guide/',
      'site-docs/index.md missing/',
    ]);
    // GitHub gives `## Set up { #set-up }` the slug `set-up--set-up-`: from README the id is not there.
    expect(urls(auto, 'broken-anchor')).toEqual([
      'README.md site-docs/guide.md#set-up',
      'site-docs/index.md guide/#nope',
    ]);
    expect(auto.outcome.summary).toContain('mkdocs(.):site-docs');
    const off = await driftRepo(files, `${LINKS_ONLY}  links:\n    auto-sites: false\n`);
    expect(urls(off, 'broken-link')).toEqual([
      'README.md site-docs/guide/',
      'site-docs/index.md guide/',
      'site-docs/index.md guide/#guide-locale',
      'site-docs/index.md missing/',
      'site-docs/index.md guide/#nope',
    ]);
  });
});

describe('site permalinks and the parse pre-filter', () => {
  it('resolves links through permalink front matter, absolute and page-relative', async () => {
    const run = await driftRepo(
      {
        'content/en/everyday.md':
          '---\ntitle: Everyday\npermalink: /docs/handbook/everyday-types.html\n---\n\n## Literal Types\n',
        'content/en/guide.md': [
          '---',
          'permalink: /docs/handbook/guide.html',
          '---',
          '[abs](/docs/handbook/everyday-types.html#literal-types)',
          '[rel](./everyday-types.html) [noext](/docs/handbook/everyday-types)',
          '[gone](/docs/handbook/removed.html) [bad-anchor](./everyday-types.html#nope)',
          '',
        ].join('\n'),
      },
      `${LINKS_ONLY}  links:
    sites:
      handbook:
        files: ['content/**']
        root: site
        permalinks: true
`,
    );
    expect(run.of('broken-link').map((f) => f.properties?.url)).toEqual([
      '/docs/handbook/removed.html',
    ]);
    expect(run.of('broken-anchor').map((f) => f.properties?.url)).toEqual([
      './everyday-types.html#nope',
    ]);
  });

  it('parses only files that can hold a checked link, and never misses one split over lines', async () => {
    const run = await driftRepo(
      {
        'docs/external.md':
          '# Links\n\n[a](https://example.invalid) [b]( <HTTPS://x.invalid>)\n\n[c]: mailto:a@b.invalid\n',
        'docs/split.md': '# Split\n\n[a](\n  ./missing.md)\n',
        'docs/plain.md': '# No links at all\n',
      },
      LINKS_ONLY,
    );
    expect(where(run.of('broken-link'))).toEqual(['docs/split.md:3:1']);
    expect(run.outcome.stats?.['markdown-files']).toBe(3);
    expect(run.outcome.stats?.['markdown-parsed']).toBe(1);
  });

  it('the preset skips Markdown under test and fixture directories', async () => {
    const run = await driftRepo(
      {
        'tests/format/markdown/link.md': '[x](missing.md)\n',
        'src/__fixtures__/doc.md': '[x](missing.md)\n',
        'docs/real.md': '[x](missing.md)\n',
      },
      LINKS_ONLY,
    );
    expect(run.of('broken-link').map((f) => f.path)).toEqual(['docs/real.md']);
  });
});

describe('anchors (GitHub slug rules)', () => {
  const target = [
    '# Title',
    '## Hello, World! 🎉',
    '## Setup',
    '## Setup',
    '## Setup',
    '## Install   ',
    '## :rocket: Launch',
    '## The `--force` flag',
    '## C++ & Rust',
    '## Über uns',
    '<a name="custom-anchor"></a>',
    '<div id="html-id"></div>',
    '<h2 id="x">Raw HTML heading</h2>',
    '', // an HTML block runs to the next blank line
    'Setext heading',
    '--------------',
    '',
    '```md',
    '## Not a heading (in code)',
    '```',
    '',
  ].join('\n');

  it('accepts every anchor GitHub generates: punctuation, emoji, duplicates, trailing spaces, HTML', async () => {
    const good = [
      '#title',
      '#hello-world-',
      '#setup',
      '#setup-1',
      '#setup-2',
      '#install',
      '#rocket-launch',
      '#the---force-flag',
      '#c--rust',
      '#%C3%BCber-uns',
      '#custom-anchor',
      '#html-id',
      '#raw-html-heading',
      '#setext-heading',
      '#user-content-setup-1',
      '#Setup',
      '#top',
      '#',
    ];
    const run = await driftRepo(
      {
        'docs/target.md': target,
        'docs/links.md': `${good.map((g, i) => `[l${i}](target.md${g})`).join('\n')}\n`,
      },
      LINKS_ONLY,
    );
    expect(run.of('broken-anchor').map((f) => f.properties?.anchor)).toEqual([]);
    expect(run.outcome.stats?.['anchors-checked']).toBe(good.length - 2);
  });

  it('reports anchors GitHub would not have, with a suggestion', async () => {
    const bad = ['#hello-world', '#setup-3', '#install---', '#not-a-heading-in-code', '#missing'];
    const run = await driftRepo(
      {
        'docs/target.md': target,
        'docs/links.md': `${bad.map((g, i) => `[l${i}](target.md${g})`).join('\n')}\n`,
      },
      LINKS_ONLY,
    );
    const f = run.of('broken-anchor');
    expect(f.map((x) => x.properties?.anchor)).toEqual([
      'hello-world',
      'setup-3',
      'install---',
      'not-a-heading-in-code',
      'missing',
    ]);
    expect(where(f)).toEqual([
      'docs/links.md:1:1',
      'docs/links.md:2:1',
      'docs/links.md:3:1',
      'docs/links.md:4:1',
      'docs/links.md:5:1',
    ]);
    expect(f[0]!.help).toContain('#hello-world-');
  });

  it('checks same-file anchors, directory READMEs, and parses a link-free target lazily', async () => {
    const run = await driftRepo(
      {
        'README.md':
          '# Top\n\n## Usage\n\n[ok](#usage) [bad](#usage-1) [pkg](packages/core/#api) [pkg-bad](packages/core#nope)\n',
        // No links in this README: it is parsed only because a link points into it.
        'packages/core/README.md': '# Core\n\n## API\n',
        'packages/core/index.ts': 'export {};\n',
        'src/main.ts': 'export const x = 1;\n',
        'docs/code.md': '[line](../src/main.ts#L1) [plain](../README.md?plain=1#L3)\n',
      },
      LINKS_ONLY,
    );
    expect(run.of('broken-anchor').map((f) => f.properties?.url)).toEqual([
      '#usage-1',
      'packages/core#nope',
    ]);
    expect(run.outcome.stats?.['anchor-targets-parsed']).toBe(1);
  });
});
