/**
 * Walks one action manifest (`action.yml|yaml`, docs.github.com "Metadata syntax for GitHub
 * Actions"): a composite action's `runs.steps[*].uses`, and a Docker action's `runs.image`
 * when it is a `docker://` image. JavaScript actions and Dockerfile-built images have nothing
 * to pin here. A YAML file named action.yml that has no `runs:` is not an action and is skipped.
 */
import type { Finding } from '../model.js';
import type { CompiledPinningConfig } from './config.js';
import { checkUses } from './pinning.js';
import { getNode, items, str, type ParsedYaml } from './source.js';
import { collectStepUses } from './steps.js';

type Parsed = Extract<ParsedYaml, { ok: true }>;

/** Every finding for one parsed action manifest. */
export function checkActionManifest(
  path: string,
  parsed: Parsed,
  cfg: CompiledPinningConfig,
): Finding[] {
  const { doc } = parsed;
  const runs = getNode(doc, doc.contents, 'runs');
  const using = str(getNode(doc, runs, 'using'))
    ?.trim()
    .toLowerCase();
  if (using === 'composite') {
    return collectStepUses(path, parsed, items(doc, getNode(doc, runs, 'steps')), 'runs', cfg);
  }
  if (using === 'docker') {
    const image = getNode(doc, runs, 'image');
    const value = str(image);
    if (image && value?.trim().startsWith('docker://')) {
      const f = checkUses(
        { path, parsed, node: image, value, owner: 'runs.image', occurrence: 0, level: 'step' },
        cfg,
      );
      return f ? [f] : [];
    }
  }
  return [];
}
