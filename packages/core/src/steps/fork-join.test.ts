import { describe, expect, it } from 'vitest';
import {
  eventually,
  interruptAndResume,
  runDoc,
  stepStates,
  useStepEngines,
} from '../../test/support/step-engine.js';

const setup = useStepEngines();

const ok = (id: string, ms = 0) =>
  `[ { id: ${id}, type: skill, skill: probe.wait, inputs: { id: ${id}, ms: ${ms}, value: ${id} } } ]`;
const bad = (id: string, ms = 0) =>
  `[ { id: ${id}, type: skill, skill: probe.fail, inputs: { id: ${id}, ms: ${ms}, code: ${id}_failed } } ]`;
const held = (id: string) => `[ { id: ${id}, type: skill, skill: probe.gate, inputs: { id: ${id} } } ]`;

function doc(fields: string, branches: Record<string, string>): string {
  const lines = Object.entries(branches).map(([name, list]) => `      ${name}: ${list}`);
  return `name: fj
steps:
  - id: fj
    type: fork_join
${fields ? `${fields}\n` : ''}    branches:
${lines.join('\n')}
`;
}

describe('fork_join', () => {
  it('join all: every branch runs (keys <step>.<branch>.<id>); output by branch', async () => {
    const { engine } = await setup();
    const result = await runDoc(
      engine,
      doc('', {
        fast: `[ { id: f1, type: skill, skill: echo, inputs: { a: 1 } }, { id: f2, type: skill, skill: transform, inputs: { value: "\${ steps.f1.output.a + 1 }" } } ]`,
        slow: ok('s', 20),
      }),
    );
    expect(result).toMatchObject({ status: 'completed', output: { fast: 2, slow: 's' } });
    expect(await stepStates(engine, result.runId)).toEqual({
      fj: 'completed',
      'fj.fast.f1': 'completed',
      'fj.fast.f2': 'completed',
      'fj.slow.s': 'completed',
    });
  });

  it('join all fails with join_failed as soon as a branch fails, and cancels the others', async () => {
    const { engine, probes } = await setup();
    const result = await runDoc(engine, doc('', { quick: bad('q', 5), slow: held('s') }));
    expect(result.error).toMatchObject({ code: 'join_failed', step: 'fj', join: 'all', needed: 2 });
    expect(result.error?.errors).toMatchObject({ quick: { code: 'q_failed' } });
    expect(probes.log).toContain('abort:s:cancelled');
  });

  it('join any: the first branch to complete decides; the rest are cancelled', async () => {
    const { engine, probes } = await setup();
    const result = await runDoc(engine, doc('    join: any', { a: bad('a'), b: ok('b', 10), c: held('c') }));
    expect(result).toMatchObject({ status: 'completed', output: { b: 'b' } });
    expect(probes.log).toContain('abort:c:cancelled');
    expect(await stepStates(engine, result.runId)).toMatchObject({ 'fj.a.a': 'failed', 'fj.c.c': 'failed' });
  });

  it('join majority and n_of_m tolerate the failures they can', async () => {
    const { engine } = await setup();
    const majority = await runDoc(
      engine,
      doc('    join: majority', { a: ok('a'), b: bad('b'), c: ok('c', 5) }),
    );
    expect(majority).toMatchObject({ status: 'completed', output: { a: 'a', c: 'c' } });
    const twoOfThree = doc('    join: n_of_m\n    n_required: 2', {
      a: bad('a'),
      b: ok('b'),
      c: bad('c', 5),
    });
    expect((await runDoc(engine, twoOfThree)).error).toMatchObject({ code: 'join_failed', needed: 2 });
    const oneOfThree = doc('    join: n_of_m\n    n_required: 1', {
      a: bad('a'),
      b: bad('b'),
      c: ok('c', 5),
    });
    expect((await runDoc(engine, oneOfThree)).output).toEqual({ c: 'c' });
  });

  it('decides before a slow branch ends; with cancel_remaining false that branch runs on and the run waits', async () => {
    const { engine, probes } = await setup();
    const fields = '    join: majority\n    cancel_remaining: false\n    on_error: skip';
    const source = `${doc(fields, { a: bad('a'), b: bad('b', 5), slow: held('slow') })}  - { id: next, type: skill, skill: echo, inputs: { n: 1 } }\n`;
    const handle = await engine.start({ source });
    await probes.reached('slow');
    await eventually(async () => (await stepStates(engine, handle.runId)).next === 'completed');
    const during = await engine.getRun(handle.runId);
    expect(during?.run.status).toBe('running');
    expect(during?.steps.find((s) => s.stepKey === 'fj')?.error).toMatchObject({ code: 'join_failed' });
    probes.open('slow');
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'completed', output: { n: 1 } });
    expect(probes.log).toContain('end:slow');
    expect(await stepStates(engine, result.runId)).toMatchObject({
      fj: 'skipped',
      'fj.slow.slow': 'completed',
    });
  });

  it('when the run fails, branches left running (cancel_remaining false) are cancelled', async () => {
    const { engine, probes } = await setup();
    const result = await runDoc(
      engine,
      doc('    join: any\n    cancel_remaining: false', {
        a: bad('a'),
        b: bad('b', 5),
        slow: held('slow'),
      }).replace('join: any', 'join: n_of_m\n    n_required: 2'),
    );
    expect(result.error).toMatchObject({ code: 'join_failed', step: 'fj' });
    expect(probes.log).toContain('abort:slow:cancelled');
  });

  it('branch_timeout fails a branch over it with timeout (the branch sees its signal)', async () => {
    const { engine, probes } = await setup();
    const result = await runDoc(
      engine,
      doc('    branch_timeout: 50ms', { fine: ok('f'), stuck: held('stuck') }),
    );
    expect(result.error).toMatchObject({ code: 'join_failed' });
    expect(result.error?.errors).toMatchObject({ stuck: { code: 'timeout', branch: 'stuck' } });
    expect(probes.log).toContain('abort:stuck:timeout');
  });

  it('re-executed after an interruption, it keeps keys and output; finished branches are not rerun', async () => {
    const source = doc('', {
      a: ok('a'),
      b: `[ { id: g, type: skill, skill: probe.gate, inputs: { id: g, value: G } } ]`,
    });
    const { result, after, states } = await interruptAndResume(source, 'g', { done: ['fj.a.a'] });
    expect(result).toMatchObject({ status: 'completed', output: { a: 'a', b: 'G' } });
    expect(after).toEqual(['start:g', 'end:g']);
    expect(states).toEqual({ fj: 'completed', 'fj.a.a': 'completed', 'fj.b.g': 'completed' });
  });
});
