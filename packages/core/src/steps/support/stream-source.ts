import { WeftError } from '../../errors.js';
import type { Evaluable } from '../../expr/index.js';
import type { CloudEvent, StepContext } from '../types.js';
import { extendScope, within } from './scope.js';

/** A stream's `source`: a skill that yields items, or events from the run's inbox. */
export type StreamSource =
  | { kind: 'skill'; skill: string; inputs: Evaluable | undefined }
  | {
      kind: 'event';
      event: Evaluable;
      match: Evaluable<boolean> | undefined;
      maxItems: number | undefined;
      idleMs: number | undefined;
    };

/**
 * The items of a source, pulled one at a time; `signal` stops it. A skill source is re-read from
 * its start on resume. An event source takes one event per item through a durable wait keyed
 * `<stream key>[<n>]`: on resume, the events already taken come back from those waits, in order,
 * and the source goes on after them. `idle_timeout` without an event, or `max_items`, ends it.
 */
export function openSource(
  source: StreamSource,
  ctx: StepContext,
  signal: AbortSignal,
): AsyncIterator<unknown> {
  if (source.kind === 'event') return events(source, ctx, signal);
  const input = source.inputs ? ctx.evaluate(source.inputs) : {};
  ctx.recordInput(input);
  return ctx.iterateSkill(source.skill, input, signal)[Symbol.asyncIterator]();
}

async function* events(
  source: Extract<StreamSource, { kind: 'event' }>,
  ctx: StepContext,
  signal: AbortSignal,
): AsyncGenerator<unknown, void, undefined> {
  const eventType = String(ctx.evaluate(source.event));
  const { match, maxItems, idleMs } = source;
  for (let n = 0; maxItems === undefined || n < maxItems; n++) {
    const outcome = await ctx.wait({
      kind: 'event',
      key: `${ctx.stepKey}[${n}]`,
      reason: `waiting for event '${eventType}' (item ${n})`,
      eventType,
      until: idleMs === undefined ? undefined : Date.now() + idleMs,
      match: match && ((event: CloudEvent) => ctx.evaluate(within(match, extendScope(ctx.scope, { event })))),
      signal,
    });
    if (outcome.kind !== 'event') return; // idle for idle_timeout: the source has ended
    yield outcome.event.data;
  }
}

/** The iterator's next result, or the stop reason as soon as `signal` fires (a source may ignore it). */
export function nextOrStop<T>(items: AsyncIterator<T>, signal: AbortSignal): Promise<IteratorResult<T>> {
  if (signal.aborted) return Promise.reject(stopped(signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(stopped(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    items.next().then(
      (result) => {
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function stopped(signal: AbortSignal): WeftError {
  return WeftError.from(signal.reason, 'cancelled');
}
