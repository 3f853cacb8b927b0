import { describe, expect, it } from 'vitest';
import { runDoc, stepStates, useStepEngines } from '../../test/support/step-engine.js';

const engines = useStepEngines();
const setup = async () => (await engines()).engine;

const doc = (withDefault: boolean) => `name: route
steps:
  - id: route
    type: switch
    cases:
      - when: \${ inputs.total > 1000 }
        steps: [ { id: big, type: skill, skill: transform, inputs: { value: big } } ]
      - when: inputs.total > 0
        steps: [ { id: small, type: skill, skill: transform, inputs: { value: small } } ]
${withDefault ? '    default: [ { id: zero, type: skill, skill: transform, inputs: { value: zero } } ]' : ''}
output: { branch: "\${ steps.route.branch }", out: "\${ steps.route.output }" }
`;

describe('switch', () => {
  it('runs the first case whose when holds; branch is its index', async () => {
    const engine = await setup();
    const big = await runDoc(engine, doc(true), { total: 5000 });
    expect(big.output).toEqual({ branch: 0, out: 'big' });
    expect(await stepStates(engine, big.runId)).toEqual({ route: 'completed', 'route.big': 'completed' });
    const small = await runDoc(engine, doc(true), { total: 5 });
    expect(small.output).toEqual({ branch: 1, out: 'small' });
  });

  it('runs default when no case holds, and gives branch none without one', async () => {
    const engine = await setup();
    expect((await runDoc(engine, doc(true), { total: 0 })).output).toEqual({
      branch: 'default',
      out: 'zero',
    });
    const none = await runDoc(engine, doc(false), { total: 0 });
    expect(none).toMatchObject({ status: 'completed', output: { branch: 'none', out: null } });
    expect(await stepStates(engine, none.runId)).toEqual({ route: 'completed' });
  });

  it('a case condition that is not a boolean fails with expression_error naming the step', async () => {
    const engine = await setup();
    const result = await runDoc(engine, doc(true).replace('inputs.total > 0', 'inputs.total'), { total: 3 });
    expect(result.error).toMatchObject({ code: 'expression_error', step: 'route' });
  });
});
