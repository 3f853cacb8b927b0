import { invokeSkill } from '../skills/invoke.js';
import { iterateSkill } from '../skills/iterate.js';
import type { SkillRegistry } from '../skills/registry.js';
import type { SkillContext } from '../skills/types.js';

/** Runs skills by name for the steps of every run. */
export class SkillInvoker {
  constructor(private readonly skills: SkillRegistry) {}

  invoke(name: string, input: unknown, ctx: SkillContext): Promise<unknown> {
    return invokeSkill(this.skills.require(name), input, ctx);
  }

  /** The items a skill yields (a `stream` source). */
  iterate(name: string, input: unknown, ctx: SkillContext): AsyncIterable<unknown> {
    return iterateSkill(this.skills.require(name), input, ctx);
  }
}
