/**
 * Rules registry-invalid, missing-document, index-missing, index-missing-link and
 * index-unregistered-link on real git fixture repositories, each with its legitimate look-alike.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { byRule, fixtures, runSotOn, sotConfig, type Files } from './helpers.js';

const fx = fixtures();
afterEach(() => fx.cleanup());
const repo = (files: Files) => fx.repo(files);

const INLINE = sotConfig(`
registry:
  - path: docs/ARCHITECTURE.md
    title: Architecture
    owner: '@org/arch'
  - docs/RUNBOOK.md
  - path: docs/DECISIONS.md
    kind: ledger
index:
  path: docs/INDEX.md
  sections: [Source of truth]
`);

const INDEX = `# Project index

## Source of truth

- [Architecture](./ARCHITECTURE.md#overview)
- [Runbook][runbook]
- [Decisions](/docs/DECISIONS.md)

## Elsewhere

- [Notes](notes.md)
- [Homepage](https://example.com/docs/PLAN.md)

[runbook]: RUNBOOK.md?plain=1
`;

const DOCS: Files = {
  '.github/autopack.yml': INLINE,
  'docs/INDEX.md': INDEX,
  'docs/ARCHITECTURE.md': '# Architecture\n\n## Overview\n',
  'docs/RUNBOOK.md': '# Runbook\n',
  'docs/DECISIONS.md': '# Decisions\n\n- DEC-001: use git\n',
  'docs/notes.md': '# Notes\n',
};

describe('registry and index: the clean repository', () => {
  it('has no findings when every document exists and the index links each one (./ prefix, anchor, reference, /root)', async () => {
    const f = await repo(DOCS);
    const out = await runSotOn(f.dir);
    expect(out.findings).toEqual([]);
    expect(out.stats).toMatchObject({
      registryEntries: 3,
      documentsMissing: 0,
      indexLinks: 5,
      indexSotLinks: 3,
    });
    expect(out.summary).toContain('3 document(s) from the config');
  });
});

describe('missing-document', () => {
  it('names the missing document and the config line that registers it', async () => {
    const f = await repo({ ...DOCS, 'docs/RUNBOOK.md': null });
    const out = await runSotOn(f.dir);
    const [finding, ...rest] = byRule(out, 'missing-document');
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      path: '.github/autopack.yml',
      line: 10,
      severity: 'error',
      message: 'docs/RUNBOOK.md is registered as a source-of-truth document but does not exist',
    });
    expect(finding!.help).toMatch(/Restore the document/);
  });

  it('says when a registered path is a directory', async () => {
    const f = await repo({
      ...DOCS,
      '.github/autopack.yml': sotConfig('registry: [docs]'),
    });
    const [finding] = byRule(await runSotOn(f.dir), 'missing-document');
    expect(finding?.message).toBe(
      'docs is registered as a source-of-truth document but is a directory, not a document',
    );
  });

  it('has a fingerprint that survives the entry moving to another line', async () => {
    const a = await repo({ ...DOCS, 'docs/RUNBOOK.md': null });
    const b = await repo({
      ...DOCS,
      'docs/RUNBOOK.md': null,
      '.github/autopack.yml': `# a comment\n\n${INLINE}`,
    });
    const [fa] = byRule(await runSotOn(a.dir), 'missing-document');
    const [fb] = byRule(await runSotOn(b.dir), 'missing-document');
    expect(fb!.line).toBe(fa!.line! + 2);
    expect(fb!.fingerprint).toBe(fa!.fingerprint);
  });
});

describe('registry file (JSON/YAML) and registry-invalid', () => {
  const fileConfig = (registry: string) =>
    sotConfig(
      `registry: ${registry}\nindex:\n  path: docs/INDEX.md\n  sections: [Source of truth]`,
    );

  it('reads a JSON registry file ({ documents: [...] }) with no findings', async () => {
    const f = await repo({
      ...DOCS,
      '.github/autopack.yml': fileConfig('config/sot.json'),
      'config/sot.json': JSON.stringify(
        {
          version: 1,
          documents: [
            { path: 'docs/ARCHITECTURE.md', title: 'Architecture' },
            'docs/RUNBOOK.md',
            { path: 'docs/DECISIONS.md', kind: 'ledger' },
          ],
        },
        null,
        '\t',
      ),
    });
    const out = await runSotOn(f.dir);
    expect(out.findings).toEqual([]);
    expect(out.summary).toContain('3 document(s) from `config/sot.json`');
  });

  it('reads the list at a key path ({ file, key }) in a file with other keys', async () => {
    const f = await repo({
      ...DOCS,
      '.github/autopack.yml': fileConfig('{ file: config/sot_registry.json, key: docs_sot_files }'),
      'config/sot_registry.json':
        '{\n  "protected": ["x"],\n  "docs_sot_files": ["docs/ARCHITECTURE.md", "docs/RUNBOOK.md", "docs/DECISIONS.md", "docs/GONE.md"]\n}\n',
    });
    const out = await runSotOn(f.dir);
    expect(byRule(out, 'registry-invalid')).toEqual([]);
    expect(byRule(out, 'missing-document')).toMatchObject([
      {
        path: 'config/sot_registry.json',
        line: 3,
        message: expect.stringContaining('docs/GONE.md'),
      },
    ]);
  });

  it('reads a YAML registry file', async () => {
    const f = await repo({
      ...DOCS,
      '.github/autopack.yml': fileConfig('docs/sot.yml'),
      'docs/sot.yml':
        '- docs/ARCHITECTURE.md\n- docs/RUNBOOK.md\n- path: docs/DECISIONS.md\n  kind: ledger\n',
    });
    expect((await runSotOn(f.dir)).findings).toEqual([]);
  });

  it('reports a JSON syntax error with the file and line, not a crash', async () => {
    const f = await repo({
      ...DOCS,
      '.github/autopack.yml': fileConfig('config/sot.json'),
      'config/sot.json': '{\n  "documents": [\n    "docs/ARCHITECTURE.md",\n  ]\n}\n',
    });
    const out = await runSotOn(f.dir);
    const findings = byRule(out, 'registry-invalid');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ path: 'config/sot.json', severity: 'error' });
    expect(findings[0]!.line).toBeGreaterThanOrEqual(3);
    expect(findings[0]!.message).toMatch(/config\/sot\.json/);
  });

  it('reports a YAML syntax error with its line', async () => {
    const f = await repo({
      ...DOCS,
      '.github/autopack.yml': fileConfig('docs/sot.yml'),
      'docs/sot.yml': '- docs/ARCHITECTURE.md\n- path: [unclosed\n',
    });
    const [finding] = byRule(await runSotOn(f.dir), 'registry-invalid');
    expect(finding).toMatchObject({
      path: 'docs/sot.yml',
      message: expect.stringMatching(/does not parse/),
    });
    expect(finding!.line).toBeGreaterThanOrEqual(2);
  });

  it('reports a schema violation at the line of the offending key (ajv, schemas/sot-registry.schema.json)', async () => {
    const f = await repo({
      ...DOCS,
      '.github/autopack.yml': fileConfig('config/sot.json'),
      'config/sot.json':
        '{\n  "documents": [\n    { "path": "docs/ARCHITECTURE.md" },\n    { "path": "docs/RUNBOOK.md", "kind": "diary" },\n    { "path": "docs/DECISIONS.md", "colour": "red" }\n  ]\n}\n',
    });
    const findings = byRule(await runSotOn(f.dir), 'registry-invalid');
    expect(findings.map((x) => [x.line, x.message])).toEqual([
      [4, 'the registry file config/sot.json at documents.1.kind must be one of: document, ledger'],
      [5, 'the registry file config/sot.json at documents.2 has an unknown key "colour"'],
    ]);
  });

  it('reports a missing registry file at the config line that names it', async () => {
    const f = await repo({ ...DOCS, '.github/autopack.yml': fileConfig('config/nowhere.json') });
    const out = await runSotOn(f.dir);
    expect(byRule(out, 'registry-invalid')).toMatchObject([
      {
        path: '.github/autopack.yml',
        line: 6,
        message: 'the registry file config/nowhere.json does not exist',
      },
    ]);
  });

  it('reports a missing key path', async () => {
    const f = await repo({
      ...DOCS,
      '.github/autopack.yml': fileConfig('{ file: config/r.json, key: sot.docs }'),
      'config/r.json': '{ "sot": { "other": [] } }\n',
    });
    expect(byRule(await runSotOn(f.dir), 'registry-invalid')).toMatchObject([
      {
        path: 'config/r.json',
        message: 'the registry file config/r.json has no key sot.docs (sot.registry.key)',
      },
    ]);
  });

  it('reports duplicate entries and paths that leave the repository', async () => {
    const f = await repo({
      ...DOCS,
      '.github/autopack.yml': sotConfig(
        'registry:\n  - docs/RUNBOOK.md\n  - ./docs/RUNBOOK.md\n  - ../outside.md',
      ),
    });
    const findings = byRule(await runSotOn(f.dir), 'registry-invalid');
    expect(findings.map((x) => [x.line, x.message])).toEqual([
      [8, 'docs/RUNBOOK.md is registered twice (first on line 7)'],
      [9, 'registry entry ../outside.md is not a path inside the repository'],
    ]);
  });
});

describe('index-missing-link', () => {
  it('fires for a registered document the index does not link', async () => {
    const f = await repo({
      ...DOCS,
      'docs/INDEX.md': INDEX.replace('- [Decisions](/docs/DECISIONS.md)\n', ''),
    });
    const out = await runSotOn(f.dir);
    expect(byRule(out, 'index-missing-link')).toMatchObject([
      {
        path: 'docs/INDEX.md',
        message:
          'docs/DECISIONS.md is a registered SOT document (registered at .github/autopack.yml:11) but docs/INDEX.md does not link it',
      },
    ]);
  });

  it('does not count a link in a code block, an undefined reference or an external URL as a link', async () => {
    const index = `# Index\n\n## Source of truth\n\n- [Architecture](ARCHITECTURE.md)\n- [Decisions](DECISIONS.md)\n\n\`\`\`\n[Runbook](RUNBOOK.md)\n\`\`\`\n\n[Runbook][missing-ref] and https://github.com/o/r/blob/main/docs/RUNBOOK.md\n`;
    const f = await repo({ ...DOCS, 'docs/INDEX.md': index });
    expect(byRule(await runSotOn(f.dir), 'index-missing-link').map((x) => x.message)).toEqual([
      expect.stringContaining('docs/RUNBOOK.md is a registered SOT document'),
    ]);
  });

  it('counts an HTML anchor and a percent-encoded path', async () => {
    const f = await repo({
      ...DOCS,
      '.github/autopack.yml': sotConfig(
        'registry: [docs/RUN BOOK.md, docs/ARCHITECTURE.md]\nindex: { path: docs/INDEX.md }',
      ),
      'docs/RUN BOOK.md': '# Runbook\n',
      'docs/INDEX.md':
        '# Index\n\n[Runbook](RUN%20BOOK.md)\n\n<p><a href="./ARCHITECTURE.md#overview">Architecture</a></p>\n',
    });
    expect((await runSotOn(f.dir)).findings).toEqual([]);
  });
});

describe('index-unregistered-link', () => {
  it('fires for a link under a SOT section to an unregistered document, at the link', async () => {
    const index = INDEX.replace(
      '- [Decisions](/docs/DECISIONS.md)\n',
      '- [Decisions](/docs/DECISIONS.md)\n- [Plan](PLAN.md)\n',
    );
    const f = await repo({ ...DOCS, 'docs/INDEX.md': index, 'docs/PLAN.md': '# Plan\n' });
    const out = await runSotOn(f.dir);
    expect(byRule(out, 'index-unregistered-link')).toMatchObject([
      {
        path: 'docs/INDEX.md',
        line: 8,
        column: 3,
        message:
          'docs/INDEX.md links docs/PLAN.md as a SOT document, but it is not in the SOT registry',
      },
    ]);
  });

  it('ignores links outside the SOT sections (the notes link sits under another heading)', async () => {
    const f = await repo(DOCS);
    expect(byRule(await runSotOn(f.dir), 'index-unregistered-link')).toEqual([]);
  });

  it('counts links in subsections of a SOT section, and stops at the next sibling heading', async () => {
    const index =
      '# I\n\n## Source of truth\n\n### Ledgers\n\n- [Old](OLD.md)\n\n## Other\n\n- [Misc](MISC.md)\n';
    const f = await repo({
      ...DOCS,
      '.github/autopack.yml': sotConfig(
        'registry: []\nindex: { path: docs/INDEX.md, sections: [source of  TRUTH] }',
      ),
      'docs/INDEX.md': index,
    });
    const findings = byRule(await runSotOn(f.dir), 'index-unregistered-link');
    expect(findings.map((x) => x.message)).toEqual([
      'docs/INDEX.md links docs/OLD.md as a SOT document, but it is not in the SOT registry (and the file does not exist)',
    ]);
  });

  it('with include globs, counts matching links anywhere in the index; exclude wins', async () => {
    const f = await repo({
      ...DOCS,
      '.github/autopack.yml': sotConfig(`
registry: [docs/ARCHITECTURE.md]
index:
  path: docs/INDEX.md
  include: ['docs/*.md']
  exclude: ['docs/notes.md', 'docs/RUNBOOK.md']`),
    });
    const findings = byRule(await runSotOn(f.dir), 'index-unregistered-link');
    expect(findings.map((x) => x.message)).toEqual([
      'docs/INDEX.md links docs/DECISIONS.md as a SOT document, but it is not in the SOT registry',
    ]);
  });

  it('is off (and says so) when neither sections nor include is configured', async () => {
    const f = await repo({
      ...DOCS,
      '.github/autopack.yml': sotConfig(
        'registry: [docs/ARCHITECTURE.md]\nindex: { path: docs/INDEX.md }',
      ),
    });
    const out = await runSotOn(f.dir);
    expect(out.findings).toEqual([]);
    expect(out.summary).toContain('unregistered SOT links not checked');
  });
});

describe('index-missing', () => {
  it('fires when the index does not exist, at the config line of sot.index.path', async () => {
    const f = await repo({ ...DOCS, 'docs/INDEX.md': null });
    expect(byRule(await runSotOn(f.dir), 'index-missing')).toMatchObject([
      {
        path: '.github/autopack.yml',
        line: 14,
        message: 'the SOT index docs/INDEX.md does not exist',
      },
    ]);
  });

  it('fires when a configured section heading is absent from the index', async () => {
    const f = await repo({
      ...DOCS,
      'docs/INDEX.md': INDEX.replace('## Source of truth', '## Canon'),
    });
    expect(byRule(await runSotOn(f.dir), 'index-missing')).toMatchObject([
      {
        path: 'docs/INDEX.md',
        message: expect.stringContaining('has no heading "Source of truth"'),
      },
    ]);
  });
});

describe('the preset on a repository with no sot configuration', () => {
  it('finds nothing and says that nothing is configured', async () => {
    const f = await repo({ 'README.md': '# Hi\n\n[docs](docs/a.md)\n', 'docs/a.md': '# A\n' });
    const out = await runSotOn(f.dir);
    expect(out.findings).toEqual([]);
    expect(out.summary).toContain('Registry: none configured');
    expect(out.stats).toMatchObject({ renderFilesScanned: 2, renderSections: 0 });
  });
});

describe('severity overrides', () => {
  it('lowers a rule to warning, and `off` drops it', async () => {
    const cfg = (level: string) => `${INLINE}  severity:\n    missing-document: ${level}\n`;
    const warn = await repo({
      ...DOCS,
      'docs/RUNBOOK.md': null,
      '.github/autopack.yml': cfg('warning'),
    });
    expect(byRule(await runSotOn(warn.dir), 'missing-document')).toMatchObject([
      { severity: 'warning' },
    ]);
    const off = await repo({
      ...DOCS,
      'docs/RUNBOOK.md': null,
      '.github/autopack.yml': cfg('off'),
    });
    expect(byRule(await runSotOn(off.dir), 'missing-document')).toEqual([]);
  });
});
