import { describe, expect, it } from 'vitest';
import { collectLinks, parseMarkdown, resolveLink } from '../../checks/sot/markdown.js';

describe('resolveLink', () => {
  it('resolves relative to the document directory, with ./ and ../', () => {
    expect(resolveLink('docs/INDEX.md', './A.md')).toEqual({ path: 'docs/A.md', directory: false });
    expect(resolveLink('docs/INDEX.md', 'A.md')).toEqual({ path: 'docs/A.md', directory: false });
    expect(resolveLink('docs/sub/INDEX.md', '../A.md')).toEqual({
      path: 'docs/A.md',
      directory: false,
    });
    expect(resolveLink('INDEX.md', 'docs/A.md')).toEqual({ path: 'docs/A.md', directory: false });
  });

  it('treats a leading / as the repository root (GitHub file view)', () => {
    expect(resolveLink('docs/INDEX.md', '/docs/A.md')).toEqual({
      path: 'docs/A.md',
      directory: false,
    });
  });

  it('drops #fragment and ?query, decodes percent-escapes, notes directories', () => {
    expect(resolveLink('docs/INDEX.md', 'A.md#section-1')?.path).toBe('docs/A.md');
    expect(resolveLink('docs/INDEX.md', 'A.md?plain=1#L3')?.path).toBe('docs/A.md');
    expect(resolveLink('docs/INDEX.md', 'Run%20Book.md')?.path).toBe('docs/Run Book.md');
    expect(resolveLink('docs/INDEX.md', 'guides/')).toEqual({
      path: 'docs/guides',
      directory: true,
    });
    expect(resolveLink('docs/INDEX.md', 'bad%zz.md')?.path).toBe('docs/bad%zz.md');
  });

  it('is undefined for external URLs, same-document anchors and escapes', () => {
    for (const url of [
      'https://example.com/A.md',
      'mailto:x@y.z',
      '//cdn.example.com/a.md',
      '#top',
      '',
      '../../outside.md',
    ]) {
      expect(resolveLink('docs/INDEX.md', url)).toBeUndefined();
    }
  });
});

describe('collectLinks', () => {
  it('collects inline, reference-style and HTML links with the headings above them', () => {
    const md = [
      '# Index',
      '',
      '## Source of truth',
      '',
      '- [A](A.md) and [B][b] and [C]',
      '',
      '### Ledgers',
      '',
      '<a href="L.md">L</a>',
      '',
      '## Other',
      '',
      '[undefined][nope] `[code](X.md)`',
      '',
      '[b]: B.md',
      '[c]: C.md "title"',
    ].join('\n');
    const links = collectLinks(parseMarkdown(md));
    expect(links.map((l) => [l.url, l.line, l.headings])).toEqual([
      ['A.md', 5, ['index', 'source of truth']],
      ['B.md', 5, ['index', 'source of truth']],
      ['C.md', 5, ['index', 'source of truth']],
      ['L.md', 9, ['index', 'source of truth', 'ledgers']],
    ]);
  });

  it('reads setext headings and headings with inline markup', () => {
    const links = collectLinks(parseMarkdown('Source *of* `truth`\n===\n\n[A](A.md)\n'));
    expect(links[0]?.headings).toEqual(['source of truth']);
  });
});
