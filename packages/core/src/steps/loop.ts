import type { PlanStep, StepList } from '../engine/plan-types.js';
import { WeftError } from '../errors.js';
import { type Evaluable, LOOP_BINDING, type Scope } from '../expr/index.js';
import { Iterations, type LoopOnError } from './support/iterations.js';
import { describeType, extendScope, within } from './support/scope.js';
import type { StepContext, StepType } from './types.js';

interface LoopStep {
  forEach: Evaluable | undefined;
  while: Evaluable<boolean> | undefined;
  until: Evaluable<boolean> | undefined;
  as: string | undefined;
  parallel: boolean;
  maxParallelism: number | undefined;
  maxIterations: number;
  onError: LoopOnError;
  body: StepList;
}

function tooMany(ctx: StepContext, max: number, what: string): WeftError {
  return new WeftError('max_iterations_exceeded', `step '${ctx.stepKey}': ${what} (max_iterations: ${max})`, {
    details: { max_iterations: max },
  });
}

/** The names a `while`/`until` condition sees: the last iteration's steps, `loop.index` = `index`. */
function conditionScope(ctx: StepContext, last: Scope | undefined, index: number): Scope {
  return extendScope(last ?? ctx.scope, { [LOOP_BINDING]: { item: null, index } });
}

async function forEach(step: PlanStep<LoopStep>, ctx: StepContext, run: Iterations): Promise<void> {
  const { forEach: collection, maxIterations, parallel, maxParallelism } = step.compiled;
  const items = ctx.evaluate(collection!);
  if (!Array.isArray(items)) {
    throw new WeftError(
      'expression_error',
      `step '${ctx.stepKey}': for_each must be a list, got ${describeType(items)}`,
    );
  }
  if (items.length > maxIterations) throw tooMany(ctx, maxIterations, `for_each gave ${items.length} items`);
  if (parallel) await run.parallel(items, maxParallelism);
  else for (const [index, item] of items.entries()) if (!(await run.next(index, item))) return;
}

/** `while` is checked before each iteration (it sees `loop.index` of the next one), `until` after. */
async function conditional(step: PlanStep<LoopStep>, ctx: StepContext, run: Iterations): Promise<void> {
  const { while: before, until: after, maxIterations } = step.compiled;
  for (let index = 0; ; index++) {
    if (before && !ctx.evaluate(within(before, conditionScope(ctx, run.last, index)))) return;
    if (index === maxIterations)
      throw tooMany(ctx, maxIterations, `while still held after ${index} iterations`);
    if (!(await run.next(index, null))) return;
    if (after && ctx.evaluate(within(after, conditionScope(ctx, run.last, index)))) return;
    if (after && index + 1 === maxIterations)
      throw tooMany(ctx, maxIterations, `until did not hold after ${index + 1} iterations`);
  }
}

/**
 * `type: loop` — `for_each` over a list (sequential or parallel), or `while` / `until` (always
 * sequential). Iteration keys are `<step key>[<index>].<body step id>`; inside the body,
 * `loop.item`, `loop.index` and the `as` alias are bound and `steps.<body step>` is the current
 * iteration's (in sequential mode, the previous iteration's until the step runs again).
 * Output: one entry per iteration, its last completed step's output, in iteration order.
 */
export const loopStep: StepType<LoopStep> = {
  type: 'loop',
  composite: true,
  compile(definition, ctx) {
    const has = (field: string) => definition[field] !== undefined;
    return {
      forEach: has('for_each') ? ctx.value(definition.for_each, 'for_each') : undefined,
      while: has('while') ? ctx.condition(definition.while, 'while') : undefined,
      until: has('until') ? ctx.condition(definition.until, 'until') : undefined,
      as: definition.as as string | undefined,
      parallel: definition.mode === 'parallel',
      maxParallelism: definition.max_parallelism as number | undefined,
      maxIterations: (definition.max_iterations as number | undefined) ?? 1000,
      onError: (definition.on_error as LoopOnError | undefined) ?? 'stop',
      body: ctx.compileList(definition.steps as Record<string, unknown>[], `${ctx.path}.steps`),
    };
  },
  async execute(step, ctx) {
    const { body, as, onError } = step.compiled;
    const run = new Iterations(ctx, { body, as, onError });
    try {
      await (step.compiled.forEach ? forEach(step, ctx, run) : conditional(step, ctx, run));
    } finally {
      run.dispose();
    }
    return { output: run.result() };
  },
};
