import { WeftError } from '../errors.js';
import { importUserModule, unwrapInterop } from '../util/import-module.js';
import { isSkillLike, skillProblem } from './skill-shape.js';
import type { AnySkill } from './types.js';

export interface LoadSkillModulesOptions {
  /** Directory the paths are relative to. */
  cwd: string;
}

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
  const { namespace, where } = await importUserModule(path, { cwd, kind: 'skill module' });
  return skillsOf(namespace, where);
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
