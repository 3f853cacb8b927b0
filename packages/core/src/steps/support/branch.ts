import type { StepList } from '../../engine/plan-types.js';
import type { StepContext, StepResult } from '../types.js';

/**
 * Runs the branch a conditional or switch took (keys `<step key>.<child id>`); its output is the
 * output of the branch's last completed step, and `branch` is published as `steps.<id>.branch`.
 */
export async function runBranch(
  ctx: StepContext,
  list: StepList | undefined,
  branch: string | number,
): Promise<StepResult> {
  if (!list) return { output: null, meta: { branch: 'none' } };
  const result = await ctx.runList(list, { keyPrefix: `${ctx.stepKey}.` });
  if (result.error) throw result.error;
  return { output: result.lastOutput, meta: { branch } };
}
