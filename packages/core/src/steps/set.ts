import type { Evaluable } from '../expr/index.js';
import type { StepType } from './types.js';

/** `type: set` — write run variables, read back as `${ vars.<name> }`. The last writer wins. */
export const setStep: StepType<{ values: Evaluable }> = {
  type: 'set',
  compile(definition, ctx) {
    return { values: ctx.value(definition.values ?? {}, 'values') };
  },
  async execute(step, ctx) {
    const values = ctx.evaluate(step.compiled.values) as Record<string, unknown>;
    ctx.setVars(values);
    return { output: values };
  },
  replay(_step, output, ctx) {
    if (output && typeof output === 'object') ctx.setVars(output as Record<string, unknown>);
  },
};
