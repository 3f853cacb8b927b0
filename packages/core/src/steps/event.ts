import { WeftError } from '../errors.js';
import type { Evaluable } from '../expr/index.js';
import { formatDuration, parseDuration } from '../util/duration.js';
import type { CloudEvent, StepType } from './types.js';

interface EventStep {
  event: Evaluable;
  match: Evaluable<boolean> | undefined;
  timeoutMs: number | undefined;
  onTimeout: 'fail' | 'continue';
}

/**
 * `type: event` — waits for an external CloudEvent of a type (optionally one that `match`es, with
 * `${ event }` in scope); output: the event's `data`. The wait's token is in the step's meta.
 */
export const eventStep: StepType<EventStep> = {
  type: 'event',
  ownsTimeout: true,
  compile(definition, ctx) {
    return {
      event: ctx.value(definition.event, 'event'),
      match: definition.match === undefined ? undefined : ctx.condition(definition.match, 'match'),
      timeoutMs: definition.timeout === undefined ? undefined : parseDuration(definition.timeout),
      onTimeout: definition.on_timeout === 'continue' ? 'continue' : 'fail',
    };
  },
  async execute(step, ctx) {
    const { match, timeoutMs, onTimeout } = step.compiled;
    const eventType = String(ctx.evaluate(step.compiled.event));
    let token: string | undefined;
    const outcome = await ctx.wait({
      kind: 'event',
      reason: `waiting for event '${eventType}'`,
      eventType,
      until: timeoutMs === undefined ? undefined : Date.now() + timeoutMs,
      match: match && ((event: CloudEvent) => matches(match, event, ctx.scope, ctx.stepKey)),
      onWaiting: (info) => {
        token = info.token;
      },
    });
    if (outcome.kind === 'event') {
      const { id, type, source, time } = outcome.event;
      return { output: outcome.event.data, meta: { token, event: { id, type, source, time } } };
    }
    if (onTimeout === 'continue') return { output: null, meta: { token, timed_out: true } };
    throw new WeftError(
      'event_timeout',
      `step '${ctx.stepKey}': no '${eventType}' event arrived within ${formatDuration(timeoutMs ?? 0)}`,
    );
  },
};

function matches(
  match: Evaluable<boolean>,
  event: CloudEvent,
  scope: Record<string, unknown>,
  stepKey: string,
) {
  try {
    return match.evaluate({ ...scope, event });
  } catch (error) {
    const failure = WeftError.from(error, 'expression_error');
    throw new WeftError(failure.code, `step '${stepKey}': match, for event ${event.id}: ${failure.message}`, {
      details: failure.details,
      cause: error,
    });
  }
}
