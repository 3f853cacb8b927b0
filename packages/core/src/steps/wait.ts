import { WeftError } from '../errors.js';
import type { Evaluable } from '../expr/index.js';
import { parseDuration } from '../util/duration.js';
import type { StepType } from './types.js';

interface WaitStep {
  durationMs: number | undefined;
  until: Evaluable | undefined;
}

/** `type: wait` — a durable timer: `duration: 10m` or `until: <timestamp>`; it survives restarts. */
export const waitStep: StepType<WaitStep> = {
  type: 'wait',
  compile(definition, ctx) {
    if ((definition.duration === undefined) === (definition.until === undefined)) {
      throw new WeftError(
        'invalid_document',
        `${ctx.path}: a wait step needs either duration or until (exactly one)`,
      );
    }
    return {
      durationMs: definition.duration === undefined ? undefined : parseDuration(definition.duration),
      until: definition.until === undefined ? undefined : ctx.value(definition.until, 'until'),
    };
  },
  async execute(step, ctx) {
    const { durationMs, until } = step.compiled;
    const at = until ? timestamp(ctx.evaluate(until), ctx.stepKey) : Date.now() + (durationMs ?? 0);
    await ctx.wait({ kind: 'timer', reason: `waiting until ${new Date(at).toISOString()}`, until: at });
    return { output: null };
  },
};

/** A moment from `until`: RFC 3339 / ISO 8601 text, or ms since the epoch. */
function timestamp(value: unknown, stepKey: string): number {
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new WeftError(
      'invalid_input',
      `step '${stepKey}': until must be a timestamp such as '2026-01-01T09:00:00Z' (or ms since the epoch), got ${JSON.stringify(value)}`,
    );
  }
  return ms;
}
