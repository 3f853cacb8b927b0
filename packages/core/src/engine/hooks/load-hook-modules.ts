import { WeftError } from '../../errors.js';
import { importUserModule, unwrapInterop } from '../../util/import-module.js';
import { HOOK_POINTS, type HookSet } from './hook-types.js';

/**
 * Loads hook modules (`hooks:` in weft.config.yaml): each default-exports an object of hooks by
 * point, `export default { beforeStep(ctx) { ... } }`. A file that fails to load throws, naming it.
 * @example const sets = await loadHookModules(['hooks/audit.ts'], { cwd: process.cwd() });
 */
export async function loadHookModules(paths: string[], options: { cwd: string }): Promise<HookSet[]> {
  const sets: HookSet[] = [];
  for (const path of paths) sets.push(await loadHookModule(path, options.cwd));
  return sets;
}

async function loadHookModule(path: string, cwd: string): Promise<HookSet> {
  const { namespace, where } = await importUserModule(path, { cwd, kind: 'hook module' });
  const set = unwrapInterop(namespace.default) as Record<string, unknown> | undefined;
  if (!set || typeof set !== 'object' || !Object.keys(set).some((k) => HOOK_POINTS.includes(k as never))) {
    throw new WeftError(
      'invalid_config',
      `${where}: expected a default export of hooks by point (${HOOK_POINTS.join(', ')})`,
    );
  }
  return set as HookSet;
}
