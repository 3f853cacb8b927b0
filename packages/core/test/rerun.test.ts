import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../src/engine/create-engine.js';
import type { WeftEngine } from '../src/engine/engine.js';
import { WeftError } from '../src/errors.js';
import { defineSkill } from '../src/skills/types.js';
import { Probes } from './support/step-engine.js';

const engines: WeftEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()));
});

/** An engine whose `count` skill logs the step key of each execution; it fails while `fail` holds. */
async function countingEngine(probes = new Probes()) {
  const dir = mkdtempSync(join(tmpdir(), 'weft-rerun-'));
  const executed: string[] = [];
  const keys: string[] = [];
  const broken = new Set<string>();
  const engine = await createEngine({
    store: `sqlite:${join(dir, 'weft.db')}`,
    cwd: dir,
    skills: [
      ...probes.skills(),
      defineSkill<{ value?: unknown }>({
        name: 'count',
        run({ value }, ctx) {
          executed.push(ctx.stepKey);
          keys.push(ctx.idempotencyKey);
          if (broken.has(ctx.stepKey)) throw new WeftError('skill_error', `${ctx.stepKey} is broken`);
          return value ?? ctx.stepKey;
        },
      }),
    ],
  });
  engines.push(engine);
  return { engine, executed, keys, broken, probes };
}

const SEQUENCE = `name: sequence
steps:
  - { id: a, type: skill, skill: count, inputs: { value: "a-\${ inputs.tag }" } }
  - { id: b, type: skill, skill: count, inputs: { value: "\${ steps.a.output }+b" } }
  - { id: c, type: skill, skill: count, inputs: { value: "\${ steps.b.output }+c-\${ inputs.tag }" } }
  - { id: d, type: skill, skill: count, inputs: { value: "\${ steps.c.output }+d" } }
output: \${ steps.d.output }
`;

describe('rerun from a step', () => {
  it('dry run lists what runs again and what is reused; nothing starts', async () => {
    const { engine } = await countingEngine();
    const first = await (await engine.start({ source: SEQUENCE }, { tag: 'x' })).result();
    const plan = await engine.rerun(first.runId, { from: 'c', dryRun: true });
    expect(plan).toEqual({ sourceRunId: first.runId, from: 'c', execute: ['c', 'd'], reuse: ['a', 'b'] });
    expect(await engine.listRuns()).toHaveLength(1);
  });

  it('reuses the recorded outputs: the reused steps do not run again', async () => {
    const { engine, executed } = await countingEngine();
    const first = await (await engine.start({ source: SEQUENCE }, { tag: 'x' })).result();
    executed.length = 0;
    const rerun = await engine.rerun(first.runId, { from: 'c' });
    const result = await rerun.run!.result();
    expect(executed).toEqual(['c', 'd']);
    expect(result).toMatchObject({ status: 'completed', output: 'a-x+b+c-x+d' });
    expect(result.runId).not.toBe(first.runId);
    const { run, steps } = (await engine.getRun(result.runId))!;
    expect(run).toMatchObject({
      workflow: 'sequence',
      documentHash: (await engine.getRun(first.runId))!.run.documentHash,
      meta: expect.objectContaining({ rerun_of: first.runId, rerun_from: 'c' }),
    });
    const a = steps.find((s) => s.stepKey === 'a')!;
    expect(a).toMatchObject({
      status: 'completed',
      output: 'a-x',
      meta: { reused_from: { run_id: first.runId, attempt: 1 } },
    });
  });

  it('keeps the idempotency keys of the first run, so a target that dedupes does not repeat an effect', async () => {
    const { engine, keys } = await countingEngine();
    const first = await (await engine.start({ source: SEQUENCE }, { tag: 'x' })).result();
    keys.length = 0;
    const second = await (await engine.rerun(first.runId, { from: 'c' })).run!.result();
    const third = await (await engine.rerun(second.runId, { from: 'd' })).run!.result();
    expect(third.status).toBe('completed');
    expect(keys).toEqual([`${first.runId}:c`, `${first.runId}:d`, `${first.runId}:d`]);
  });

  it('runs again with a new input where it matters: the chosen step and downstream', async () => {
    const { engine, executed } = await countingEngine();
    const first = await (await engine.start({ source: SEQUENCE }, { tag: 'x' })).result();
    executed.length = 0;
    const rerun = await engine.rerun(first.runId, { from: 'c', input: { tag: 'y' } });
    expect(await rerun.run!.result()).toMatchObject({ status: 'completed', output: 'a-x+b+c-y+d' });
    expect(executed).toEqual(['c', 'd']);
  });

  it('follows needs in a graph: independent branches are reused', async () => {
    const { engine, executed } = await countingEngine();
    const first = await (
      await engine.start({
        source: `name: graph
steps:
  - { id: a, type: skill, skill: count, needs: [] }
  - { id: b, type: skill, skill: count, needs: [a] }
  - { id: c, type: skill, skill: count, needs: [a] }
  - { id: d, type: skill, skill: count, needs: [b, c], inputs: { value: "\${ steps.b.output }/\${ steps.c.output }" } }
  - { id: e, type: skill, skill: count, needs: [] }
  - { id: f, type: skill, skill: count, needs: [e] }
`,
      })
    ).result();
    const plan = await engine.rerun(first.runId, { from: 'b', dryRun: true });
    expect([...plan.execute].sort()).toEqual(['b', 'd']);
    expect([...plan.reuse].sort()).toEqual(['a', 'c', 'e', 'f']);
    executed.length = 0;
    expect(await (await engine.rerun(first.runId, { from: 'b' })).run!.result()).toMatchObject({
      status: 'completed',
    });
    expect(executed.sort()).toEqual(['b', 'd']);
  });

  it('reruns from a step inside a loop: earlier iterations and earlier body steps are reused', async () => {
    const { engine, executed } = await countingEngine();
    const first = await (
      await engine.start({
        source: `name: looping
steps:
  - { id: a, type: skill, skill: count }
  - id: each
    type: loop
    for_each: [1, 2, 3]
    steps:
      - { id: x, type: skill, skill: count, inputs: { value: "x\${ loop.item }" } }
      - { id: y, type: skill, skill: count, inputs: { value: "\${ steps.x.output }y" } }
  - { id: z, type: skill, skill: count, inputs: { value: "\${ steps.each.output }" } }
output: \${ steps.z.output }
`,
      })
    ).result();
    const plan = await engine.rerun(first.runId, { from: 'each[1].y', dryRun: true });
    expect([...plan.execute].sort()).toEqual(['each', 'each[1].y', 'each[2].x', 'each[2].y', 'z']);
    expect([...plan.reuse].sort()).toEqual(['a', 'each[0].x', 'each[0].y', 'each[1].x']);
    executed.length = 0;
    const result = await (await engine.rerun(first.runId, { from: 'each[1].y' })).run!.result();
    expect(result).toMatchObject({ status: 'completed', output: ['x1y', 'x2y', 'x3y'] });
    expect(executed).toEqual(['each[1].y', 'each[2].x', 'each[2].y', 'z']);
  });

  it('reruns a failed run from its failed step once fixed; steps it never reached run too', async () => {
    const { engine, executed, broken } = await countingEngine();
    broken.add('b');
    const first = await (await engine.start({ source: SEQUENCE }, { tag: 'x' })).result();
    expect(first.status).toBe('failed');
    const plan = await engine.rerun(first.runId, { from: 'b', dryRun: true });
    expect(plan).toMatchObject({ execute: ['b', 'c', 'd'], reuse: ['a'] });
    broken.clear();
    executed.length = 0;
    expect(await (await engine.rerun(first.runId, { from: 'b' })).run!.result()).toMatchObject({
      status: 'completed',
      output: 'a-x+b+c-x+d',
    });
    expect(executed).toEqual(['b', 'c', 'd']);
  });

  it('refuses an unknown run or step key, and a run that has not ended', async () => {
    const { engine, probes } = await countingEngine();
    await expect(engine.rerun('nope', { from: 'a' })).rejects.toMatchObject({ code: 'not_found' });
    const first = await (await engine.start({ source: SEQUENCE }, { tag: 'x' })).result();
    await expect(engine.rerun(first.runId, { from: 'cc' })).rejects.toMatchObject({
      code: 'not_found',
      message: `no step with key 'cc' was recorded in run ${first.runId} (did you mean 'c'?)`,
    });
    const running = await engine.start({
      source: 'name: held\nsteps:\n  - { id: g, type: skill, skill: probe.gate, inputs: { id: g } }\n',
    });
    await probes.reached('g');
    await expect(engine.rerun(running.runId, { from: 'g' })).rejects.toMatchObject({ code: 'conflict' });
    probes.open('g');
    await running.result();
    expect(await engine.listRuns()).toHaveLength(2);
  });
});
