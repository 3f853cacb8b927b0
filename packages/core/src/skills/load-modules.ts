import { stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { WeftError } from '../errors.js';
import { isSkillLike, skillProblem } from './skill-shape.js';
import type { AnySkill } from './types.js';

export interface LoadSkillModulesOptions {
  /** Directory the paths are relative to. */
  cwd: string;
}

const JS = new Set(['.js', '.mjs', '.cjs']);
const TS = new Set(['.ts', '.mts', '.cts']);

/**
 * Loads skills from module files: a default export (a skill or an array of skills) and/or named
 * exports that are skills. `.ts` files are loaded through tsx, imported only when one is listed.
 * @example const skills = await loadSkillModules(['skills/invoice.ts'], { cwd: process.cwd() });
 */
export async function loadSkillModules(
  paths: string[],
  options: LoadSkillModulesOptions,
): Promise<AnySkill[]> {
  const skills: AnySkill[] = [];
  const origin = new Map<string, string>();
  for (const path of paths) {
    for (const skill of await loadSkillModule(path, options.cwd)) {
      const earlier = origin.get(skill.name);
      if (earlier !== undefined) {
        throw new WeftError(
          'invalid_config',
          `skill '${skill.name}' is defined twice: in '${earlier}' and in '${path}'`,
        );
      }
      origin.set(skill.name, path);
      skills.push(skill);
    }
  }
  return skills;
}

async function loadSkillModule(path: string, cwd: string): Promise<AnySkill[]> {
  const absolute = resolve(cwd, path);
  const where = `skill module '${path}'${absolute === path ? '' : ` (${absolute})`}`;
  const extension = extname(absolute).toLowerCase();
  if (!JS.has(extension) && !TS.has(extension)) {
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
    namespace = TS.has(extension) ? await importTypeScript(url) : await import(url);
  } catch (error) {
    if (error instanceof WeftError) throw error;
    throw new WeftError('invalid_config', `${where} failed to load: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return skillsOf(namespace, where);
}

async function importTypeScript(url: string): Promise<Record<string, unknown>> {
  let tsx: typeof import('tsx/esm/api');
  try {
    tsx = await import('tsx/esm/api');
  } catch (error) {
    throw new WeftError(
      'invalid_config',
      "loading TypeScript skill modules needs the 'tsx' package (npm install tsx)",
      {
        cause: error,
      },
    );
  }
  return (await tsx.tsImport(url, { parentURL: import.meta.url })) as Record<string, unknown>;
}

function skillsOf(namespace: Record<string, unknown>, where: string): AnySkill[] {
  const found = new Set<AnySkill>();
  const fallback = unwrapInterop(namespace.default);
  if (Array.isArray(fallback)) {
    for (const [index, item] of fallback.entries())
      found.add(checked(item, `${where}: default export [${index}]`));
  } else if (isSkillLike(fallback)) {
    found.add(checked(fallback, `${where}: default export`));
  }
  for (const [name, value] of Object.entries(namespace)) {
    if (name !== 'default' && isSkillLike(value)) found.add(checked(value, `${where}: export '${name}'`));
  }
  if (found.size === 0) {
    throw new WeftError(
      'invalid_config',
      `${where} exports no skill: expected \`export default defineSkill({...})\`, a default array of skills, or named skill exports`,
    );
  }
  return [...found];
}

function checked(value: unknown, where: string): AnySkill {
  const problem = skillProblem(value);
  if (problem !== undefined) throw new WeftError('invalid_config', `${where}: ${problem}`);
  return value as AnySkill;
}

// A TypeScript or CommonJS file outside a `"type": "module"` package arrives as CommonJS: its
// `export default` is then `module.exports.default`, flagged `__esModule`.
function unwrapInterop(value: unknown): unknown {
  if (
    typeof value === 'object' &&
    value !== null &&
    (value as { __esModule?: unknown }).__esModule === true
  ) {
    return (value as { default?: unknown }).default;
  }
  return value;
}
