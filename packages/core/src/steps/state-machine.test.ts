import { describe, expect, it } from 'vitest';
import {
  eventually,
  interruptAndResume,
  runDoc,
  stepEngine,
  stepStates,
  useStepEngines,
} from '../../test/support/step-engine.js';
import type { WeftEngine } from '../engine/engine.js';

const setup = useStepEngines();

const machine = (states: string, head = 'initial: a') => `name: machine
type: state_machine
${head}
states:
${states}`;

async function transitions(engine: WeftEngine, runId: string) {
  const events = await engine.getEvents(runId);
  return events
    .filter((e) => e.type === 'state.transition')
    .map((e) => ({ key: e.stepKey, ...(e.data as object) }));
}

/** Resolves once the run's transition step of `state` (first visit) waits for an event. */
async function waitingIn(engine: WeftEngine, runId: string, state: string) {
  const key = `states.${state}.1.transition`;
  await eventually(async () => (await engine.store.getWait(runId, key))?.status === 'open');
}

describe('state_machine: transitions', () => {
  it('takes the first transition whose when holds, then an unconditional one, and ends in a terminal state', async () => {
    const { engine } = await setup();
    const source = machine(`  a:
    on_enter:
      - { id: score, type: skill, skill: echo, inputs: { value: 7 } }
    transitions:
      - { to: c, when: "\${ steps.score.output.value > 10 }" }
      - { to: b, when: "\${ steps.score.output.value > 5 }" }
      - { to: c }
  b:
    transitions: [ { to: c } ]
  c: { terminal: true }`);
    const result = await runDoc(engine, source);
    expect(result).toMatchObject({ status: 'completed', output: { state: 'c' } });
    expect(await stepStates(engine, result.runId)).toEqual({
      'states.a.1.on_enter.score': 'completed',
      'states.a.1.transition': 'completed',
      'states.b.1.transition': 'completed',
      states: 'completed',
    });
    const recorded = [
      { from: 'a', to: 'b', reason: 'when: steps.score.output.value > 5' },
      { from: 'b', to: 'c', reason: 'always' },
    ];
    expect(await transitions(engine, result.runId)).toEqual([
      { key: 'states.a.1.transition', ...recorded[0], count: 1 },
      { key: 'states.b.1.transition', ...recorded[1], count: 2 },
    ]);
    const details = await engine.getRun(result.runId);
    const record = details?.steps.find((s) => s.stepKey === 'states');
    expect(record?.meta).toEqual({
      transitions: recorded.map((t) => ({ ...t, at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) })),
    });
    const decision = details?.steps.find((s) => s.stepKey === 'states.a.1.transition');
    expect(decision).toMatchObject({ type: 'state_transition', output: { from: 'a', to: 'b' } });
  });

  it('waits durably for an event sent by type alone and records its type and id', async () => {
    const { engine } = await setup();
    const source = machine(`  a:
    transitions:
      - { to: b, when: false }
      - { to: c, event: order.paid }
  b: { terminal: true }
  c: { terminal: true }`);
    const handle = await engine.start({ source });
    await waitingIn(engine, handle.runId, 'a');
    const sent = await engine.sendEvent({ type: 'order.paid', data: { id: 1 } });
    expect(sent.delivered).toBe(1);
    expect(await handle.result()).toMatchObject({ status: 'completed', output: { state: 'c' } });
    expect(await transitions(engine, handle.runId)).toEqual([
      { key: 'states.a.1.transition', from: 'a', to: 'c', reason: `event: order.paid ${sent.id}`, count: 1 },
    ]);
    const decision = (await engine.getRun(handle.runId))?.steps.find(
      (s) => s.stepKey === 'states.a.1.transition',
    );
    expect(decision?.meta).toMatchObject({
      token: expect.any(String),
      event: { id: sent.id, type: 'order.paid' },
    });
  });

  it('waits for several event types at once; match picks among transitions of one type', async () => {
    const { engine } = await setup();
    const source = machine(`  a:
    transitions:
      - { to: paid, event: order.paid }
      - { to: big, event: order.changed, match: "\${ event.data.total > 100 }" }
      - { to: small, event: order.changed, match: "\${ event.data.total <= 100 && state == 'a' }" }
  paid: { terminal: true }
  big: { terminal: true }
  small: { terminal: true }`);
    const handle = await engine.start({ source });
    await waitingIn(engine, handle.runId, 'a');
    const { runId } = handle;
    // Another type to the run: kept for the run, not taken.
    await engine.sendEvent({ type: 'order.shipped', data: {} }, { runId });
    const sent = await engine.sendEvent({ type: 'order.changed', data: { total: 5 } });
    expect(sent.delivered).toBe(1);
    expect(await handle.result()).toMatchObject({ status: 'completed', output: { state: 'small' } });
    expect((await engine.store.listInbox({ runIds: [runId] })).map((row) => row.event.type)).toEqual([
      'order.shipped',
    ]);
  });

  it('fails with no_transition when no condition holds and no event transition is armed', async () => {
    const { engine } = await setup();
    const source = machine(`  a:
    transitions:
      - { to: b, when: "\${ 1 > 2 }" }
      - { to: b, event: never.sent, when: false }
  b: { terminal: true }`);
    const result = await runDoc(engine, source);
    expect(result).toMatchObject({
      status: 'failed',
      error: { code: 'no_transition', step: 'states.a.1.transition' },
    });
    expect(result.error?.message).toMatch(/state 'a'/);
  });

  it('fails with max_transitions_exceeded on the transition over the limit', async () => {
    const { engine } = await setup();
    const source = machine(
      `  a:
    transitions: [ { to: b } ]
  b:
    transitions: [ { to: a, when: "\${ state == 'b' }" }, { to: done } ]
  done: { terminal: true }`,
      'initial: a\nmax_transitions: 3',
    );
    const result = await runDoc(engine, source);
    expect(result).toMatchObject({
      status: 'failed',
      error: { code: 'max_transitions_exceeded', step: 'states.b.2.transition', max_transitions: 3 },
    });
    expect((await transitions(engine, result.runId)).map((t) => `${t.from}->${t.to}`)).toEqual([
      'a->b',
      'b->a',
      'a->b',
    ]);
  });
});

describe('state_machine: steps and scope', () => {
  it('runs on_enter, decides, runs on_exit, then enters the next state; ${ state } is the current state', async () => {
    const { engine, probes } = await setup();
    const source = machine(
      `  a:
    on_enter: [ { id: enter_a, type: skill, skill: probe.wait, inputs: { id: "enter_\${ state }" } } ]
    on_exit: [ { id: exit_a, type: skill, skill: probe.wait, inputs: { id: "exit_\${ state }" } } ]
    transitions: [ { to: b } ]
  b:
    on_enter: [ { id: enter_b, type: skill, skill: probe.wait, inputs: { id: "enter_\${ state }" } } ]
    terminal: true`,
      'initial: a\noutput: "${ state }"',
    );
    const result = await runDoc(engine, source);
    expect(result).toMatchObject({ status: 'completed', output: 'b' });
    expect(probes.log).toEqual([
      'start:enter_a',
      'end:enter_a',
      'start:exit_a',
      'end:exit_a',
      'start:enter_b',
      'end:enter_b',
    ]);
    expect(Object.keys(await stepStates(engine, result.runId)).sort()).toEqual([
      'states',
      'states.a.1.on_enter.enter_a',
      'states.a.1.on_exit.exit_a',
      'states.a.1.transition',
      'states.b.1.on_enter.enter_b',
    ]);
  });

  it('gives each visit of a state its own keys; steps.<id> is the latest visit', async () => {
    const { engine } = await setup();
    const source = machine(
      `  count:
    on_enter:
      - { id: bump, type: set, values: { n: "\${ has(vars.n) ? vars.n + 1 : 1 }" } }
    transitions:
      - { to: count, when: "\${ vars.n < 3 }" }
      - { to: done }
  done: { terminal: true }`,
      'initial: count\noutput: { state: "${ state }", last: "${ steps.bump.output.n }" }',
    );
    const result = await runDoc(engine, source);
    expect(result).toMatchObject({ status: 'completed', output: { state: 'done', last: 3 } });
    const keys = Object.keys(await stepStates(engine, result.runId));
    expect(keys.filter((k) => k.endsWith('.bump'))).toEqual([
      'states.count.1.on_enter.bump',
      'states.count.2.on_enter.bump',
      'states.count.3.on_enter.bump',
    ]);
  });

  it('fails the machine when an on_enter step fails', async () => {
    const { engine } = await setup();
    const source = machine(`  a:
    on_enter: [ { id: boom, type: fail, code: bad_input, message: no } ]
    transitions: [ { to: b } ]
  b: { terminal: true }`);
    const result = await runDoc(engine, source);
    expect(result).toMatchObject({
      status: 'failed',
      error: { code: 'bad_input', step: 'states.a.1.on_enter.boom' },
    });
  });

  it("refuses a step whose id is 'states' (the machine's own record)", async () => {
    const { engine } = await setup();
    const source = machine(`  a:
    on_enter: [ { id: states, type: skill, skill: echo } ]
    terminal: true`);
    await expect(engine.start({ source })).rejects.toMatchObject({ code: 'invalid_document' });
  });
});

describe('state_machine: durability', () => {
  it('resumes mid-machine: recorded steps and transitions replay, the machine ends in the same state', async () => {
    const source = machine(`  a:
    on_enter: [ { id: first, type: skill, skill: probe.wait, inputs: { id: first, value: 3 } } ]
    transitions:
      - { to: b, when: "\${ steps.first.output == 3 }" }
  b:
    on_enter: [ { id: held, type: skill, skill: probe.gate, inputs: { id: gate } } ]
    transitions: [ { to: c } ]
  c: { terminal: true }`);
    const { result, after, states } = await interruptAndResume(source, 'gate', {
      done: ['states.a.1.transition'],
    });
    expect(result).toMatchObject({ status: 'completed', output: { state: 'c' } });
    expect(after).toEqual(['start:gate', 'end:gate']);
    expect(states).toMatchObject({
      'states.a.1.on_enter.first': 'completed',
      'states.a.1.transition': 'completed',
      'states.b.1.on_enter.held': 'completed',
      'states.b.1.transition': 'completed',
      states: 'completed',
    });
  });

  it('resumes a machine waiting for an event in another engine, which takes the event', async () => {
    const source = machine(`  a:
    on_enter: [ { id: once, type: skill, skill: probe.wait, inputs: { id: once } } ]
    transitions:
      - { to: b, event: order.paid }
  b: { terminal: true }`);
    const first = await stepEngine();
    const handle = await first.engine.start({ source });
    await waitingIn(first.engine, handle.runId, 'a');
    await first.engine.close();
    const second = await setup(first.dir);
    const resumed = await second.engine.resume(handle.runId);
    await waitingIn(second.engine, handle.runId, 'a');
    await second.engine.sendEvent({ type: 'order.paid', data: null }, { runId: handle.runId });
    expect(await resumed.result()).toMatchObject({ status: 'completed', output: { state: 'b' } });
    expect(second.probes.log).toEqual([]);
    expect(await transitions(second.engine, handle.runId)).toHaveLength(1);
  });
});
