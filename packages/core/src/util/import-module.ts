import { stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { WeftError } from '../errors.js';

const JS = new Set(['.js', '.mjs', '.cjs']);
const TS = new Set(['.ts', '.mts', '.cts']);

export interface ImportedModule {
  namespace: Record<string, unknown>;
  /** `skill module 'x' (/abs/x)`: how messages name the file. */
  where: string;
}

/**
 * Imports a user module named in weft.config.yaml (skills, hooks): `.js`/`.mjs`/`.cjs` natively,
 * `.ts`/`.mts`/`.cts` through tsx, imported only then. Every failure is `invalid_config` naming the file.
 * @example const { namespace } = await importUserModule('skills/x.ts', { cwd, kind: 'skill module' });
 */
export async function importUserModule(
  path: string,
  options: { cwd: string; kind: string },
): Promise<ImportedModule> {
  const absolute = resolve(options.cwd, path);
  const where = `${options.kind} '${path}'${absolute === path ? '' : ` (${absolute})`}`;
  const extension = extname(absolute).toLowerCase();
  if (!JS.has(extension) && !TS.has(extension)) {
    throw new WeftError('invalid_config', `${where}: expected a .js, .mjs, .cjs, .ts, .mts or .cts file`);
  }
  const isFile = await stat(absolute).then(
    (info) => info.isFile(),
    () => false,
  );
  if (!isFile) throw new WeftError('invalid_config', `${where}: no such file`);
  try {
    const url = pathToFileURL(absolute).href;
    const namespace = TS.has(extension) ? await importTypeScript(url, options.kind) : await import(url);
    return { namespace: namespace as Record<string, unknown>, where };
  } catch (error) {
    if (error instanceof WeftError) throw error;
    throw new WeftError('invalid_config', `${where} failed to load: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

async function importTypeScript(url: string, kind: string): Promise<unknown> {
  let tsx: typeof import('tsx/esm/api');
  try {
    tsx = await import('tsx/esm/api');
  } catch (error) {
    throw new WeftError(
      'invalid_config',
      `loading TypeScript ${kind}s needs the 'tsx' package (npm install tsx)`,
      {
        cause: error,
      },
    );
  }
  return tsx.tsImport(url, { parentURL: import.meta.url });
}

/**
 * A TypeScript or CommonJS file outside a `"type": "module"` package arrives as CommonJS: its
 * `export default` is then `module.exports.default`, flagged `__esModule`.
 */
export function unwrapInterop(value: unknown): unknown {
  if (
    typeof value === 'object' &&
    value !== null &&
    (value as { __esModule?: unknown }).__esModule === true
  ) {
    return (value as { default?: unknown }).default;
  }
  return value;
}
