import type { Evaluable } from '../expr/index.js';
import type { StepType } from './types.js';

interface SkillStep {
  skill: string;
  inputs: Evaluable;
}

/** `type: skill` — run a named skill with its inputs. */
export const skillStep: StepType<SkillStep> = {
  type: 'skill',
  attempts: true,
  compile(definition, ctx) {
    const skill = String(definition.skill);
    ctx.skills.require(skill);
    return { skill, inputs: ctx.value(definition.inputs ?? {}, 'inputs') };
  },
  async execute(step, ctx) {
    const input = ctx.evaluate(step.compiled.inputs);
    ctx.recordInput(input);
    return { output: await ctx.runSkill(step.compiled.skill, input) };
  },
};
