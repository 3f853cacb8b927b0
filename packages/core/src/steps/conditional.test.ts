import { describe, expect, it } from 'vitest';
import { interruptAndResume, runDoc, stepStates, useStepEngines } from '../../test/support/step-engine.js';

const engines = useStepEngines();
const setup = async () => (await engines()).engine;

const doc = (withElse: boolean) => `name: cond
steps:
  - id: c
    type: conditional
    condition: inputs.n > 0
    then:
      - { id: pos, type: skill, skill: echo, inputs: { sign: plus } }
      - { id: pos2, type: skill, skill: transform, inputs: { value: "\${ steps.pos.output.sign + '!' }" } }
${withElse ? '    else:\n      - { id: neg, type: skill, skill: echo, inputs: { sign: minus } }' : ''}
  - { id: after, type: skill, skill: echo, inputs: { branch: "\${ steps.c.branch }", out: "\${ steps.c.output }" } }
`;

describe('conditional', () => {
  it('runs then when the condition holds: output of its last completed step, branch then', async () => {
    const engine = await setup();
    const result = await runDoc(engine, doc(true), { n: 1 });
    expect(result.output).toEqual({ branch: 'then', out: 'plus!' });
    expect(await stepStates(engine, result.runId)).toEqual({
      c: 'completed',
      'c.pos': 'completed',
      'c.pos2': 'completed',
      after: 'completed',
    });
  });

  it('runs else when it does not', async () => {
    const engine = await setup();
    const result = await runDoc(engine, doc(true), { n: -1 });
    expect(result.output).toEqual({ branch: 'else', out: { sign: 'minus' } });
    expect(Object.keys(await stepStates(engine, result.runId)).sort()).toEqual(['after', 'c', 'c.neg']);
  });

  it('without else and a false condition: output null, branch none', async () => {
    const engine = await setup();
    const result = await runDoc(engine, doc(false), { n: 0 });
    expect(result.output).toEqual({ branch: 'none', out: null });
  });

  it('a condition that is not a boolean fails with expression_error naming the step', async () => {
    const engine = await setup();
    const result = await runDoc(engine, doc(true).replace('inputs.n > 0', '${ inputs.n }'), { n: 1 });
    expect(result.error).toMatchObject({ code: 'expression_error', step: 'c' });
    expect(result.error?.message).toMatch(/^step 'c': condition .* must be a boolean, got 1/);
  });

  it('fails with the failure of the branch', async () => {
    const engine = await setup();
    const result = await runDoc(
      engine,
      `name: cond-fail
steps:
  - id: c
    type: conditional
    condition: true
    then: [ { id: boom, type: fail, code: bad_branch } ]
`,
    );
    expect(result.error).toMatchObject({ code: 'bad_branch', step: 'c.boom' });
  });
});

describe('conditional: after an interruption', () => {
  it('replayed whole, it still publishes the results of the steps inside it', async () => {
    const source = `name: republish
steps:
  - id: c
    type: conditional
    condition: "true"
    then:
      - { id: inner, type: skill, skill: echo, inputs: { v: 42 } }
  - { id: g, type: skill, skill: probe.gate, inputs: { id: g, value: G } }
  - { id: after, type: skill, skill: transform, inputs: { value: "\${ steps.inner.output.v }" } }
`;
    const { result, states } = await interruptAndResume(source, 'g', { done: ['c', 'c.inner'] });
    expect(result).toMatchObject({ status: 'completed', output: 42 });
    expect(states.c).toBe('completed');
  });
});
