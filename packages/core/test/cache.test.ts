import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../src/engine/create-engine.js';
import type { WeftEngine } from '../src/engine/engine.js';
import { SimulatedClock } from '../src/engine/simulated-clock.js';
import type { EngineOptions } from '../src/engine/types.js';
import type { WeftError } from '../src/errors.js';
import { defineSkill } from '../src/skills/types.js';
import { tempDir } from './support/resilience.js';

let open: WeftEngine[] = [];
afterEach(async () => {
  await Promise.all(open.map((engine) => engine.close()));
  open = [];
});

/** An engine whose `quote` skill counts its calls. */
async function quoting(options: Partial<EngineOptions> = {}) {
  let calls = 0;
  const quote = defineSkill<{ sku: string; note?: string }>({
    name: 'quote',
    run: async ({ sku }) => ({ sku, call: ++calls }),
  });
  const engine = await createEngine({
    store: `sqlite:${join(tempDir('cache'), 'weft.db')}`,
    skills: [quote],
    ...options,
  });
  open.push(engine);
  const run = async (source: string, input: Record<string, unknown>, meta?: Record<string, unknown>) => {
    const handle = await engine.start({ source }, input, { meta });
    const result = await handle.result();
    const step = (await engine.getRun(handle.runId))!.steps.find((s) => s.stepId === 'q');
    return { ...result, meta: step?.meta ?? null };
  };
  return { engine, run, calls: () => calls };
}

const doc = (cache: string, name = 'prices') => `name: ${name}
steps:
  - id: q
    type: skill
    skill: quote
    inputs: "\${ inputs }"
    cache: ${cache}
`;

describe('step cache', () => {
  it('stores a miss, serves a hit without calling the skill, and records the hit', async () => {
    const { engine, run, calls } = await quoting();
    const hits: unknown[] = [];
    engine.on('step.cache_hit', (event) => hits.push(event.data));
    const first = await run(doc('{ ttl: 1h }'), { sku: 'a', note: 'x' });
    expect(first).toMatchObject({
      status: 'completed',
      output: { sku: 'a', call: 1 },
      meta: { cache: 'miss' },
    });
    const second = await run(doc('{ ttl: 1h }'), { sku: 'a', note: 'x' });
    expect(second).toMatchObject({
      status: 'completed',
      output: { sku: 'a', call: 1 },
      meta: { cache: 'hit' },
    });
    expect(second.meta?.cache_key).toMatch(/^workflow:prices:[0-9a-f]{32}$/);
    expect(hits).toEqual([{ stepId: 'q', type: 'skill', key: second.meta?.cache_key }]);
    expect((await engine.getEvents(second.runId)).map((e) => e.type)).toContain('step.cache_hit');
    // Other inputs, other default key.
    expect((await run(doc('{ ttl: 1h }'), { sku: 'a', note: 'y' })).output).toEqual({ sku: 'a', call: 2 });
    expect(calls()).toBe(2);
  });

  it('expires entries after ttl (fake clock)', async () => {
    const clock = new SimulatedClock(Date.now());
    const { run, calls } = await quoting({ clock });
    await run(doc('{ ttl: 1h }'), { sku: 'a' });
    clock.increment(3_599_000);
    expect((await run(doc('{ ttl: 1h }'), { sku: 'a' })).meta).toMatchObject({ cache: 'hit' });
    clock.increment(1_000);
    expect((await run(doc('{ ttl: 1h }'), { sku: 'a' })).meta).toMatchObject({ cache: 'miss' });
    expect(calls()).toBe(2);
  });

  it('keeps workflow scope to one workflow, shares global scope across workflows', async () => {
    const { run, calls } = await quoting();
    await run(doc('{ scope: workflow }', 'one'), { sku: 'a' });
    expect((await run(doc('{ scope: workflow }', 'two'), { sku: 'a' })).meta).toMatchObject({
      cache: 'miss',
    });
    await run(doc('{ scope: global }', 'one'), { sku: 'b' });
    const shared = await run(doc('{ scope: global }', 'two'), { sku: 'b' });
    expect(shared.meta).toMatchObject({ cache: 'hit', cache_key: expect.stringMatching(/^global:/) });
    expect(calls()).toBe(3);
  });

  it('keys scope user by the run meta user, and refuses a run without one', async () => {
    const { engine, run, calls } = await quoting();
    await run(doc('{ scope: user }'), { sku: 'a' }, { user: 'ada' });
    expect((await run(doc('{ scope: user }'), { sku: 'a' }, { user: 'ada' })).meta).toMatchObject({
      cache: 'hit',
      cache_key: expect.stringMatching(/^user:ada:/),
    });
    expect((await run(doc('{ scope: user }'), { sku: 'a' }, { user: 'bob' })).meta).toMatchObject({
      cache: 'miss',
    });
    expect(calls()).toBe(2);
    const before = (await engine.listRuns()).length;
    const error = (await engine
      .start({ source: doc('{ scope: user }') }, { sku: 'a' })
      .catch((e: unknown) => e)) as WeftError;
    expect(error.code).toBe('invalid_input');
    expect(error.message).toBe(
      "workflow 'prices': steps[0].cache.scope is user, so a run needs a user: start it with meta { user: '<id>' }",
    );
    expect((await engine.listRuns()).length).toBe(before);
  });

  it('uses the cache only when `when` holds, and a key expression when given', async () => {
    const { engine, run, calls } = await quoting();
    const cache =
      '{ key: "sku-${ inputs.sku }", when: "${ !has(inputs.note) || inputs.note != \'fresh\' }" }';
    await run(doc(cache), { sku: 'a', note: 'fresh' });
    expect(await engine.cache.list()).toEqual([]);
    await run(doc(cache), { sku: 'a', note: 'one' });
    expect((await run(doc(cache), { sku: 'a', note: 'two' })).meta).toMatchObject({
      cache: 'hit',
      cache_key: 'workflow:prices:sku-a',
    });
    expect((await run(doc(cache), { sku: 'a', note: 'fresh' })).meta?.cache).toBeUndefined();
    expect(calls()).toBe(3);
  });

  it('lists and clears entries by key prefix', async () => {
    const { engine, run } = await quoting();
    await run(doc('{ key: "${ inputs.sku }" }', 'one'), { sku: 'a' });
    await run(doc('{ key: "${ inputs.sku }" }', 'one'), { sku: 'b' });
    await run(doc('{ key: "${ inputs.sku }" }', 'two'), { sku: 'a' });
    expect((await engine.cache.list('workflow:one:')).map((e) => [e.key, e.value])).toEqual([
      ['workflow:one:a', { sku: 'a', call: 1 }],
      ['workflow:one:b', { sku: 'b', call: 2 }],
    ]);
    expect(await engine.cache.clear('workflow:one:')).toBe(2);
    expect((await engine.cache.list()).map((e) => e.key)).toEqual(['workflow:two:a']);
  });
});
