import { stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { WeftError } from '../../errors.js';
import { HOOK_POINTS, type HookSet } from './hook-types.js';

const EXTENSIONS = new Set(['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts']);

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
  const absolute = resolve(cwd, path);
  const where = `hook module '${path}'${absolute === path ? '' : ` (${absolute})`}`;
  const extension = extname(absolute).toLowerCase();
  if (!EXTENSIONS.has(extension)) {
    throw new WeftError('invalid_config', `${where}: expected a .js, .mjs, .cjs, .ts, .mts or .cts file`);
  }
  const isFile = await stat(absolute).then(
    (info) => info.isFile(),
    () => false,
  );
  if (!isFile) throw new WeftError('invalid_config', `${where}: no such file`);
  let namespace: Record<string, unknown>;
  try {
    const url = pathToFileURL(absolute).href;
    namespace = extension.endsWith('ts')
      ? ((await (await import('tsx/esm/api')).tsImport(url, { parentURL: import.meta.url })) as Record<
          string,
          unknown
        >)
      : await import(url);
  } catch (error) {
    throw new WeftError('invalid_config', `${where} failed to load: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let set = namespace.default as Record<string, unknown> | undefined;
  // A TypeScript or CommonJS module can arrive with its default export one level down.
  if (set && (set as { __esModule?: unknown }).__esModule === true) set = set.default as typeof set;
  if (!set || typeof set !== 'object' || !Object.keys(set).some((k) => HOOK_POINTS.includes(k as never))) {
    throw new WeftError(
      'invalid_config',
      `${where}: expected a default export of hooks by point (${HOOK_POINTS.join(', ')})`,
    );
  }
  return set as HookSet;
}
