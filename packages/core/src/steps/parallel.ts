import type { PlanStep } from '../engine/plan-types.js';
import { WeftError } from '../errors.js';
import { linkedAbort } from './support/abort.js';
import { runChild } from './support/children.js';
import { eachLimited } from './support/limit.js';
import type { ReplayContext, StepType } from './types.js';

type WaitFor = 'all' | 'any' | 'none';

interface ParallelStep {
  waitFor: WaitFor;
  maxParallelism: number | undefined;
  children: PlanStep[];
}

interface Settled {
  output: Record<string, unknown>;
  error: WeftError | undefined;
}

type Runner = Pick<ReplayContext, 'runList' | 'scope' | 'stepKey'>;

/**
 * Runs every child (key `<step key>.<child id>`), at most `maxParallelism` at once. With `any`, the
 * first success cancels the others. Resolves once every child has settled; `error` is the first
 * failure for `all`, and for `any` only when no child completed.
 */
async function runChildren(step: PlanStep<ParallelStep>, ctx: Runner, signal: AbortSignal): Promise<Settled> {
  const { children, maxParallelism, waitFor } = step.compiled;
  const scope = linkedAbort(signal);
  const completed = new Map<string, unknown>();
  let firstError: WeftError | undefined;
  await eachLimited(children.length, maxParallelism, async (index) => {
    const child = children[index]!;
    const outcome = await runChild(ctx, child, { keyPrefix: `${ctx.stepKey}.`, signal: scope.signal });
    if (outcome.status === 'completed') {
      completed.set(child.id, outcome.output);
      if (waitFor === 'any') {
        const reason = `step '${ctx.stepKey}': child '${child.id}' completed first (wait_for: any)`;
        scope.abort(new WeftError('cancelled', reason));
      }
    } else if (outcome.error) firstError ??= outcome.error;
  });
  scope.dispose();
  // Document order, whatever the order of completion: the same output after a resume.
  const output: Record<string, unknown> = {};
  for (const child of children) if (completed.has(child.id)) output[child.id] = completed.get(child.id);
  const failed = waitFor === 'any' ? completed.size === 0 && firstError : firstError;
  return { output, error: failed || undefined };
}

/** `wait_for: none`: the children outlive the step; the run waits for them and fails with theirs. */
function runInBackground(
  step: PlanStep<ParallelStep>,
  ctx: Runner & Pick<ReplayContext, 'background'>,
): void {
  ctx.background(async (signal) => {
    const { error } = await runChildren(step, ctx, signal);
    if (error) throw error;
  });
}

/**
 * `type: parallel` — run the children at once. `wait_for`: `all` (default; the step fails after
 * every child has settled, with the first failure), `any` (first success wins, the rest are
 * cancelled), `none` (completes at once with `{}`; the run ends only after the children).
 * Output: `{ <child id>: <output> }` for the children that completed.
 */
export const parallelStep: StepType<ParallelStep> = {
  type: 'parallel',
  composite: true,
  compile(definition, ctx) {
    const list = ctx.compileList(definition.steps as Record<string, unknown>[], `${ctx.path}.steps`);
    return {
      waitFor: (definition.wait_for as WaitFor | undefined) ?? 'all',
      maxParallelism: definition.max_parallelism as number | undefined,
      children: list.steps,
    };
  },
  async execute(step, ctx) {
    if (step.compiled.waitFor === 'none') {
      runInBackground(step, ctx);
      return { output: {} };
    }
    const { output, error } = await runChildren(step, ctx, ctx.signal);
    if (error) throw error;
    return { output };
  },
  replay(step, _output, ctx) {
    // Children still running when the process stopped are run again (finished ones replay).
    if (step.compiled.waitFor === 'none') runInBackground(step, ctx);
  },
};
