import type { StepList } from '../engine/plan-types.js';
import type { Evaluable } from '../expr/index.js';
import { runBranch } from './support/branch.js';
import type { StepType } from './types.js';

type Definition = Record<string, unknown>;

interface SwitchStep {
  cases: { when: Evaluable<boolean>; steps: StepList }[];
  default: StepList | undefined;
}

/**
 * `type: switch` — runs the first case whose `when` holds, else `default`. Output as conditional;
 * `${ steps.<id>.branch }` is the case index (0-based), `default`, or `none`.
 */
export const switchStep: StepType<SwitchStep> = {
  type: 'switch',
  composite: true,
  compile(definition, ctx) {
    const cases = (definition.cases as Definition[]).map((entry, index) => ({
      when: ctx.condition(entry.when, `cases[${index}].when`),
      steps: ctx.compileList(entry.steps as Definition[], `${ctx.path}.cases[${index}].steps`),
    }));
    const fallback = Array.isArray(definition.default)
      ? ctx.compileList(definition.default as Definition[], `${ctx.path}.default`)
      : undefined;
    return { cases, default: fallback };
  },
  execute(step, ctx) {
    const { cases, default: fallback } = step.compiled;
    const index = cases.findIndex((entry) => ctx.evaluate(entry.when));
    const taken = cases[index];
    if (taken) return runBranch(ctx, taken.steps, index);
    return runBranch(ctx, fallback, fallback ? 'default' : 'none');
  },
};
