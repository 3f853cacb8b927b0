import { WeftError } from '../errors.js';
import type { Evaluable } from '../expr/index.js';
import { formatDuration, parseDuration } from '../util/duration.js';
import type { StepType } from './types.js';

interface ApprovalStep {
  prompt: Evaluable;
  form: Record<string, unknown> | undefined;
  timeoutMs: number | undefined;
  onTimeout: 'reject' | 'approve' | 'fail';
}

/**
 * `type: approval` — waits for a person (`weft approve`, `engine.approve`). Output:
 * `{ approved, by, comment, data, at, timed_out }`; `on_timeout` decides when nobody answers.
 */
export const approvalStep: StepType<ApprovalStep> = {
  type: 'approval',
  ownsTimeout: true,
  compile(definition, ctx) {
    const onTimeout = definition.on_timeout;
    return {
      prompt: ctx.value(definition.prompt ?? `Approve step '${String(definition.id)}'?`, 'prompt'),
      form: definition.form as Record<string, unknown> | undefined,
      timeoutMs: definition.timeout === undefined ? undefined : parseDuration(definition.timeout),
      onTimeout: onTimeout === 'approve' || onTimeout === 'fail' ? onTimeout : 'reject',
    };
  },
  async execute(step, ctx) {
    const { form, timeoutMs, onTimeout } = step.compiled;
    const prompt = String(ctx.evaluate(step.compiled.prompt));
    const outcome = await ctx.wait({
      kind: 'approval',
      reason: `waiting for approval: ${prompt}`,
      until: timeoutMs === undefined ? undefined : Date.now() + timeoutMs,
      approval: form === undefined ? { prompt } : { prompt, form },
    });
    if (outcome.kind === 'approval') {
      const { approved, by, comment, data, at } = outcome;
      return { output: { approved, by, comment, data, at: new Date(at).toISOString(), timed_out: false } };
    }
    const waited = formatDuration(timeoutMs ?? 0);
    if (onTimeout === 'fail') {
      throw new WeftError(
        'timeout',
        `step '${ctx.stepKey}': nobody decided on the approval within ${waited}`,
      );
    }
    const at = new Date().toISOString();
    const comment = `no decision within ${waited}: ${onTimeout === 'approve' ? 'approved' : 'rejected'} by on_timeout`;
    return {
      output: { approved: onTimeout === 'approve', by: null, comment, data: null, at, timed_out: true },
    };
  },
};
