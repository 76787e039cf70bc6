import { describe, expect, it } from 'vitest';
import {
  canonicalBody,
  findSections,
  firstDifference,
  replaceSections,
  sectionMatches,
} from '../../checks/sot/sections.js';

const DOC = `# Governance

Intro text that must survive.

<!-- autopack:render checks.enabled -->
old body
<!-- /autopack:render -->

Tail text.
`;

describe('findSections', () => {
  it('finds a section: key, marker lines, body between the marker lines', () => {
    const { sections, problems } = findSections(DOC);
    expect(problems).toEqual([]);
    expect(sections).toHaveLength(1);
    expect(sections[0]).toMatchObject({
      key: 'checks.enabled',
      line: 5,
      column: 1,
      endLine: 7,
      body: 'old body\n',
    });
  });

  it('ignores markers shown in a fenced code block or an indented code block', () => {
    const text =
      '# Doc\n\n```markdown\n<!-- autopack:render checks.enabled -->\n<!-- /autopack:render -->\n```\n\n    <!-- autopack:render x -->\n';
    expect(findSections(text)).toEqual({ sections: [], problems: [] });
  });

  it('reports an unclosed marker, a stray closing marker and a nested opening marker', () => {
    const text = [
      '<!-- /autopack:render -->',
      '',
      '<!-- autopack:render a.b -->',
      '<!-- autopack:render c.d -->',
      '<!-- /autopack:render -->',
      '',
      '<!-- autopack:render e.f -->',
      'never closed',
      '',
    ].join('\n');
    const { sections, problems } = findSections(text);
    expect(sections.map((s) => s.key)).toEqual(['a.b']);
    expect(problems.map((p) => [p.line, p.message])).toEqual([
      [1, 'closing render marker without an opening `<!-- autopack:render KEY -->` above it'],
      [4, 'render marker for c.d opens inside the section a.b, which is not closed yet'],
      [7, 'render marker for e.f is never closed with `<!-- /autopack:render -->`'],
    ]);
  });

  it('reports a marker inside a list item, which cannot be rewritten safely', () => {
    const text = '- item\n  <!-- autopack:render checks.enabled -->\n';
    expect(findSections(text).problems).toMatchObject([
      { line: 2, message: expect.stringContaining('top level') },
    ]);
  });

  it('reports a malformed marker (no key)', () => {
    expect(findSections('<!-- autopack:render -->\n').problems).toMatchObject([
      { line: 1, message: expect.stringContaining('malformed render marker') },
    ]);
  });

  it('handles CRLF documents and an empty body', () => {
    const text = 'a\r\n<!-- autopack:render k -->\r\n<!-- /autopack:render -->\r\nb\r\n';
    const [s] = findSections(text).sections;
    expect(s).toMatchObject({ key: 'k', body: '' });
  });
});

describe('replaceSections', () => {
  it('rewrites only the body; every other byte is preserved', () => {
    const [s] = findSections(DOC).sections;
    const out = replaceSections(DOC, [[s!, canonicalBody('| a |\n| --- |\n| 1 |', '\n')]]);
    expect(out).toBe(DOC.replace('old body\n', '\n| a |\n| --- |\n| 1 |\n\n'));
    // The same replacement on the result is a no-op: idempotent.
    const [again] = findSections(out).sections;
    expect(replaceSections(out, [[again!, canonicalBody('| a |\n| --- |\n| 1 |', '\n')]])).toBe(
      out,
    );
  });

  it('writes the document line ending', () => {
    expect(canonicalBody('x\ny', '\r\n')).toBe('\r\nx\r\ny\r\n\r\n');
  });
});

describe('sectionMatches', () => {
  const rendered = '| Check Run | Checks |\n| --- | --- |\n| `autopack/sot` | SOT |';

  it('accepts a table re-aligned by a Markdown formatter, and blank lines around it', () => {
    const aligned =
      '\n| Check Run       | Checks |\n| :-------------- | ------ |\n| `autopack/sot`  | SOT    |\n\n';
    // Alignment colons are content: `:---` differs from `---`.
    expect(sectionMatches(aligned, rendered)).toBe(false);
    const formatted =
      '\n| Check Run      | Checks |\n| -------------- | ------ |\n| `autopack/sot` | SOT    |\n\n';
    expect(sectionMatches(formatted, rendered)).toBe(true);
  });

  it('rejects any content difference, and names the first differing line', () => {
    const edited = rendered.replace('SOT', 'SOT (edited)');
    expect(sectionMatches(edited, rendered)).toBe(false);
    expect(firstDifference(edited, rendered)).toEqual({
      actual: '|`autopack/sot`|SOT (edited)|',
      expected: '|`autopack/sot`|SOT|',
    });
    expect(firstDifference(`${rendered}\n| extra | row |`, rendered)).toEqual({
      actual: '|extra|row|',
      expected: undefined,
    });
  });
});
