import { WeftError } from '../errors.js';
import { abortError } from './support/abort.js';
import type { AnySkill, SkillContext } from './types.js';
import { createInputValidator, createOutputValidator } from './validate-input.js';

/**
 * Validates the input, runs the skill, validates the output. Whatever it throws comes out as a
 * WeftError (`skill_error` unless the skill chose a code; the abort reason when the signal fired).
 * @example const output = await invokeSkill(registry.require('shell'), { command: 'ls' }, ctx);
 */
export async function invokeSkill(skill: AnySkill, input: unknown, ctx: SkillContext): Promise<unknown> {
  const validateInput = createInputValidator(skill);
  const checkedInput = validateInput === undefined ? input : await validateInput(input);
  let output: unknown;
  try {
    output = await skill.run(checkedInput, ctx);
  } catch (error) {
    if (error instanceof WeftError) throw error;
    throw ctx.signal.aborted ? abortError(ctx.signal) : WeftError.from(error);
  }
  const validateOutput = createOutputValidator(skill);
  return validateOutput === undefined ? output : validateOutput(output);
}
