import type { PlanStep } from '../../engine/plan-types.js';
import type { WeftError } from '../../errors.js';
import type { StepContext } from '../types.js';

/** How one child step ended, as its record says. */
export interface ChildOutcome {
  status: string;
  output: unknown;
  error: WeftError | undefined;
}

/**
 * Runs one child step as its own one-step list (key `<keyPrefix><id>`) and reads how it ended
 * from the scope, where the engine publishes `steps.<id>`.
 */
export async function runChild(
  ctx: Pick<StepContext, 'runList' | 'scope'>,
  child: PlanStep,
  options: { keyPrefix: string; signal: AbortSignal },
): Promise<ChildOutcome> {
  const result = await ctx.runList({ steps: [child], graph: false }, options);
  const entry = (ctx.scope.steps as Record<string, { status?: string } | undefined>)[child.id];
  return { status: entry?.status ?? 'pending', output: result.lastOutput, error: result.error };
}
