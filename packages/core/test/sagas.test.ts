import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../src/engine/create-engine.js';
import type { WeftEngine } from '../src/engine/engine.js';
import { WeftError } from '../src/errors.js';
import type { AnyWeftEvent } from '../src/events/types.js';
import { defineSkill } from '../src/skills/types.js';
import { eventually, Probes, stepStates } from './support/step-engine.js';

const engines: WeftEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()));
});

/** An engine whose `act` skill logs its `id` and fails when `fail` is true. */
async function sagaEngine(dir = mkdtempSync(join(tmpdir(), 'weft-saga-')), probes = new Probes()) {
  const log: string[] = [];
  const engine = await createEngine({
    store: `sqlite:${join(dir, 'weft.db')}`,
    cwd: dir,
    skills: [
      ...probes.skills(),
      defineSkill<{ id: string; fail?: boolean }>({
        name: 'act',
        run({ id, fail }) {
          log.push(id);
          if (fail) throw new WeftError('skill_error', `${id} failed`);
          return { id };
        },
      }),
    ],
  });
  engines.push(engine);
  return { engine, log, dir, probes };
}

/** Five steps, each undone by its own compensation; `fail_at` makes that step fail. */
const FIVE_STEPS = `name: five
on_error: rollback
inputs:
  type: object
  properties: { fail_at: { type: integer } }
steps:
${[1, 2, 3, 4, 5]
  .map(
    (n) => `  - id: s${n}
    type: skill
    skill: act
    inputs: { id: s${n}, fail: "\${ inputs.fail_at == ${n} }" }
    compensate:
      - { id: undo_s${n}, type: skill, skill: act, inputs: { id: "undo-\${ steps.s${n}.output.id }-\${ error.code }" } }`,
  )
  .join('\n')}
`;

describe('rollback with compensations', () => {
  it.each([1, 2, 3, 4, 5])(
    'a five-step saga failing at step %i undoes exactly the steps before it, newest first',
    async (failAt) => {
      const { engine, log } = await sagaEngine();
      const events: AnyWeftEvent[] = [];
      engine.on('*', (event) => events.push(event));
      const result = await (await engine.start({ source: FIVE_STEPS }, { fail_at: failAt })).result();
      const done = Array.from({ length: failAt - 1 }, (_, i) => `s${i + 1}`);
      const undone = [...done].reverse();
      expect(log).toEqual([...done, `s${failAt}`, ...undone.map((id) => `undo-${id}-skill_error`)]);
      expect(result).toMatchObject({
        status: 'failed',
        error: { code: 'skill_error', step: `s${failAt}`, compensation: { ran: undone, failed: [] } },
      });
      const states = await stepStates(engine, result.runId);
      for (const id of done) expect(states[id]).toBe('compensated');
      for (const id of done) expect(states[`${id}.compensate.undo_${id}`]).toBe('completed');
      expect(states[`s${failAt}`]).toBe('failed');
      const compensating = events.find((e) => e.type === 'run.compensating');
      expect(compensating?.data).toMatchObject({ steps: undone });
      expect(events.filter((e) => e.type === 'step.compensated').map((e) => e.stepKey)).toEqual(undone);
    },
  );

  it('records a failing compensation and still runs the others', async () => {
    const { engine, log } = await sagaEngine();
    const result = await (
      await engine.start({
        source: `name: partly
on_error: rollback
steps:
  - { id: a, type: skill, skill: act, inputs: { id: a }, compensate: [ { id: undo_a, type: skill, skill: act, inputs: { id: undo-a } } ] }
  - { id: b, type: skill, skill: act, inputs: { id: b }, compensate: [ { id: undo_b, type: skill, skill: act, inputs: { id: undo-b, fail: true } } ] }
  - { id: c, type: skill, skill: act, inputs: { id: c }, compensate: [ { id: undo_c, type: skill, skill: act, inputs: { id: undo-c } } ] }
  - { id: d, type: skill, skill: act, inputs: { id: d, fail: true } }
`,
      })
    ).result();
    expect(log).toEqual(['a', 'b', 'c', 'd', 'undo-c', 'undo-b', 'undo-a']);
    expect(result.error?.compensation).toEqual({
      ran: ['c', 'a'],
      failed: [
        { step: 'b', error: expect.objectContaining({ code: 'skill_error', message: 'undo-b failed' }) },
      ],
    });
    const states = await stepStates(engine, result.runId);
    expect(states).toMatchObject({
      a: 'compensated',
      b: 'completed',
      c: 'compensated',
      'b.compensate.undo_b': 'failed',
    });
  });

  it('rolls back on a step whose on_error is rollback, and only halts on other failures', async () => {
    const { engine, log } = await sagaEngine();
    const doc = (rollback: boolean) => `name: step-level
steps:
  - { id: a, type: skill, skill: act, inputs: { id: a }, compensate: [ { id: undo_a, type: skill, skill: act, inputs: { id: undo-a } } ] }
  - { id: b, type: skill, skill: act, inputs: { id: b, fail: true }${rollback ? ', on_error: rollback' : ''} }
  - { id: c, type: skill, skill: act, inputs: { id: c } }
`;
    const halted = await (await engine.start({ source: doc(false) })).result();
    expect(log).toEqual(['a', 'b']);
    expect(halted.error?.compensation).toBeUndefined();
    log.length = 0;
    const rolled = await (await engine.start({ source: doc(true) })).result();
    expect(log).toEqual(['a', 'b', 'undo-a']);
    expect(rolled.error).toMatchObject({ code: 'skill_error', step: 'b', compensation: { ran: ['a'] } });
    expect((await stepStates(engine, rolled.runId)).c).toBe('blocked');
  });

  it('undoes the completed iterations of a loop, each with its own item and output', async () => {
    const { engine, log } = await sagaEngine();
    const result = await (
      await engine.start({
        source: `name: charges
on_error: rollback
steps:
  - id: each
    type: loop
    for_each: [ann, bob, cid, dan]
    as: who
    steps:
      - id: charge
        type: skill
        skill: act
        inputs: { id: "charge-\${ who }", fail: "\${ who == 'cid' }" }
        compensate:
          - { id: refund, type: skill, skill: act, inputs: { id: "refund-\${ loop.index }-\${ who }-\${ steps.charge.output.id }" } }
`,
      })
    ).result();
    expect(log).toEqual([
      'charge-ann',
      'charge-bob',
      'charge-cid',
      'refund-1-bob-charge-bob',
      'refund-0-ann-charge-ann',
    ]);
    expect(result.error?.compensation).toEqual({ ran: ['each[1].charge', 'each[0].charge'], failed: [] });
    const states = await stepStates(engine, result.runId);
    expect(states['each[0].charge']).toBe('compensated');
    expect(states['each[1].charge.compensate.refund']).toBe('completed');
  });

  it('undoes completed parallel branches; a step reused by nobody else is left alone', async () => {
    const { engine, log } = await sagaEngine();
    const result = await (
      await engine.start({
        source: `name: branches
on_error: rollback
steps:
  - id: book
    type: parallel
    steps:
      - { id: hotel, type: skill, skill: act, inputs: { id: hotel }, compensate: [ { id: cancel_hotel, type: skill, skill: act, inputs: { id: cancel-hotel } } ] }
      - { id: car, type: skill, skill: act, inputs: { id: car }, compensate: [ { id: cancel_car, type: skill, skill: act, inputs: { id: cancel-car } } ] }
  - { id: note, type: skill, skill: act, inputs: { id: note } }
  - { id: pay, type: skill, skill: act, inputs: { id: pay, fail: true } }
`,
      })
    ).result();
    expect(log.slice(0, 4).sort()).toEqual(['car', 'hotel', 'note', 'pay']);
    expect(log.slice(4).sort()).toEqual(['cancel-car', 'cancel-hotel']);
    expect(result.error?.compensation.ran.sort()).toEqual(['book.car', 'book.hotel']);
  });

  it('resumes an interrupted rollback without running finished compensations again', async () => {
    const first = await sagaEngine();
    const doc = `name: resumable
on_error: rollback
steps:
  - { id: a, type: skill, skill: act, inputs: { id: a }, compensate: [ { id: undo_a, type: skill, skill: act, inputs: { id: undo-a } } ] }
  - { id: b, type: skill, skill: act, inputs: { id: b }, compensate: [ { id: undo_b, type: skill, skill: probe.gate, inputs: { id: undo-b } } ] }
  - { id: c, type: skill, skill: act, inputs: { id: c }, compensate: [ { id: undo_c, type: skill, skill: act, inputs: { id: undo-c } } ] }
  - { id: d, type: skill, skill: act, inputs: { id: d, fail: true } }
`;
    const handle = await first.engine.start({ source: doc });
    await first.probes.reached('undo-b');
    await eventually(async () => (await stepStates(first.engine, handle.runId)).c === 'compensated');
    await first.engine.close();
    engines.splice(engines.indexOf(first.engine), 1);
    expect(first.log).toEqual(['a', 'b', 'c', 'd', 'undo-c']);

    const second = await sagaEngine(first.dir);
    const resumed = await second.engine.resume(handle.runId);
    await second.probes.reached('undo-b');
    second.probes.open('undo-b');
    const result = await resumed.result();
    expect(second.log).toEqual(['undo-a']);
    expect(result.error).toMatchObject({ step: 'd', compensation: { ran: ['c', 'b', 'a'], failed: [] } });
    expect(await stepStates(second.engine, handle.runId)).toMatchObject({
      a: 'compensated',
      b: 'compensated',
      c: 'compensated',
    });
  });

  it('refuses a compensation that reads a step outside its scope, before anything runs', async () => {
    const { engine } = await sagaEngine();
    await expect(
      engine.start({
        source: `name: out-of-scope
steps:
  - { id: a, type: skill, skill: act, inputs: { id: a }, compensate: [ { id: u, type: skill, skill: act, inputs: { id: "\${ steps.b.output.id }" } } ] }
  - { id: b, type: skill, skill: act, inputs: { id: b } }
`,
      }),
    ).rejects.toMatchObject({
      code: 'invalid_document',
      message: /outside the scope of this compensation of 'a'/,
    });
    expect(await engine.listRuns()).toEqual([]);
  });
});
