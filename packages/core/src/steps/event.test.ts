import { describe, expect, it } from 'vitest';
import { eventually, useStepEngines } from '../../test/support/step-engine.js';
import type { WeftEngine } from '../engine/engine.js';

const engines = useStepEngines();
const setup = async () => (await engines()).engine;

const eventDoc = (fields = '', before = '') => `name: pay
steps:
${before}  - id: paid
    type: event
    event: payment.received
${fields}`;

async function waiting(engine: WeftEngine, runId: string, stepKey = 'paid') {
  await eventually(async () => (await engine.store.getWait(runId, stepKey))?.status === 'open');
}

describe('event', () => {
  it('takes an event sent by type to the step waiting for it; its data is the output', async () => {
    const engine = await setup();
    const handle = await engine.start({ source: eventDoc() });
    await waiting(engine, handle.runId);
    const sent = await engine.sendEvent({
      type: 'payment.received',
      data: { order_id: 'A-1' },
      subject: 'x',
    });
    expect(sent).toEqual({ id: expect.any(String), delivered: 1 });
    expect(await handle.result()).toMatchObject({ status: 'completed', output: { order_id: 'A-1' } });
    const step = (await engine.getRun(handle.runId))?.steps.find((s) => s.stepKey === 'paid');
    expect(step?.meta).toMatchObject({ token: expect.any(String), event: { id: sent.id, source: 'weft' } });
  });

  it('keeps an event sent to the run before the step waits, until the step takes it', async () => {
    const engine = await setup();
    const before = '  - { id: nap, type: wait, duration: 100ms }\n';
    const handle = await engine.start({ source: eventDoc('    timeout: 5s\n', before) });
    const sent = await engine.sendEvent(
      { type: 'payment.received', data: 7, id: 'evt-1', source: 'bank' },
      { runId: handle.runId },
    );
    expect(sent).toEqual({ id: 'evt-1', delivered: 1 });
    expect(await handle.result()).toMatchObject({ status: 'completed', output: 7 });
  });

  it('does not keep an event sent by type when nobody waits for it', async () => {
    const engine = await setup();
    const before = '  - { id: nap, type: wait, duration: 100ms }\n';
    const handle = await engine.start({
      source: eventDoc('    timeout: 300ms\n    on_timeout: continue\n', before),
    });
    expect(await engine.sendEvent({ type: 'payment.received', data: 1 })).toMatchObject({ delivered: 0 });
    expect(await handle.result()).toMatchObject({ status: 'completed', output: null });
  });

  it('takes only an event that matches; one that does not stays for the run', async () => {
    const engine = await setup();
    const match = '    match: ${ event.data.order_id == inputs.order_id }\n';
    const handle = await engine.start({ source: eventDoc(match) }, { order_id: 'A-1' });
    await waiting(engine, handle.runId);
    const { runId } = handle;
    await engine.sendEvent({ type: 'payment.received', data: { order_id: 'B-2' } }, { runId });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await engine.store.getWait(runId, 'paid'))?.status).toBe('open');
    await engine.sendEvent({ type: 'payment.received', data: { order_id: 'A-1', n: 2 } }, { runId });
    expect(await handle.result()).toMatchObject({ status: 'completed', output: { order_id: 'A-1', n: 2 } });
    const left = await engine.store.listInbox({ runIds: [runId] });
    expect(left.map((row) => row.event.data)).toEqual([{ order_id: 'B-2' }]);
  });

  it('fails the step with expression_error when match cannot be evaluated for an event', async () => {
    const engine = await setup();
    const handle = await engine.start({ source: eventDoc('    match: event.data.order_id == "A"\n') });
    await waiting(engine, handle.runId);
    await engine.sendEvent({ type: 'payment.received', data: {} });
    const result = await handle.result();
    expect(result.error).toMatchObject({
      code: 'expression_error',
      message: expect.stringMatching(/'paid': match/),
    });
  });

  it('fails with event_timeout, or continues with null, when no event comes in time', async () => {
    const engine = await setup();
    const started = Date.now();
    const failed = await (await engine.start({ source: eventDoc('    timeout: 100ms\n') })).result();
    expect(failed.error).toMatchObject({
      code: 'event_timeout',
      message: expect.stringMatching(/payment.received/),
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    const doc = eventDoc('    timeout: 100ms\n    on_timeout: continue\n');
    expect(await (await engine.start({ source: doc })).result()).toMatchObject({
      status: 'completed',
      output: null,
    });
  });

  it('goes to every step waiting for the type, and to one step by its token', async () => {
    const engine = await setup();
    const doc = `name: two
steps:
  - { id: a, type: event, event: ping }
  - { id: b, type: event, event: ping }
  - { id: c, type: event, event: pong }
  - { id: d, type: skill, skill: echo, needs: [a, b, c], inputs: { v: "\${ [steps.a.output, steps.b.output, steps.c.output] }" } }
`;
    const handle = await engine.start({ source: doc });
    for (const key of ['a', 'b', 'c']) await waiting(engine, handle.runId, key);
    expect(await engine.sendEvent({ type: 'ping', data: 1 })).toMatchObject({ delivered: 2 });
    const { token } = (await engine.store.getWait(handle.runId, 'c'))!;
    await expect(engine.sendEvent({ type: 'ping' }, { token })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    expect(await engine.sendEvent({ data: 3 } as never, { token })).toMatchObject({ delivered: 1 });
    expect(await handle.result()).toMatchObject({ status: 'completed', output: { v: [1, 1, 3] } });
    await expect(engine.sendEvent({ type: 'pong' }, { token })).rejects.toMatchObject({ code: 'conflict' });
  });

  it('refuses an event without a type, with data that is not JSON or too large, or for a run that cannot take it', async () => {
    const engine = await setup();
    const bad = [
      [{ data: 1 }, /type must be a non-empty string/],
      [{ type: 'x', data: { f: () => 1 } }, /must be JSON: got a function at \/data\/f/],
      [{ type: 'x', data: 10n }, /must be JSON: got a bigint at \/data/],
      [{ type: 'x', data: 'a'.repeat(300_000) }, /expected at most 262144 \(256 KiB\)/],
      [{ type: 'x', time: 'yesterday' }, /RFC 3339/],
    ] as const;
    for (const [event, message] of bad) {
      await expect(engine.sendEvent(event as never)).rejects.toMatchObject({
        code: 'invalid_input',
        message,
      });
    }
    await expect(engine.sendEvent({ type: 'x' }, { runId: 'nope' })).rejects.toMatchObject({
      code: 'not_found',
    });
    const done = await (
      await engine.start({ source: 'name: quick\nsteps: [{ id: a, type: set, values: {} }]\n' })
    ).result();
    await expect(engine.sendEvent({ type: 'x' }, { runId: done.runId })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/has ended \(completed\)/),
    });
    await expect(engine.sendEvent({ type: 'x' }, { token: 'nope' })).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});
