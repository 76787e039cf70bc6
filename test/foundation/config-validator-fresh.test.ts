/**
 * The committed config validator (schemas/generated/config-validator.ts) must be exactly what
 * scripts/gen-config-validator.mjs generates from the schemas: a schema edit without
 * `npm run gen:validators` would validate configs against the old schema.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
// @ts-expect-error -- a plain .mjs build script, no types
import { generate, OUT } from '../../scripts/gen-config-validator.mjs';
import validate from '../../schemas/generated/config-validator.js';
import { readAsset } from '../../policies/assets.js';

describe('schemas/generated/config-validator.ts', () => {
  it('is what the schemas generate (run `npm run gen:validators` when this fails)', async () => {
    const committed = await readFile(OUT as string, 'utf8');
    expect(committed === (generate as () => string)(), 'config-validator.ts is stale').toBe(true);
  });

  it('accepts the built-in preset and reports an unknown key with its path', () => {
    const v = validate as unknown as ((x: unknown) => boolean) & {
      errors?: Array<{ instancePath: string; keyword: string; params: Record<string, unknown> }>;
    };
    expect(v(parseYaml(readAsset('policies/recommended.yml')))).toBe(true);
    expect(v({ drift: { enabled: true, linkz: {} } })).toBe(false);
    expect(v.errors?.map((e) => [e.instancePath, e.keyword, e.params.additionalProperty])).toEqual([
      ['/drift', 'additionalProperties', 'linkz'],
    ]);
  });
});
