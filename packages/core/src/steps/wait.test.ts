import { afterEach, describe, expect, it } from 'vitest';
import { runDoc, stepEngine } from '../../test/support/step-engine.js';
import type { WeftEngine } from '../engine/engine.js';

const engines: WeftEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()));
});

async function setup(dir?: string) {
  const harness = await stepEngine(dir);
  engines.push(harness.engine);
  return harness;
}

const timerDoc = (field: string) => `name: timer
steps:
  - { id: nap, type: wait, ${field} }
  - { id: after, type: skill, skill: echo, inputs: { ok: true } }
`;

describe('wait', () => {
  it('waits a duration, showing the step as waiting meanwhile', async () => {
    const { engine } = await setup();
    const waiting: string[] = [];
    engine.on('step.waiting', (event) => waiting.push(`${event.stepKey}: ${event.data.reason}`));
    const started = Date.now();
    const result = await runDoc(engine, timerDoc('duration: 80ms'));
    expect(result).toMatchObject({ status: 'completed', output: { ok: true } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(80);
    expect(waiting).toEqual([expect.stringMatching(/^nap: waiting until \d{4}-/)]);
    const wait = await engine.store.getWait(result.runId, 'nap');
    expect(wait).toMatchObject({ kind: 'timer', status: 'done', outcome: { kind: 'timer' } });
  });

  it('waits until a timestamp from an expression, and not at all for one that has passed', async () => {
    const { engine } = await setup();
    const doc = timerDoc('until: "${ inputs.at }"');
    const started = Date.now();
    const at = new Date(started + 80).toISOString();
    expect((await runDoc(engine, doc, { at })).status).toBe('completed');
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(at));
    const past = Date.now();
    expect((await runDoc(engine, doc, { at: '2001-01-01T00:00:00Z' })).status).toBe('completed');
    expect(Date.now() - past).toBeLessThan(200);
    expect((await runDoc(engine, doc, { at: started + 10 })).status).toBe('completed');
  });

  it('fails with invalid_input for an until that is not a timestamp', async () => {
    const { engine } = await setup();
    const result = await runDoc(engine, timerDoc('until: "${ inputs.at }"'), { at: 'next tuesday' });
    expect(result.error).toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/'nap'.*next tuesday/),
    });
  });

  it('keeps the first deadline when the run is resumed by another engine', async () => {
    const first = await setup();
    const started = Date.now();
    const handle = await first.engine.start({ source: timerDoc('duration: 400ms') });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await first.engine.close();
    const second = await setup(first.dir);
    const result = await (await second.engine.resume(handle.runId)).result();
    const took = Date.now() - started;
    expect(result.status).toBe('completed');
    expect(took).toBeGreaterThanOrEqual(400);
    expect(took).toBeLessThan(700);
  });
});
