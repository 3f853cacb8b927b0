import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../create-engine.js';
import type { WeftEngine } from '../engine.js';
import type { EngineOptions } from '../types.js';

const engines: WeftEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()));
});

async function engineWith(options: Partial<EngineOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'weft-hooks-'));
  const engine = await createEngine({ store: `sqlite:${join(dir, 'weft.db')}`, cwd: dir, ...options });
  engines.push(engine);
  return engine;
}

async function run(engine: WeftEngine, source: string, input?: unknown) {
  return (await engine.start({ source }, input)).result();
}

async function events(engine: WeftEngine, runId: string, type: string) {
  return (await engine.getEvents(runId)).filter((e) => e.type === type).map((e) => e.data);
}

const two = `name: two
steps:
  - { id: a, type: skill, skill: echo, inputs: { n: 1 } }
  - { id: b, type: skill, skill: echo, inputs: { n: "\${ steps.a.output.n + 1 }" } }
`;

describe('hooks', () => {
  it('beforeRun and afterRun see the run, its input and its end', async () => {
    const seen: unknown[] = [];
    const engine = await engineWith({
      hooks: {
        beforeRun: (ctx) => void seen.push(['before', ctx.workflow, ctx.input]),
        afterRun: (ctx) => void seen.push(['after', ctx.status, ctx.output]),
      },
    });
    const result = await run(engine, two, { x: 1 });
    expect(seen).toEqual([
      ['before', 'two', { x: 1 }],
      ['after', 'completed', { n: 2 }],
    ]);
    expect(result.status).toBe('completed');
  });

  it('beforeStep replaces resolved inputs, skips with a reason, or fails the step', async () => {
    const engine = await engineWith();
    engine.hook('beforeStep', ({ stepId, input }) => {
      if (stepId === 'a') return { input: { n: (input as { n: number }).n * 10 } };
      return undefined;
    });
    expect((await run(engine, two)).output).toEqual({ n: 11 });

    const skipping = await engineWith({
      hooks: { beforeStep: (ctx) => (ctx.stepId === 'b' ? { skip: 'not today' } : undefined) },
    });
    const skipped = await run(skipping, two);
    expect(skipped.status).toBe('completed');
    const details = await skipping.getRun(skipped.runId);
    expect(details?.steps.find((s) => s.stepKey === 'b')).toMatchObject({
      status: 'skipped',
      meta: { reason: 'beforeStep hook: not today' },
    });

    const failing = await engineWith({
      hooks: { beforeStep: (ctx) => (ctx.stepId === 'a' ? { fail: 'refused' } : undefined) },
    });
    const failed = await run(failing, two);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({ code: 'hook_failed' });
    expect(failed.error?.message).toContain('refused');
  });

  it('afterStep replaces the output later steps read', async () => {
    const engine = await engineWith({
      hooks: { afterStep: (ctx) => (ctx.stepId === 'a' ? { output: { n: 100 } } : undefined) },
    });
    const result = await run(engine, two);
    expect(result.output).toEqual({ n: 101 });
  });

  it('branch sees conditional, switch, fork-join and state machine decisions', async () => {
    const branches: unknown[] = [];
    const engine = await engineWith({
      hooks: { branch: (ctx) => void branches.push([ctx.stepKey, ctx.branch]) },
    });
    await run(
      engine,
      `name: branches
steps:
  - id: c
    type: conditional
    condition: inputs.n > 0
    then: [ { id: pos, type: skill, skill: echo, inputs: {} } ]
  - id: fj
    type: fork_join
    branches:
      left: [ { id: l, type: skill, skill: echo, inputs: {} } ]
      right: [ { id: r, type: skill, skill: echo, inputs: {} } ]
  - id: sw
    type: switch
    cases:
      - when: inputs.n > 5
        steps: [ { id: big, type: skill, skill: echo, inputs: {} } ]
    default: [ { id: small, type: skill, skill: echo, inputs: {} } ]
`,
      { n: 1 },
    );
    expect(branches).toEqual([
      ['c', 'then'],
      ['fj', ['left', 'right']],
      ['sw', 'default'],
    ]);
    branches.length = 0;
    await run(
      engine,
      `name: machine
type: state_machine
initial: a
states:
  a:
    transitions: [ { to: b } ]
  b: { terminal: true }
`,
    );
    expect(branches).toEqual([['states.a.1.transition', { from: 'a', to: 'b' }]]);
  });

  it('error retries, skips or supplies a result', async () => {
    let calls = 0;
    const flaky = `name: flaky
steps:
  - { id: f, type: skill, skill: flaky }
  - { id: after, type: skill, skill: echo, inputs: { got: "\${ steps.f.output }" } }
`;
    const skill = {
      name: 'flaky',
      async run() {
        calls++;
        if (calls < 2) throw new Error('first time fails');
        return 'ok';
      },
    };
    const retrying = await engineWith({ skills: [skill], hooks: { error: () => ({ retry: true }) } });
    expect((await run(retrying, flaky)).output).toEqual({ got: 'ok' });
    expect(calls).toBe(2);

    const failing = `name: failing
steps:
  - { id: f, type: fail, code: nope, message: broken }
  - { id: after, type: skill, skill: echo, inputs: { got: "\${ steps.f.output }", status: "\${ steps.f.status }" } }
`;
    const supplying = await engineWith({ hooks: { error: () => ({ output: 'fallback' }) } });
    expect((await run(supplying, failing)).output).toEqual({ got: 'fallback', status: 'completed' });

    const skipping = await engineWith({ hooks: { error: (ctx) => ({ skip: ctx.error.message }) } });
    expect((await run(skipping, failing)).output).toEqual({ got: null, status: 'skipped' });
  });

  it('a hook that throws or times out is recorded as hook.failed and the run goes on', async () => {
    const engine = await engineWith({
      hookTimeoutMs: 50,
      hooks: {
        beforeStep: (ctx) => {
          if (ctx.stepId === 'a') throw new Error('hook broke');
          return new Promise(() => {});
        },
      },
    });
    const result = await run(engine, two);
    expect(result.status).toBe('completed');
    expect(await events(engine, result.runId, 'hook.failed')).toEqual([
      { point: 'beforeStep', message: 'hook broke' },
      { point: 'beforeStep', message: "hook 'beforeStep' timed out after 50ms" },
    ]);
  });

  it('loads hook modules listed in config, and names a module that fails to load', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-hook-mod-'));
    writeFileSync(
      join(dir, 'audit.mjs'),
      "export default { afterStep: (ctx) => (ctx.stepId === 'b' ? { output: 'from module' } : undefined) };\n",
    );
    writeFileSync(join(dir, 'broken.mjs'), 'export default {{;\n');
    const engine = await engineWith({ cwd: dir, hookModules: ['audit.mjs'] });
    expect((await run(engine, two)).output).toBe('from module');
    await expect(engineWith({ cwd: dir, hookModules: ['broken.mjs'] })).rejects.toThrow(
      /hook module 'broken.mjs'.*failed to load/,
    );
    await expect(engineWith({ cwd: dir, hookModules: ['missing.mjs'] })).rejects.toThrow(
      /hook module 'missing.mjs'.*no such file/,
    );
  });

  it('rejects an unknown hook point', async () => {
    const engine = await engineWith();
    expect(() => engine.hook('beforeLunch' as never, () => undefined)).toThrow(/expected a hook point/);
  });
});
