import { describe, expect, it } from 'vitest';
import { openStore } from '../src/store/open-store.js';
import { completedTwice, crashAndRecover, reExecutedAfterCompletion } from './support/crash-harness.js';

const mark = (id: string, n: number | string, ms: number) =>
  `{ id: ${id}, type: skill, skill: mark, inputs: { n: ${n}, ms: ${ms} } }`;

/** `count` kill points spread evenly over `total` executions. */
const spread = (count: number, total: number) =>
  Array.from({ length: count }, (_, i) => Math.max(1, Math.floor(((i + 1) * (total - 2)) / count)));

describe('crash recovery (SIGKILL a real process)', () => {
  it('a 50-step run killed 20 times completes; nothing recorded done is executed again', async () => {
    const steps = Array.from({ length: 50 }, (_, i) => `  - ${mark(`s${i}`, i, 3 + (i % 4))}`);
    const outcome = await crashAndRecover(
      `name: crashy\nsteps:\n${steps.join('\n')}\noutput: "\${ steps.s49.output.n + steps.s0.output.n }"\n`,
      spread(20, 50),
    );
    expect(outcome.run).toMatchObject({ status: 'completed', output: 49 });
    const completed = outcome.steps.filter((s) => s.status === 'completed').map((s) => s.stepKey);
    expect(completed.sort()).toEqual(Array.from({ length: 50 }, (_, i) => `s${i}`).sort());
    expect(completedTwice(outcome.steps)).toEqual([]);
    expect(reExecutedAfterCompletion(outcome)).toEqual([]);
    // Every step ran; re-runs only for steps in flight at a kill.
    for (let i = 0; i < 50; i++) expect(outcome.executions).toContain(`s${i}`);
    expect(outcome.executions.length - 50).toBeLessThanOrEqual(20);
    const partial = outcome.snapshots.filter((s) => s.doneBefore.size > 0 && s.doneBefore.size < 50);
    expect(partial.length).toBeGreaterThan(10);
  });

  it('a parallel block killed mid-way keeps every child completed once', async () => {
    const children = Array.from({ length: 24 }, (_, i) => `      - ${mark(`p${i}`, i, 4 + (i % 3))}`);
    const outcome = await crashAndRecover(
      `name: par\nsteps:\n  - id: par\n    type: parallel\n    max_parallelism: 4\n    steps:\n${children.join('\n')}\noutput: "\${ size(steps.par.output) }"\n`,
      spread(6, 24),
    );
    expect(outcome.run).toMatchObject({ status: 'completed', output: 24 });
    expect(completedTwice(outcome.steps)).toEqual([]);
    expect(reExecutedAfterCompletion(outcome)).toEqual([]);
  });

  it('a loop killed between and during iterations returns every iteration in order', async () => {
    const outcome = await crashAndRecover(
      `name: looped
inputs: { type: object, properties: { items: { type: array, default: [${Array.from({ length: 30 }, (_, i) => i).join(', ')}] } } }
steps:
  - id: each
    type: loop
    for_each: \${ inputs.items }
    steps:
      - ${mark('body', '"${ loop.item }"', 3)}
output: "\${ steps.each.output.map(o, o.n) }"
`,
      spread(8, 30),
    );
    expect(outcome.run).toMatchObject({
      status: 'completed',
      output: Array.from({ length: 30 }, (_, i) => i),
    });
    expect(completedTwice(outcome.steps)).toEqual([]);
    expect(reExecutedAfterCompletion(outcome)).toEqual([]);
  });

  it('a fork-join killed mid-way joins every branch once', async () => {
    const branch = (name: string) =>
      `      ${name}:\n${Array.from({ length: 8 }, (_, i) => `        - ${mark(`${name}${i}`, i, 4 + (i % 3))}`).join('\n')}`;
    const outcome = await crashAndRecover(
      `name: forked\nsteps:\n  - id: fj\n    type: fork_join\n    branches:\n${['a', 'b', 'c'].map(branch).join('\n')}\noutput: "\${ steps.fj.output.a.n + steps.fj.output.b.n + steps.fj.output.c.n }"\n`,
      spread(8, 24),
    );
    expect(outcome.run).toMatchObject({ status: 'completed', output: 21 });
    expect(outcome.kills).toBeGreaterThanOrEqual(4);
    expect(completedTwice(outcome.steps)).toEqual([]);
    expect(reExecutedAfterCompletion(outcome)).toEqual([]);
  });

  it('a stream killed mid-way resumes after its completed items, with every result in order', async () => {
    const outcome = await crashAndRecover(
      `name: streamed
steps:
  - id: s
    type: stream
    source: { skill: file.lines, inputs: { path: data.txt } }
    buffer: 4
    max_parallelism: 2
    steps:
      - ${mark('m', '"${ int(loop.item) }"', 3)}
output: "\${ steps.s.output.results.map(o, o.n) }"
`,
      spread(8, 30),
      { files: { 'data.txt': `${Array.from({ length: 30 }, (_, i) => i).join('\n')}\n` } },
    );
    expect(outcome.run).toMatchObject({
      status: 'completed',
      output: Array.from({ length: 30 }, (_, i) => i),
    });
    expect(completedTwice(outcome.steps)).toEqual([]);
    expect(reExecutedAfterCompletion(outcome)).toEqual([]);
    for (let i = 0; i < 30; i++) expect(outcome.executions).toContain(`s[${i}].m`);
  });

  it('a workflow step killed while its child runs finds that child again: one child, nothing done twice', async () => {
    const child = Array.from({ length: 16 }, (_, i) => `  - ${mark(`c${i}`, i, 2 + (i % 3))}`);
    const outcome = await crashAndRecover(
      `name: parent
steps:
  - ${mark('p0', 0, 2)}
  - { id: sub, type: workflow, workflow: child.yaml, inputs: { base: 100 } }
  - ${mark('p1', '"${ steps.sub.output }"', 2)}
output: "\${ steps.p1.output.n }"
`,
      spread(6, 18),
      {
        files: {
          'child.yaml': `name: child\nsteps:\n${child.join('\n')}\noutput: "\${ inputs.base + steps.c15.output.n }"\n`,
        },
      },
    );
    expect(outcome.run).toMatchObject({ status: 'completed', output: 115 });
    expect(reExecutedAfterCompletion(outcome)).toEqual([]);
    const store = await openStore(`sqlite:${outcome.db}`);
    try {
      const children = await store.listRuns({ parentRunId: outcome.run!.id });
      expect(children.map((run) => run.status)).toEqual(['completed']);
      expect(completedTwice(await store.getSteps(children[0]!.id))).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
