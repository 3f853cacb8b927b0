import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AnyWeftEvent } from '../events/types.js';
import { defineSkill } from '../skills/types.js';
import { createEngine } from './create-engine.js';
import type { WeftEngine } from './engine.js';

const engines: WeftEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()));
});

async function engineOn(
  dir = mkdtempSync(join(tmpdir(), 'weft-engine-')),
  options: { secrets?: Record<string, string> } = {},
) {
  const engine = await createEngine({ store: `sqlite:${join(dir, 'weft.db')}`, cwd: dir, ...options });
  engines.push(engine);
  return engine;
}

async function run(engine: WeftEngine, source: string, input?: unknown) {
  const handle = await engine.start({ source }, input);
  return { handle, result: await handle.result() };
}

describe('engine: sequential and graph lists', () => {
  it('runs a sequential list, each step seeing the ones before, and defaults the output to the last step', async () => {
    const engine = await engineOn();
    const { result } = await run(
      engine,
      `name: seq
steps:
  - { id: a, type: skill, skill: echo, inputs: { n: 1 } }
  - { id: b, type: skill, skill: echo, inputs: { n: "\${ steps.a.output.n + 1 }" } }
  - { id: c, type: skill, skill: transform, inputs: { value: "\${ steps.b.output.n * 10 }" } }
`,
    );
    expect(result).toMatchObject({ status: 'completed', output: 20, error: null });
    const details = await engine.getRun(result.runId);
    expect(details?.steps.map((s) => [s.stepKey, s.status, s.attempt])).toEqual([
      ['a', 'completed', 1],
      ['b', 'completed', 1],
      ['c', 'completed', 1],
    ]);
    expect(details?.run.status).toBe('completed');
  });

  it('runs independent graph steps at once and joins them', async () => {
    let running = 0;
    let peak = 0;
    const engine = await engineOn();
    engine.registerSkill(
      defineSkill({
        name: 'slow',
        async run(input: { v: number }) {
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 30));
          running--;
          return input.v;
        },
      }),
    );
    const { result } = await run(
      engine,
      `name: graph
steps:
  - { id: a, type: skill, skill: slow, inputs: { v: 1 } }
  - { id: b, type: skill, skill: slow, inputs: { v: 2 } }
  - { id: c, type: skill, skill: slow, inputs: { v: 3 } }
  - { id: sum, type: skill, skill: transform, needs: [a, b, c], inputs: { value: "\${ steps.a.output + steps.b.output + steps.c.output }" } }
`,
    );
    expect(result.output).toBe(6);
    expect(peak).toBe(3);
  });

  it('respects limits.max_parallelism', async () => {
    let running = 0;
    let peak = 0;
    const engine = await engineOn();
    engine.registerSkill(
      defineSkill({
        name: 'slow',
        async run() {
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 20));
          running--;
          return null;
        },
      }),
    );
    const steps = Array.from(
      { length: 6 },
      (_, i) => `  - { id: s${i}, type: skill, skill: slow, needs: [] }`,
    ).join('\n');
    const { result } = await run(engine, `name: limited\nlimits: { max_parallelism: 2 }\nsteps:\n${steps}\n`);
    expect(result.status).toBe('completed');
    expect(peak).toBe(2);
  });

  it('blocks the dependents of a failed step and fails the run with the step error', async () => {
    const engine = await engineOn();
    const { result } = await run(
      engine,
      `name: blocked
steps:
  - { id: bad, type: fail, code: bad_input, message: "no good" }
  - { id: other, type: skill, skill: echo, needs: [] }
  - { id: after, type: skill, skill: echo, needs: [bad] }
  - { id: later, type: skill, skill: echo, needs: [after] }
`,
    );
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'bad_input', message: 'no good', step: 'bad' });
    const steps = (await engine.getRun(result.runId))!.steps;
    const status = Object.fromEntries(steps.map((s) => [s.stepKey, s.status]));
    expect(status).toEqual({ bad: 'failed', other: 'completed', after: 'blocked', later: 'blocked' });
  });

  it('skips a step whose when is false; its dependents run and see null', async () => {
    const engine = await engineOn();
    const { result } = await run(
      engine,
      `name: skipping
steps:
  - { id: maybe, type: skill, skill: echo, when: "inputs.go", inputs: { v: 1 } }
  - { id: next, type: skill, skill: transform, inputs: { value: "\${ steps.maybe.output == null ? 'none' : 'some' }" } }
`,
      { go: false },
    );
    expect(result.output).toBe('none');
    const steps = (await engine.getRun(result.runId))!.steps;
    expect(steps.find((s) => s.stepKey === 'maybe')?.status).toBe('skipped');
  });
});

describe('engine: data flow', () => {
  it('maps a step result through `output` and the workflow output expression', async () => {
    const engine = await engineOn();
    const { result } = await run(
      engine,
      `name: mapping
steps:
  - id: a
    type: skill
    skill: echo
    inputs: { items: [1, 2, 3] }
    output: { count: "\${ size(result.items) }" }
output: { total: "\${ steps.a.output.count }", name: "\${ run.workflow }" }
`,
    );
    expect(result.output).toEqual({ total: 3, name: 'mapping' });
  });

  it('applies input defaults and refuses an invalid input before anything is stored', async () => {
    const engine = await engineOn();
    const doc = `name: typed
inputs:
  type: object
  properties:
    n: { type: integer }
    label: { type: string, default: hi }
  required: [n]
steps:
  - { id: a, type: skill, skill: transform, inputs: { value: "\${ inputs.label + string(inputs.n) }" } }
`;
    expect((await run(engine, doc, { n: 4 })).result.output).toBe('hi4');
    await expect(engine.start({ source: doc }, { n: 'four' })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('input.n must be integer'),
    });
    expect(await engine.listRuns()).toHaveLength(1);
  });

  it('writes and reads run variables with set', async () => {
    const engine = await engineOn();
    const { result } = await run(
      engine,
      `name: vars
steps:
  - { id: init, type: set, values: { count: 1, label: "x" } }
  - { id: bump, type: set, values: { count: "\${ vars.count + 1 }" } }
output: "\${ vars.label + string(vars.count) }"
`,
    );
    expect(result.output).toBe('x2');
  });

  it('fails a step with expression_error naming the expression and the step', async () => {
    const engine = await engineOn();
    const { result } = await run(
      engine,
      `name: missing
steps:
  - { id: a, type: skill, skill: echo, inputs: { v: "\${ inputs.nope }" } }
`,
    );
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('expression_error');
    expect(result.error?.message).toContain("step 'a'");
    expect(result.error?.message).toContain('inputs.nope');
  });

  it('lets async steps run on while later steps go on, and waits for them where read', async () => {
    const order: string[] = [];
    const engine = await engineOn();
    engine.registerSkill(
      defineSkill({
        name: 'track',
        async run(input: { name: string; ms: number }) {
          order.push(`start ${input.name}`);
          await new Promise((r) => setTimeout(r, input.ms));
          order.push(`end ${input.name}`);
          return input.name;
        },
      }),
    );
    const { result } = await run(
      engine,
      `name: asyncs
steps:
  - { id: bg, type: skill, skill: track, async: true, inputs: { name: bg, ms: 40 } }
  - { id: fg, type: skill, skill: track, inputs: { name: fg, ms: 1 } }
  - { id: join, type: skill, skill: transform, inputs: { value: "\${ steps.bg.output + '+' + steps.fg.output }" } }
`,
    );
    expect(result.output).toBe('bg+fg');
    expect(order).toEqual(['start bg', 'start fg', 'end fg', 'end bg']);
  });
});

describe('engine: failure handling', () => {
  it('retries with the step policy and records every attempt', async () => {
    let calls = 0;
    const engine = await engineOn();
    engine.registerSkill(
      defineSkill({
        name: 'flaky',
        run() {
          calls++;
          if (calls < 3) throw new Error(`boom ${calls}`);
          return 'ok';
        },
      }),
    );
    const events: AnyWeftEvent[] = [];
    engine.on('step.retrying', (e) => events.push(e));
    const { result } = await run(
      engine,
      `name: retrying
steps:
  - { id: a, type: skill, skill: flaky, retry: { max_attempts: 3, backoff: fixed, delay: 5ms } }
`,
    );
    expect(result.output).toBe('ok');
    const steps = (await engine.getRun(result.runId))!.steps;
    expect(steps.map((s) => [s.attempt, s.status, s.error?.message ?? null])).toEqual([
      [1, 'failed', 'boom 1'],
      [2, 'failed', 'boom 2'],
      [3, 'completed', null],
    ]);
    expect(events.map((e) => e.data)).toMatchObject([
      { attempt: 1, delayMs: 5 },
      { attempt: 2, delayMs: 5 },
    ]);
  });

  it('runs catch steps with the error bound, and on_error skip goes on', async () => {
    const engine = await engineOn();
    const { result } = await run(
      engine,
      `name: handled
steps:
  - id: caught
    type: fail
    code: nope
    message: first
    catch:
      - { id: handler, type: skill, skill: transform, inputs: { value: "\${ 'handled ' + error.code }" } }
  - { id: skipped, type: fail, code: nope, message: second, on_error: skip }
  - { id: last, type: skill, skill: transform, inputs: { value: "\${ steps.caught.output + '/' + steps.skipped.status }" } }
`,
    );
    expect(result).toMatchObject({ status: 'completed', output: 'handled nope/skipped' });
  });

  it('fails a step at its timeout and kills the shell process group', async () => {
    const engine = await engineOn();
    const started = Date.now();
    const { result } = await run(
      engine,
      `name: slow-shell
steps:
  - { id: slow, type: skill, skill: shell, timeout: 200ms, inputs: { command: "sleep 5 & sleep 5; wait" } }
`,
    );
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'timeout', step: 'slow' });
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('fails the run with timeout at limits.timeout', async () => {
    const engine = await engineOn();
    const { result } = await run(
      engine,
      `name: deadline
limits: { timeout: 150ms }
steps:
  - { id: wait, type: skill, skill: sleep, inputs: { duration: 5s } }
  - { id: never, type: skill, skill: echo }
`,
    );
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('timeout');
    const steps = (await engine.getRun(result.runId))!.steps;
    expect(steps.find((s) => s.stepKey === 'never')?.status).toBe('blocked');
  });
});

describe('engine: events and history', () => {
  it('emits typed events with gapless sequence numbers that match the stored history', async () => {
    const engine = await engineOn();
    const seen: AnyWeftEvent[] = [];
    engine.on('*', (e) => seen.push(e));
    const { result } = await run(
      engine,
      `name: evented
steps:
  - { id: a, type: skill, skill: log, inputs: { message: hello } }
  - { id: b, type: skill, skill: echo, inputs: { x: 1 } }
`,
    );
    const mine = seen.filter((e) => e.runId === result.runId);
    expect(mine.map((e) => e.seq)).toEqual(mine.map((_, i) => i + 1));
    expect(mine.map((e) => `${e.type}:${e.stepKey ?? ''}`)).toEqual([
      'run.started:',
      'step.started:a',
      'step.log:a',
      'step.completed:a',
      'step.started:b',
      'step.completed:b',
      'run.completed:',
    ]);
    const stored = await engine.getEvents(result.runId);
    expect(stored.map((e) => [e.seq, e.type])).toEqual(mine.map((e) => [e.seq, e.type]));
    expect((await engine.getEvents(result.runId, 5)).map((e) => e.seq)).toEqual([6, 7]);
    expect((await engine.getRun(result.runId))!.run.lastSeq).toBe(7);
  });

  it('never writes secret values to the store, even when a step echoes them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-secret-'));
    const secret = 'sk-live-4f9a8b7c6d5e';
    const engine = await engineOn(dir, { secrets: { API_TOKEN: secret } });
    const { result } = await run(
      engine,
      `name: secretive
steps:
  - { id: call, type: skill, skill: echo, inputs: { auth: "Bearer \${ secrets.API_TOKEN }" } }
  - { id: say, type: skill, skill: log, inputs: { message: "token is \${ secrets.API_TOKEN }" } }
  - { id: check, type: skill, skill: transform, inputs: { value: "\${ steps.call.output.auth.endsWith(secrets.API_TOKEN) }" } }
output: { auth: "\${ steps.call.output.auth }", ok: "\${ steps.check.output }" }
`,
    );
    expect(result.status).toBe('completed');
    expect(result.output).toEqual({ auth: 'Bearer ***', ok: true });
    await engine.close();
    for (const file of ['weft.db', 'weft.db-wal']) {
      let bytes = '';
      try {
        bytes = readFileSync(join(dir, file)).toString('latin1');
      } catch {
        continue;
      }
      expect(bytes).not.toContain(secret);
    }
  });
});

describe('engine: leases', () => {
  it('refuses to resume a run another live engine holds, and resumes it once released', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-lease-'));
    const first = await engineOn(dir);
    const second = await engineOn(dir);
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    first.registerSkill(defineSkill({ name: 'gate', run: () => gate.then(() => 'opened') }));
    second.registerSkill(defineSkill({ name: 'gate', run: () => 'second' }));
    const handle = await first.start({
      source: 'name: leased\nsteps:\n  - { id: g, type: skill, skill: gate }\n',
    });
    await expect(second.resume(handle.runId)).rejects.toMatchObject({ code: 'conflict' });
    release();
    expect((await handle.result()).output).toBe('opened');
    await expect(second.resume(handle.runId)).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('already ended'),
    });
  });
});
