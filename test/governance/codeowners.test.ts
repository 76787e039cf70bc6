import { describe, expect, it } from 'vitest';
import {
  ownersOf,
  parseCodeowners,
  patternToRegex,
  readCodeowners,
} from '../../checks/governance/codeowners.js';
import type { FileContent } from '../../checks/snapshot.js';

/** Pattern semantics, from the examples in GitHub's "About code owners" documentation. */
const CASES: Array<[pattern: string, yes: string[], no: string[]]> = [
  ['*', ['README.md', 'a/b/c.js', '.github/x'], []],
  ['*.js', ['app.js', 'src/deep/app.js'], ['app.jsx', 'app.ts']],
  ['*.go', ['main.go', 'cmd/x/main.go'], ['main.golang']],
  // "/build/logs/ directory at the root and any of its subdirectories"
  [
    '/build/logs/',
    ['build/logs/a.log', 'build/logs/x/y.log'],
    ['build/logs', 'x/build/logs/a.log'],
  ],
  // "docs/* matches docs/getting-started.md but not further nested files like docs/build-app/troubleshooting.md"
  ['docs/*', ['docs/getting-started.md'], ['docs/build-app/troubleshooting.md', 'x/docs/a.md']],
  // "apps/ matches an apps directory anywhere in the repository"
  ['apps/', ['apps/a.js', 'src/apps/b/c.js'], ['apps', 'myapps/a.js']],
  // "/docs/ directory in the root of your repository and any of its subdirectories"
  ['/docs/', ['docs/a.md', 'docs/x/y.md'], ['src/docs/a.md']],
  // "**/logs matches any logs directory"
  [
    '**/logs',
    ['logs/a', 'build/logs/a', 'deeply/nested/logs/x.log', 'logs'],
    ['logsx/a', 'build/catalogs/a'],
  ],
  // "/apps/github — no trailing slash: the file or directory apps/github (and its contents)"
  ['/apps/github', ['apps/github', 'apps/github/x.js'], ['apps/githubber', 'x/apps/github']],
  // A pattern with a slash in the middle is anchored at the root.
  ['src/core', ['src/core/a.ts', 'src/core'], ['lib/src/core/a.ts']],
  ['foo/**/bar', ['foo/bar', 'foo/a/b/bar', 'foo/a/bar/c'], ['x/foo/bar']],
  ['foo/bar/**', ['foo/bar/a', 'foo/bar/a/b'], ['foo/bar']],
  ['f?o', ['foo', 'x/fao'], ['fo', 'fooo']],
  ['/*', ['README.md'], ['src/a.ts']],
  ['README.md', ['README.md', 'docs/README.md'], ['README.mdx']],
  // Paths are case-sensitive.
  ['/Docs/', ['Docs/a.md'], ['docs/a.md']],
  ['path\\ with\\ spaces/', ['path with spaces/a'], ['path/a']],
];

describe('CODEOWNERS patterns', () => {
  for (const [pattern, yes, no] of CASES) {
    it(`${pattern}`, () => {
      const re = patternToRegex(pattern);
      for (const p of yes) expect(re.test(p), `${pattern} should match ${p}`).toBe(true);
      for (const p of no) expect(re.test(p), `${pattern} should not match ${p}`).toBe(false);
    });
  }
});

describe('parseCodeowners / ownersOf', () => {
  const text = [
    '# comment line',
    '*       @global-owner1 @global-owner2',
    '*.js    @js-owner #This is an inline comment.',
    '*.go docs@example.com',
    '/build/logs/ @doctocat',
    'docs/*  docs@example.com',
    'apps/ @octocat',
    '/docs/ @doctocat',
    '/scripts/ @doctocat @octocat',
    '/apps/ @octocat',
    '/apps/github',
    '/src/core/ @Octo-Org/Core-Team',
    '!/negated @x',
    '[abc].txt @x',
    '/weird/ not-an-owner',
  ].join('\n');
  const co = parseCodeowners(text, '.github/CODEOWNERS');

  it('the last matching line wins', () => {
    expect(ownersOf(co, 'README.md').owners.map((o) => o.raw)).toEqual([
      '@global-owner1',
      '@global-owner2',
    ]);
    expect(ownersOf(co, 'src/index.js').owners.map((o) => o.raw)).toEqual(['@js-owner']);
    expect(ownersOf(co, 'docs/a.js').entry?.line).toBe(8);
    expect(ownersOf(co, 'scripts/x.js').owners.map((o) => o.raw)).toEqual([
      '@doctocat',
      '@octocat',
    ]);
  });

  it('a matching line without owners clears ownership', () => {
    const m = ownersOf(co, 'apps/github/main.go');
    expect(m.owners).toEqual([]);
    expect(m.entry?.line).toBe(11);
    expect(ownersOf(co, 'apps/other.go').owners.map((o) => o.raw)).toEqual(['@octocat']);
  });

  it('parses users, teams (lower-cased) and e-mail owners; inline comments are dropped', () => {
    const core = ownersOf(co, 'src/core/x.ts').owners;
    expect(core).toEqual([
      { kind: 'team', team: 'octo-org/core-team', raw: '@Octo-Org/Core-Team' },
    ]);
    expect(ownersOf(co, 'main.go').owners[0]).toMatchObject({
      kind: 'email',
      email: 'docs@example.com',
    });
    expect(co.entries.find((e) => e.line === 3)?.owners.map((o) => o.raw)).toEqual(['@js-owner']);
  });

  it('skips lines GitHub cannot parse and says why', () => {
    expect(co.errors.map((e) => e.line)).toEqual([13, 14, 15]);
    expect(co.errors[0]!.message).toMatch(/negation/);
    expect(co.errors[1]!.message).toMatch(/character ranges/);
    expect(co.errors[2]!.message).toMatch(/invalid owner "not-an-owner"/);
  });

  it('reads the first location GitHub reads, in GitHub order', async () => {
    const files: Record<string, string> = { CODEOWNERS: '* @root', 'docs/CODEOWNERS': '* @docs' };
    const read = async (p: string): Promise<FileContent> =>
      files[p] !== undefined
        ? { kind: 'text', text: files[p]!, size: files[p]!.length }
        : { kind: 'missing' };
    expect(await readCodeowners(read)).toEqual({
      status: 'found',
      path: 'CODEOWNERS',
      text: '* @root',
    });
    files['.github/CODEOWNERS'] = '* @gh';
    expect(await readCodeowners(read)).toMatchObject({ path: '.github/CODEOWNERS' });
    expect(await readCodeowners(async () => ({ kind: 'missing' }))).toEqual({ status: 'absent' });
    expect(
      await readCodeowners(async () => ({ kind: 'unreadable', error: 'HTTP 502' })),
    ).toMatchObject({ status: 'error' });
  });
});
