import { describe, expect, it } from 'vitest';
import { interruptAndResume, runDoc, stepStates, useStepEngines } from '../../test/support/step-engine.js';

const setup = useStepEngines();

const loop = (fields: string, body: string, before = '') => `name: loops
steps:
${before}  - id: l
    type: loop
${fields}
    steps:
${body}
`;

describe('loop: for_each', () => {
  it('runs the body per item in order, binding loop.item, loop.index and the alias; keys <loop>[i].<id>', async () => {
    const { engine } = await setup();
    const result = await runDoc(
      engine,
      loop(
        '    for_each: ${ inputs.items }\n    as: fruit',
        `      - { id: name, type: skill, skill: transform, inputs: { value: "\${ loop.index }:\${ fruit }" } }
      - { id: loud, type: skill, skill: transform, inputs: { value: "\${ steps.name.output + '!' + loop.item }" } }`,
      ),
      { items: ['apple', 'pear'] },
    );
    expect(result).toMatchObject({ status: 'completed', output: ['0:apple!apple', '1:pear!pear'] });
    expect(await stepStates(engine, result.runId)).toEqual({
      l: 'completed',
      'l[0].name': 'completed',
      'l[0].loud': 'completed',
      'l[1].name': 'completed',
      'l[1].loud': 'completed',
    });
  });

  it('iterates a literal list; an empty list gives []', async () => {
    const { engine } = await setup();
    const body = '      - { id: x, type: skill, skill: transform, inputs: { value: "${ loop.item * 2 }" } }';
    expect((await runDoc(engine, loop('    for_each: [1, 2, 3]', body))).output).toEqual([2, 4, 6]);
    expect((await runDoc(engine, loop('    for_each: ${ inputs.none }', body), { none: [] })).output).toEqual(
      [],
    );
  });

  it('refuses a for_each value that is not a list, naming the step', async () => {
    const { engine } = await setup();
    const result = await runDoc(
      engine,
      loop('    for_each: ${ inputs.items }', '      - { id: x, type: skill, skill: echo }'),
      { items: { a: 1 } },
    );
    expect(result.error).toMatchObject({ code: 'expression_error', step: 'l' });
    expect(result.error?.message).toBe("step 'l': for_each must be a list, got an object");
  });

  it('mode parallel: iterations run at once within max_parallelism; the output keeps iteration order', async () => {
    const { engine, probes } = await setup();
    const result = await runDoc(
      engine,
      loop(
        '    for_each: [40, 5, 20, 1]\n    mode: parallel\n    max_parallelism: 2',
        '      - { id: w, type: skill, skill: probe.wait, inputs: { id: "${ string(loop.index) }", ms: "${ loop.item }", value: "${ loop.item }" } }',
      ),
    );
    expect(result.output).toEqual([40, 5, 20, 1]);
    let running = 0;
    let peak = 0;
    for (const entry of probes.log) {
      running += entry.startsWith('start:') ? 1 : -1;
      peak = Math.max(peak, running);
    }
    expect(peak).toBe(2);
    expect(probes.log.slice(0, 2)).toEqual(['start:0', 'start:1']);
  });

  it('fails with max_iterations_exceeded before running when the list is longer (default 1000)', async () => {
    const { engine, probes } = await setup();
    const body = '      - { id: w, type: skill, skill: probe.wait, inputs: { id: x } }';
    const long = await runDoc(engine, loop('    for_each: ${ inputs.items }', body), {
      items: Array.from({ length: 1001 }, (_, i) => i),
    });
    expect(long.error).toMatchObject({ code: 'max_iterations_exceeded', step: 'l', max_iterations: 1000 });
    const short = await runDoc(engine, loop('    for_each: [1, 2, 3]\n    max_iterations: 2', body));
    expect(short.error).toMatchObject({ code: 'max_iterations_exceeded', max_iterations: 2 });
    expect(probes.log).toEqual([]);
  });
});

describe('loop: while and until', () => {
  it('while is checked before each iteration and sees the last iteration (loop.index: the next one)', async () => {
    const { engine } = await setup();
    const result = await runDoc(
      engine,
      loop(
        '    while: ${ loop.index == 0 || steps.inc.output.n < 3 }',
        '      - { id: inc, type: set, values: { n: "${ vars.n + 1 }" } }',
        '  - { id: init, type: set, values: { n: 0 } }\n',
      ),
    );
    expect(result).toMatchObject({ status: 'completed', output: [{ n: 1 }, { n: 2 }, { n: 3 }] });
    const never = await runDoc(
      engine,
      loop('    while: false', '      - { id: x, type: skill, skill: echo }'),
    );
    expect(never).toMatchObject({ status: 'completed', output: [] });
  });

  it('until is checked after each iteration, so the body runs at least once', async () => {
    const { engine } = await setup();
    const counting = await runDoc(
      engine,
      loop(
        '    until: ${ steps.x.output >= 20 }',
        '      - { id: x, type: skill, skill: transform, inputs: { value: "${ (loop.index + 1) * 10 }" } }',
      ),
    );
    expect(counting.output).toEqual([10, 20]);
    const once = await runDoc(
      engine,
      loop('    until: true', '      - { id: y, type: skill, skill: echo, inputs: { a: 1 } }'),
    );
    expect(once.output).toEqual([{ a: 1 }]);
  });

  it('fails with max_iterations_exceeded after max_iterations iterations', async () => {
    const { engine } = await setup();
    const body = '      - { id: x, type: skill, skill: echo }';
    const whileLoop = await runDoc(engine, loop('    while: true\n    max_iterations: 3', body));
    expect(whileLoop.error).toMatchObject({ code: 'max_iterations_exceeded', step: 'l' });
    expect(Object.keys(await stepStates(engine, whileLoop.runId)).filter((k) => k !== 'l')).toEqual([
      'l[0].x',
      'l[1].x',
      'l[2].x',
    ]);
    const untilLoop = await runDoc(engine, loop('    until: false\n    max_iterations: 2', body));
    expect(untilLoop.error).toMatchObject({ code: 'max_iterations_exceeded' });
  });

  it('a condition that is not a boolean fails with expression_error naming the step', async () => {
    const { engine } = await setup();
    const result = await runDoc(
      engine,
      loop('    while: ${ inputs.n }', '      - { id: x, type: skill, skill: echo }'),
      {
        n: 3,
      },
    );
    expect(result.error).toMatchObject({ code: 'expression_error', step: 'l' });
    expect(result.error?.message).toContain("step 'l'");
    expect(result.error?.message).toContain('must be a boolean');
  });
});

describe('loop: on_error', () => {
  it('stop (default), sequential: the first failure fails the loop and later iterations do not run', async () => {
    const { engine, probes } = await setup();
    const result = await runDoc(
      engine,
      loop(
        '    for_each: [0, 1, 2]',
        `      - { id: w, type: skill, skill: probe.fail, when: "\${ loop.item == 1 }", inputs: { id: "i\${ loop.item }", code: stop_here } }`,
      ),
    );
    expect(result.error).toMatchObject({ code: 'stop_here', step: 'l[1].w' });
    expect(probes.log).toEqual(['start:i1', 'fail:i1']);
    expect(Object.keys(await stepStates(engine, result.runId))).not.toContain('l[2].w');
  });

  it('stop, parallel: iterations in flight are cancelled (they see their signal)', async () => {
    const { engine, probes } = await setup();
    const result = await runDoc(
      engine,
      loop(
        '    for_each: [0, 1, 2]\n    mode: parallel',
        `      - id: w
        type: skill
        skill: "probe.gate"
        inputs: { id: "i\${ loop.item }" }
        when: "\${ loop.item != 1 }"
      - { id: f, type: skill, skill: probe.fail, when: "\${ loop.item == 1 }", inputs: { id: f, ms: 10, code: broke } }`,
      ),
    );
    expect(result.error).toMatchObject({ code: 'broke', step: 'l[1].f' });
    expect(probes.log).toEqual(expect.arrayContaining(['abort:i0:cancelled', 'abort:i2:cancelled']));
  });

  it('continue: a failed iteration yields null and the loop completes', async () => {
    const { engine } = await setup();
    const result = await runDoc(
      engine,
      loop(
        '    for_each: [0, 1, 2]\n    on_error: continue',
        `      - { id: f, type: fail, code: nope, when: "\${ loop.item == 1 }" }
      - { id: v, type: skill, skill: transform, inputs: { value: "\${ loop.item }" } }`,
      ),
    );
    expect(result).toMatchObject({ status: 'completed', output: [0, null, 2] });
    const states = await stepStates(engine, result.runId);
    expect(states).toMatchObject({ 'l[1].f': 'failed', 'l[1].v': 'blocked', 'l[2].v': 'completed' });
  });

  it('collect: runs every iteration, then fails with all the errors in details.errors', async () => {
    const { engine } = await setup();
    const result = await runDoc(
      engine,
      loop(
        '    for_each: [0, 1, 2, 3]\n    mode: parallel\n    on_error: collect',
        '      - { id: f, type: fail, code: "odd${ loop.item }", message: "item ${ loop.item } is odd", when: "${ loop.item % 2 == 1 }" }',
      ),
    );
    expect(result.error).toMatchObject({ code: 'odd1', step: 'l' });
    expect(result.error?.message).toBe(
      "step 'l': 2 of 4 iterations failed: [1] item 1 is odd; [3] item 3 is odd",
    );
    expect(result.error?.errors).toEqual([
      expect.objectContaining({ index: 1, code: 'odd1', step: 'l[1].f' }),
      expect.objectContaining({ index: 3, code: 'odd3', step: 'l[3].f' }),
    ]);
    const states = await stepStates(engine, result.runId);
    expect(states).toMatchObject({ 'l[0].f': 'skipped', 'l[2].f': 'skipped' });
  });
});

describe('loop: timeout', () => {
  it('a loop over its timeout fails with timeout, cancels the iteration running and starts no more', async () => {
    const { engine, probes } = await setup();
    const result = await runDoc(
      engine,
      loop(
        '    for_each: ${ inputs.items }\n    on_error: continue\n    timeout: 50ms',
        '      - { id: g, type: skill, skill: probe.gate, inputs: { id: "g${ loop.index }" } }',
      ),
      { items: Array.from({ length: 100 }, (_, i) => i) },
    );
    expect(result.error).toMatchObject({
      code: 'timeout',
      step: 'l',
      message: "step 'l' timed out after 50ms (attempt 1)",
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(probes.log).toEqual(['start:g0', 'abort:g0:timeout']);
    expect(Object.keys(await stepStates(engine, result.runId)).sort()).toEqual(['l', 'l[0].g']);
  });
});

describe('loop: resume', () => {
  it('re-executed after an interruption, it keeps keys and output; finished iterations are not rerun', async () => {
    const source = loop(
      '    for_each: [a, b, c]',
      `      - { id: w, type: skill, skill: probe.wait, when: "\${ loop.item != 'b' }", inputs: { id: "\${ loop.item }", value: "\${ loop.item }" } }
      - { id: g, type: skill, skill: probe.gate, when: "\${ loop.item == 'b' }", inputs: { id: gate, value: B } }`,
    );
    const { result, after, states } = await interruptAndResume(source, 'gate', { done: ['l[0].w'] });
    expect(result).toMatchObject({ status: 'completed', output: ['a', 'B', 'c'] });
    expect(after).toEqual(['start:gate', 'end:gate', 'start:c', 'end:c']);
    expect(states).toEqual({
      l: 'completed',
      'l[0].w': 'completed',
      'l[0].g': 'skipped',
      'l[1].w': 'skipped',
      'l[1].g': 'completed',
      'l[2].w': 'completed',
      'l[2].g': 'skipped',
    });
  });
});
