import { describe, expect, it } from 'vitest';
import { mightHaveLinks, parseMarkdown, type MdDoc } from '../../checks/drift/markdown.js';
import { LineIndex } from '../../checks/drift/text.js';

/** Each link as `kind url @line:column`, columns 1-based, from the offsets the parser reports. */
function located(text: string, doc: MdDoc): string[] {
  const lines = new LineIndex(text);
  return doc.links.map((l) => {
    const p = lines.position(l.offset);
    return `${l.kind} ${l.url} @${p.line}:${p.column}`;
  });
}

describe('parseMarkdown', () => {
  it('locates inline links, images and definitions in paragraphs, quotes, lists and tables', () => {
    const text = [
      '# Title', // 1
      '', // 2
      'See [the guide](docs/guide.md) and ![logo](img/logo.png).', // 3
      '> quoted [q](a/b.md#part)', // 4
      '- item', // 5
      '  continued [li](../up.md)', // 6
      '', // 7
      '| col `a\\|b` | link |', // 8
      '| --- | --- |', // 9
      '| x \\| y | [cell](cell.md) |', // 10
      '', // 11
      'A [ref][r] and [r].', // 12
      '', // 13
      '[r]: <ref target.md> "t"', // 14
    ].join('\n');
    const doc = parseMarkdown(text);
    expect(located(text, doc).sort()).toEqual(
      [
        'link docs/guide.md @3:5',
        'image img/logo.png @3:36',
        'link a/b.md#part @4:10',
        'link ../up.md @6:13',
        'link cell.md @10:12',
        'definition ref target.md @14:1',
      ].sort(),
    );
    // Reference-style uses are not repeated: their definition carries the URL once.
    expect(doc.links.filter((l) => l.url === 'ref target.md')).toHaveLength(1);
    const spans = doc.codeSpans.map(
      (c) => `${c.value} @${new LineIndex(text).position(c.offset).column}`,
    );
    expect(spans).toEqual(['a|b @7']);
  });

  it('reports offsets in the original text when lines end with CRLF', () => {
    const text =
      'intro\r\n\r\npara with [a](x.md)\r\nand [b](y.md)\r\n\r\n<a href="z.md">z</a>\r\n';
    expect(located(text, parseMarkdown(text))).toEqual([
      'link x.md @3:11',
      'link y.md @4:5',
      'html-href z.md @6:10',
    ]);
  });

  it("gives headings GitHub's anchors: punctuation and emoji dropped, duplicates numbered", () => {
    const text = [
      '# Hello, World! 🎉',
      '## Hello, World!',
      '## Hello, World!',
      '## `code` and *emphasis*',
      'Setext **heading**',
      '---',
      '<h2 id="custom">Raw</h2>',
      '',
      '<a name="named"></a>',
      '',
      '## Stránky ',
      'Text[^note].',
      '',
      '[^note]: A footnote.',
      '',
      '## Plain text: (v2.0) + 50% off? #tag', // plain text: taken as written, not parsed
      '## Escaped \\*stars\\* & AT&amp;T', // escapes and entities: parsed
    ].join('\n');
    const doc = parseMarkdown(text);
    expect([...doc.anchors].sort()).toEqual(
      [
        'hello-world-',
        'hello-world',
        'hello-world-1',
        'code-and-emphasis',
        'setext-heading',
        'raw',
        'custom',
        'named',
        'stránky',
        'fn-note',
        'fnref-note',
        'plain-text-v20--50-off-tag',
        'escaped-stars--att',
      ].sort(),
    );
  });

  it('never takes code for links, and keeps destinations as written (decoded, not encoded)', () => {
    const text = [
      '```md',
      '[not](fenced.md)',
      '```',
      '',
      '    [not](indented.md)',
      '',
      'Inline `[not](span.md)` but [yes](a%20b.md) and [esc](c\\_d.md) and [amp](e&amp;f.md).',
    ].join('\n');
    expect(parseMarkdown(text).links.map((l) => l.url)).toEqual(['a%20b.md', 'c_d.md', 'e&f.md']);
  });

  it('finds every construct when a block holds only that one (blocks without any are not inline-parsed)', () => {
    const text = [
      '## A *styled* `heading`', // 1: headings are always parsed: their text is the slug
      '',
      'Plain prose with *emphasis*, [brackets] and a shortcut [r] only.', // 3
      '',
      'Only a footnote[^n] here.', // 5
      '',
      'Only an anchor <a name="here"></a> here.', // 7
      '',
      'Only a `code/span.md` here.', // 9
      '',
      '- a list item with [an inline](item.md) link', // 11
      '',
      '[r]: defined.md', // 13
      '[^n]: The note.',
    ].join('\n');
    const doc = parseMarkdown(text);
    expect(located(text, doc).sort()).toEqual([
      'definition defined.md @13:1',
      'link item.md @11:20',
    ]);
    expect([...doc.anchors].sort()).toEqual(['a-styled-heading', 'fn-n', 'fnref-n', 'here']);
    expect(doc.codeSpans.map((s) => s.value)).toEqual(['heading', 'code/span.md']);
  });

  it('finds the same links and anchors without code spans, and only the headings’ spans', () => {
    const text = [
      '## A `heading`', // 1
      '',
      'Only a `code/span.md` and <https://example.com/autolink> and <span class="x">y</span>.', // 3
      '',
      'An <A HREF="upper.md">upper-case</A> tag and an <img', // 5
      'src="multi-line.png"> one.', // 6
      '',
      'A <b data-id="not-an-id">data attribute</b> and <em id="real-id">an id</em>.', // 8
      '',
      'Only a footnote[^n] and a `span` with [inline](item.md).', // 10
      '',
      '[^n]: The note.',
    ].join('\n');
    const full = parseMarkdown(text);
    const lean = parseMarkdown(text, { codeSpans: false });
    expect(located(text, lean)).toEqual(located(text, full));
    expect(located(text, lean).sort()).toEqual([
      'html-href upper.md @5:13',
      'html-src multi-line.png @6:6',
      'link item.md @10:39',
    ]);
    expect([...lean.anchors].sort()).toEqual([...full.anchors].sort());
    expect([...lean.anchors].sort()).toEqual(['a-heading', 'fn-n', 'fnref-n', 'real-id']);
    expect(full.codeSpans.map((s) => s.value)).toEqual(['heading', 'code/span.md', 'span']);
    // Block 3 holds nothing but a code span, an autolink and a plain tag: not inline-parsed.
    expect(lean.codeSpans.map((s) => s.value)).toEqual(['heading', 'span']);
  });

  it('pre-filters files whose destinations are all external', () => {
    expect(mightHaveLinks('Only [a](https://example.com) and <https://x.y>.')).toBe(false);
    expect(mightHaveLinks('A [local](docs/a.md).')).toBe(true);
    expect(mightHaveLinks('[ref]: ./b.md')).toBe(true);
    expect(mightHaveLinks('<img src="logo.png">')).toBe(true);
  });
});
