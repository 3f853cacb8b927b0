import { WeftError } from '../errors.js';
import { didYouMean } from '../util/did-you-mean.js';
import { skillProblem } from './skill-shape.js';
import type { AnySkill } from './types.js';

/**
 * The skills an engine can call, by name.
 * @example
 * const skills = new SkillRegistry(builtinSkills).register(mySkill);
 * skills.require('shell').run(input, ctx);
 */
export class SkillRegistry implements Iterable<AnySkill> {
  private readonly skills = new Map<string, AnySkill>();

  constructor(skills: Iterable<AnySkill> = []) {
    for (const skill of skills) this.register(skill);
  }

  /** Adds a skill; an invalid definition or a name already taken throws `invalid_config`. */
  register(skill: AnySkill): this {
    const problem = skillProblem(skill);
    if (problem !== undefined) throw new WeftError('invalid_config', problem);
    if (this.skills.has(skill.name)) {
      throw new WeftError(
        'invalid_config',
        `skill '${skill.name}' is already registered; skill names must be unique`,
      );
    }
    this.skills.set(skill.name, skill);
    return this;
  }

  get(name: string): AnySkill | undefined {
    return this.skills.get(name);
  }

  /** The skill, or `not_found` with the closest name when it is probably a typo. */
  require(name: string): AnySkill {
    const skill = this.skills.get(name);
    if (skill !== undefined) return skill;
    throw new WeftError('not_found', `unknown skill '${name}'${didYouMean(name, this.skills.keys())}`, {
      details: { skill: name },
    });
  }

  has(name: string): boolean {
    return this.skills.has(name);
  }

  names(): ReadonlySet<string> {
    return new Set(this.skills.keys());
  }

  [Symbol.iterator](): Iterator<AnySkill> {
    return this.skills.values();
  }
}
