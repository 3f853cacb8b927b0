import { describe, expect, it } from 'vitest';
import {
  eventually,
  interruptAndResume,
  runDoc,
  stepStates,
  useStepEngines,
} from '../../test/support/step-engine.js';

const setup = useStepEngines();

const doc = (fields: string, children: string, after = '') => `name: par
steps:
  - id: p
    type: parallel
${fields}
    steps:
${children}
${after}`;

describe('parallel', () => {
  it('runs the children at once and outputs those that completed, keyed <step>.<child>', async () => {
    const { engine, probes } = await setup();
    const result = await runDoc(
      engine,
      doc(
        '',
        `      - { id: a, type: skill, skill: probe.wait, inputs: { id: a, ms: 30, value: 1 } }
      - { id: b, type: skill, skill: probe.wait, inputs: { id: b, ms: 10, value: 2 } }
      - { id: c, type: skill, skill: echo, when: "\${ false }" }`,
      ),
    );
    expect(result).toMatchObject({ status: 'completed', output: { a: 1, b: 2 } });
    expect(probes.log.slice(0, 2).sort()).toEqual(['start:a', 'start:b']);
    expect(await stepStates(engine, result.runId)).toEqual({
      p: 'completed',
      'p.a': 'completed',
      'p.b': 'completed',
      'p.c': 'skipped',
    });
  });

  it('wait_for all: a failure does not stop the siblings; the step fails with it once all settled', async () => {
    const { engine, probes } = await setup();
    const result = await runDoc(
      engine,
      doc(
        '',
        `      - { id: bad, type: skill, skill: probe.fail, inputs: { id: bad, code: bad_thing } }
      - { id: slow, type: skill, skill: probe.wait, inputs: { id: slow, ms: 40 } }`,
      ),
    );
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'bad_thing', step: 'p.bad' });
    expect(probes.log).toContain('end:slow');
    expect(await stepStates(engine, result.runId)).toMatchObject({ 'p.slow': 'completed', p: 'failed' });
  });

  it('max_parallelism bounds the children running at once', async () => {
    const { engine, probes } = await setup();
    const children = ['a', 'b', 'c']
      .map((id) => `      - { id: ${id}, type: skill, skill: probe.wait, inputs: { id: ${id}, ms: 10 } }`)
      .join('\n');
    const result = await runDoc(engine, doc('    max_parallelism: 1', children));
    expect(result.status).toBe('completed');
    expect(probes.log).toEqual(['start:a', 'end:a', 'start:b', 'end:b', 'start:c', 'end:c']);
  });

  it('wait_for any: the first success wins and the others are cancelled (they see their signal)', async () => {
    const { engine, probes } = await setup();
    const result = await runDoc(
      engine,
      doc(
        '    wait_for: any\n    max_parallelism: 2',
        `      - { id: fast, type: skill, skill: probe.wait, inputs: { id: fast, ms: 20, value: won } }
      - { id: slow, type: skill, skill: probe.gate, inputs: { id: slow } }
      - { id: late, type: skill, skill: echo }`,
      ),
    );
    expect(result).toMatchObject({ status: 'completed', output: { fast: 'won' } });
    expect(probes.log).toContain('abort:slow:cancelled');
    const states = await stepStates(engine, result.runId);
    // A child running is failed with `cancelled`; one not started yet is recorded as cancelled.
    expect(states).toEqual({
      p: 'completed',
      'p.fast': 'completed',
      'p.slow': 'failed',
      'p.late': 'cancelled',
    });
    const slow = (await engine.getRun(result.runId))?.steps.find((s) => s.stepKey === 'p.slow');
    expect(slow?.error).toMatchObject({ code: 'cancelled' });
  });

  it('wait_for any: a failure does not matter when another child completes', async () => {
    const { engine } = await setup();
    const result = await runDoc(
      engine,
      doc(
        '    wait_for: any',
        `      - { id: bad, type: skill, skill: probe.fail, inputs: { id: bad } }
      - { id: good, type: skill, skill: probe.wait, inputs: { id: good, ms: 20, value: 7 } }`,
      ),
    );
    expect(result).toMatchObject({ status: 'completed', output: { good: 7 } });
  });

  it('wait_for any fails only when every child failed, with the first failure', async () => {
    const { engine } = await setup();
    const result = await runDoc(
      engine,
      doc(
        '    wait_for: any',
        `      - { id: one, type: skill, skill: probe.fail, inputs: { id: one, code: first_code } }
      - { id: two, type: skill, skill: probe.fail, inputs: { id: two, ms: 20, code: second_code } }`,
      ),
    );
    expect(result.error).toMatchObject({ code: 'first_code', step: 'p.one' });
  });

  it('wait_for none: completes at once with {}, the next step goes on, the run ends after the children', async () => {
    const { engine, probes } = await setup();
    const handle = await engine.start({
      source: doc(
        '    wait_for: none',
        `      - { id: bg, type: skill, skill: probe.gate, inputs: { id: bg, value: done } }`,
        '  - { id: next, type: skill, skill: echo, inputs: { seen: "${ steps.p.output }" } }',
      ),
    });
    await probes.reached('bg');
    await eventually(async () => (await stepStates(engine, handle.runId)).next === 'completed');
    expect((await engine.getRun(handle.runId))?.run.status).toBe('running');
    probes.open('bg');
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'completed', output: { seen: {} } });
    expect(await stepStates(engine, result.runId)).toMatchObject({ p: 'completed', 'p.bg': 'completed' });
  });

  it('wait_for none: a child that fails fails the run once it ends', async () => {
    const { engine } = await setup();
    const result = await runDoc(
      engine,
      doc(
        '    wait_for: none',
        `      - { id: bg, type: skill, skill: probe.fail, inputs: { id: bg, ms: 30, code: late_failure } }`,
        '  - { id: next, type: skill, skill: echo }',
      ),
    );
    expect(result.error).toMatchObject({ code: 'late_failure', step: 'p.bg' });
    expect(await stepStates(engine, result.runId)).toMatchObject({ p: 'completed', next: 'completed' });
  });

  it('re-executed after an interruption, it keeps the keys and output and does not rerun finished children', async () => {
    const source = doc(
      '',
      `      - { id: a, type: skill, skill: probe.wait, inputs: { id: a, value: 1 } }
      - { id: g, type: skill, skill: probe.gate, inputs: { id: g, value: 2 } }`,
    );
    const { result, after, states } = await interruptAndResume(source, 'g', { done: ['p.a'] });
    expect(result).toMatchObject({ status: 'completed', output: { a: 1, g: 2 } });
    expect(after).toEqual(['start:g', 'end:g']);
    expect(states).toEqual({ p: 'completed', 'p.a': 'completed', 'p.g': 'completed' });
  });

  it('wait_for none: children interrupted with the run go on after a resume', async () => {
    const source = doc(
      '    wait_for: none',
      `      - { id: g, type: skill, skill: probe.gate, inputs: { id: g } }`,
      '  - { id: next, type: skill, skill: echo, inputs: { n: 1 } }',
    );
    const { result, states } = await interruptAndResume(source, 'g');
    expect(result).toMatchObject({ status: 'completed', output: { n: 1 } });
    expect(states).toMatchObject({ p: 'completed', next: 'completed', 'p.g': 'completed' });
  });
});
