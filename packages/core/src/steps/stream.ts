import type { StepList } from '../engine/plan-types.js';
import { WeftError } from '../errors.js';
import { LOOP_BINDING, type Scope } from '../expr/index.js';
import { parseDuration } from '../util/duration.js';
import { linkedAbort } from './support/abort.js';
import { extendScope } from './support/scope.js';
import { StreamBuffer, type StreamUnit } from './support/stream-buffer.js';
import { nextOrStop, openSource, type StreamSource } from './support/stream-source.js';
import type { CompileContext, StepContext, StepType } from './types.js';

interface StreamStep {
  source: StreamSource;
  buffer: number;
  maxParallelism: number;
  batch: { size: number; windowMs: number | undefined } | undefined;
  as: string | undefined;
  body: StepList;
}

type Definition = Record<string, unknown>;

/** Saved on the step's record when batches close by time: their sizes, so a restart forms them again. */
interface Checkpoint {
  batches: number[];
}

function compileSource(source: Definition, ctx: CompileContext): StreamSource {
  if (source.skill !== undefined) {
    const inputs = source.inputs === undefined ? undefined : ctx.value(source.inputs, 'source.inputs');
    return { kind: 'skill', skill: String(source.skill), inputs };
  }
  return {
    kind: 'event',
    event: ctx.value(source.event, 'source.event'),
    match: source.match === undefined ? undefined : ctx.condition(source.match, 'source.match'),
    maxItems: source.max_items as number | undefined,
    idleMs: source.idle_timeout === undefined ? undefined : parseDuration(source.idle_timeout),
  };
}

/** The body's names for one unit: `loop.item`/`loop.index` and the alias, or `batch`. */
function unitScope(step: StreamStep, ctx: StepContext, unit: StreamUnit): Scope {
  const value = step.batch ? unit.items : unit.items[0];
  const binding: Scope = {
    steps: { ...(ctx.scope.steps as Scope) },
    [LOOP_BINDING]: { item: step.batch ? null : value, index: unit.index },
  };
  if (step.batch) binding.batch = value;
  if (step.as !== undefined) binding[step.as] = value;
  return extendScope(ctx.scope, binding);
}

/**
 * `type: stream` — processes the items of a source as they arrive: a skill that yields them, or
 * events. At most `buffer` items wait to be processed; past that the source is not read
 * (backpressure). Up to `max_parallelism` items (or `batch`es) run the body at once; its keys are
 * `<step key>[<n>].<body step id>`. A restarted stream reads its source again and replays the
 * items already done. The first failure stops the stream. Output: `{ count, results }`.
 */
export const streamStep: StepType<StreamStep> = {
  type: 'stream',
  composite: true,
  compile(definition, ctx) {
    const batch = definition.batch as { size: number; window?: string } | undefined;
    return {
      source: compileSource(definition.source as Definition, ctx),
      buffer: (definition.buffer as number | undefined) ?? 100,
      maxParallelism: (definition.max_parallelism as number | undefined) ?? 1,
      batch: batch && {
        size: batch.size,
        windowMs: batch.window === undefined ? undefined : parseDuration(batch.window),
      },
      as: definition.as as string | undefined,
      body: ctx.compileList(definition.steps as Definition[], `${ctx.path}.steps`),
    };
  },
  async execute(step, ctx) {
    const { batch, body, maxParallelism } = step.compiled;
    const stop = linkedAbort(ctx.signal);
    const sizes = [...((ctx.checkpoint as Checkpoint | undefined)?.batches ?? [])];
    const buffer = new StreamBuffer({
      capacity: Math.max(step.compiled.buffer, batch?.size ?? 1),
      batch,
      sizes,
      signal: stop.signal,
      onBatch:
        batch?.windowMs === undefined
          ? undefined
          : (index, size) => {
              sizes[index] = size;
              ctx.saveCheckpoint({ batches: [...sizes] } satisfies Checkpoint);
            },
    });
    const results: unknown[] = [];
    let count = 0;
    let failure: WeftError | undefined;
    const fail = (error: WeftError, why: string) => {
      if (failure || stop.signal.aborted) return;
      failure = error;
      stop.abort(new WeftError('cancelled', `step '${ctx.stepKey}': ${why}`));
    };

    const read = async () => {
      let items: AsyncIterator<unknown> | undefined;
      try {
        items = openSource(step.compiled.source, ctx, stop.signal);
        for (;;) {
          await buffer.room();
          if (stop.signal.aborted) break;
          const next = await nextOrStop(items, stop.signal);
          if (next.done) break;
          count++;
          buffer.push(next.value);
        }
      } catch (error) {
        fail(WeftError.from(error), 'its source failed');
      } finally {
        buffer.end();
        items?.return?.().catch(() => {});
      }
    };
    const work = async () => {
      for (let unit = await buffer.take(); unit; unit = await buffer.take()) {
        const keyPrefix = `${ctx.stepKey}[${unit.index}].`;
        const scope = unitScope(step.compiled, ctx, unit);
        const result = await ctx.runList(body, { keyPrefix, scope, signal: stop.signal });
        if (result.error) return fail(result.error, `item ${unit.index} failed`);
        results[unit.index] = result.lastOutput;
      }
    };

    try {
      await Promise.all([read(), ...Array.from({ length: maxParallelism }, work)]);
    } finally {
      buffer.dispose();
      stop.dispose();
    }
    if (failure) throw failure;
    if (ctx.signal.aborted) throw WeftError.from(ctx.signal.reason, 'cancelled');
    const output = { count, results: Array.from({ length: buffer.units }, (_, i) => results[i] ?? null) };
    return { output, meta: { count, units: buffer.units } };
  },
};
