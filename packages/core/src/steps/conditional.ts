import type { StepList } from '../engine/plan-types.js';
import type { Evaluable } from '../expr/index.js';
import { runBranch } from './support/branch.js';
import type { StepType } from './types.js';

type Definition = Record<string, unknown>;

interface ConditionalStep {
  condition: Evaluable<boolean>;
  /** Not `then`: an object with a `then` would pass for a promise. */
  whenTrue: StepList;
  whenFalse: StepList | undefined;
}

/**
 * `type: conditional` — if/else. Output: the last completed step of the branch taken;
 * `${ steps.<id>.branch }` is `then`, `else`, or `none` (false and no `else`).
 */
export const conditionalStep: StepType<ConditionalStep> = {
  type: 'conditional',
  composite: true,
  compile(definition, ctx) {
    return {
      condition: ctx.condition(definition.condition, 'condition'),
      whenTrue: ctx.compileList(definition.then as Definition[], `${ctx.path}.then`),
      whenFalse: Array.isArray(definition.else)
        ? ctx.compileList(definition.else as Definition[], `${ctx.path}.else`)
        : undefined,
    };
  },
  execute(step, ctx) {
    const { condition, whenTrue, whenFalse } = step.compiled;
    if (ctx.evaluate(condition)) return runBranch(ctx, whenTrue, 'then');
    return runBranch(ctx, whenFalse, whenFalse ? 'else' : 'none');
  },
};
