import { describe, expect, it } from 'vitest';
import { findRegions } from '../../checks/drift/markers.js';

describe('section markers', () => {
  it('opens and closes only on comment lines holding the label alone', () => {
    const text = [
      'Intro',
      '<!-- autopack:legacy -->',
      'docker-compose up -d postgres',
      '<!-- /autopack:legacy -->',
      '# autopack:legacy',
      'old = 1',
      '# /autopack:legacy',
    ].join('\n');
    const r = findRegions(text, 'autopack:legacy', 20);
    expect(r.unclosed).toEqual([]);
    expect(r.ranges.map(([a, b]) => text.slice(a, b).split('\n').length)).toEqual([3, 3]);
  });

  it('ignores prose and code that merely mention the label (the docs of the feature itself)', () => {
    const text = [
      'Label a section with `<!-- autopack:legacy -->` and close it with `/autopack:legacy`.',
      "const legacy = 'autopack:legacy';",
      'The banner autopack:legacy-file exempts a whole file.',
    ].join('\n');
    const r = findRegions(text, 'autopack:legacy', 20);
    expect(r).toEqual({ whole: false, ranges: [], unclosed: [] });
  });

  it('takes the file banner only as a comment line near the top', () => {
    expect(
      findRegions('<!-- autopack:legacy-file -->\n# Old guide\n', 'autopack:legacy', 20).whole,
    ).toBe(true);
    expect(
      findRegions('See autopack:legacy-file for whole files.\n', 'autopack:legacy', 20).whole,
    ).toBe(false);
  });
});
