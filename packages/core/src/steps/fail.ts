import { WeftError } from '../errors.js';
import type { Evaluable } from '../expr/index.js';
import type { StepType } from './types.js';

/** `type: fail` — end the step with an error of the given code and message. */
export const failStep: StepType<{ code: Evaluable; message: Evaluable }> = {
  type: 'fail',
  compile(definition, ctx) {
    return {
      code: ctx.value(definition.code ?? 'failed', 'code'),
      message: ctx.value(definition.message ?? 'the workflow failed this step on purpose', 'message'),
    };
  },
  async execute(step, ctx) {
    const code = String(ctx.evaluate(step.compiled.code));
    const message = String(ctx.evaluate(step.compiled.message));
    throw new WeftError(code, message);
  },
};
