import type { AnySkill } from './types.js';

export const SKILL_NAME = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/;

/** True for anything that looks like a skill (a `name` and a `run` function). */
export function isSkillLike(value: unknown): value is AnySkill {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { name?: unknown }).name === 'string' &&
    typeof (value as { run?: unknown }).run === 'function'
  );
}

/** What is wrong with a skill definition, or undefined when it is fine. */
export function skillProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return `expected a skill object, got ${describe(value)}`;
  const skill = value as Record<string, unknown>;
  if (typeof skill.name !== 'string')
    return `expected a skill with a string 'name', got ${describe(skill.name)}`;
  if (!SKILL_NAME.test(skill.name)) {
    return `skill name '${skill.name}' is invalid: expected lower-case words joined by dots, such as 'shell' or 'acme.send_invoice'`;
  }
  if (typeof skill.run !== 'function') return `skill '${skill.name}' has no 'run' function`;
  for (const key of ['input', 'output'] as const) {
    const schema = skill[key];
    if (schema !== undefined && (typeof schema !== 'object' || schema === null || Array.isArray(schema))) {
      return `skill '${skill.name}': '${key}' must be a JSON Schema object or a Standard Schema, got ${describe(schema)}`;
    }
  }
  if (skill.iterate !== undefined && typeof skill.iterate !== 'function') {
    return `skill '${skill.name}': 'iterate' must be a function`;
  }
  return undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `the string '${value}'` : typeof value;
}
