import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../src/engine/create-engine.js';
import type { WeftEngine } from '../src/engine/engine.js';
import { SimulatedClock } from '../src/engine/simulated-clock.js';
import type { RunResult } from '../src/engine/types.js';
import { WeftError } from '../src/errors.js';
import type { AnyWeftEvent } from '../src/events/types.js';
import { defineSkill } from '../src/skills/types.js';
import { FlakyServer } from './support/flaky-server.js';

const T0 = 1_750_000_000_000;
let clock: SimulatedClock;
const server = new FlakyServer(() => clock.now());
const engines: WeftEngine[] = [];

beforeAll(() => server.start());
afterAll(() => server.close());
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()));
});

async function engineWith(options: { clock?: SimulatedClock; dir?: string } = {}) {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'weft-retries-'));
  const engine = await createEngine({
    store: `sqlite:${join(dir, 'weft.db')}`,
    cwd: dir,
    clock: options.clock,
  });
  engines.push(engine);
  return { engine, dir };
}

/**
 * Runs `source` on `clock`: whenever timers are set and the run waits for them, time jumps to the
 * next one. Returns the result and the step.retrying events.
 */
async function runSimulated(engine: WeftEngine, source: string) {
  const retrying: AnyWeftEvent[] = [];
  engine.on('step.retrying', (event) => retrying.push(event));
  const handle = await engine.start({ source });
  let result: RunResult | undefined;
  void handle.result().then((r) => {
    result = r;
  });
  while (!result) {
    await new Promise((resolve) => setTimeout(resolve, 2));
    const next = clock.nextAt;
    if (next !== undefined) clock.set(next);
  }
  return { result, retrying, steps: (await engine.getRun(result.runId))!.steps };
}

const fetchDoc = (url: string, retry: string, extra = '') => `name: fetching
steps:
  - id: fetch
    type: skill
    skill: http
    inputs: { url: "${url}" }
    retry: ${retry}${extra}
`;

describe('retries against a failing HTTP server (simulated clock)', () => {
  const cases = [
    {
      name: 'exponential',
      retry: '{ max_attempts: 4, backoff: exponential, delay: 1s, multiplier: 2 }',
      times: [0, 1000, 3000, 7000],
    },
    {
      name: 'exponential capped by max_delay',
      retry: '{ max_attempts: 4, backoff: exponential, delay: 1s, max_delay: 1500ms }',
      times: [0, 1000, 2500, 4000],
    },
    { name: 'fixed', retry: '{ max_attempts: 4, backoff: fixed, delay: 1s }', times: [0, 1000, 2000, 3000] },
    {
      name: 'linear',
      retry: '{ max_attempts: 4, backoff: linear, delay: 1s, increment: 500ms }',
      times: [0, 1000, 2500, 4500],
    },
    { name: 'immediate', retry: '{ max_attempts: 4, backoff: immediate }', times: [0, 0, 0, 0] },
  ];

  it.each(cases)('$name: attempts at the policy times, then success', async ({ name, retry, times }) => {
    clock = new SimulatedClock(T0);
    const { engine } = await engineWith({ clock });
    const path = `/ok-${name.replace(/\W/g, '-')}`;
    const url = server.script(path, [500, 502, 503, 200]);
    const { result, retrying, steps } = await runSimulated(engine, fetchDoc(url, retry));
    expect(result).toMatchObject({ status: 'completed', output: { status: 200, body: { request: 4 } } });
    expect(server.times(path)).toEqual(times);
    const delays = times.slice(1).map((t, i) => t - times[i]!);
    expect(retrying.map((e) => (e.data as { delayMs: number }).delayMs)).toEqual(delays);
    expect(steps.map((s) => [s.attempt, s.status, s.error?.status ?? null])).toEqual([
      [1, 'failed', 500],
      [2, 'failed', 502],
      [3, 'failed', 503],
      [4, 'completed', null],
    ]);
  });

  it.each(cases)('$name: fails after max_attempts with the last error', async ({ name, retry, times }) => {
    clock = new SimulatedClock(T0);
    const { engine } = await engineWith({ clock });
    const path = `/down-${name.replace(/\W/g, '-')}`;
    const url = server.script(path, [500]);
    const { result, steps } = await runSimulated(engine, fetchDoc(url, retry));
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'http_status', status: 500, step: 'fetch', attempt: 4 });
    expect(server.times(path)).toEqual(times);
    expect(steps.map((s) => s.status)).toEqual(['failed', 'failed', 'failed', 'failed']);
    expect(steps.every((s) => s.error?.code === 'http_status')).toBe(true);
  });

  it('waits for a longer Retry-After of a 503, and keeps the policy delay when it is shorter', async () => {
    clock = new SimulatedClock(T0);
    const { engine } = await engineWith({ clock });
    const url = server.script('/busy', [
      { status: 503, retryAfter: '5' },
      { status: 503, retryAfter: '0' },
      200,
    ]);
    const { result, retrying } = await runSimulated(
      engine,
      fetchDoc(url, '{ max_attempts: 3, backoff: fixed, delay: 1s }'),
    );
    expect(result.status).toBe('completed');
    expect(server.times('/busy')).toEqual([0, 5000, 6000]);
    expect(retrying.map((e) => (e.data as { delayMs: number }).delayMs)).toEqual([5000, 1000]);
  });

  it('keeps jittered delays within [1-j, 1+j] of the policy delay', async () => {
    clock = new SimulatedClock(T0);
    const { engine } = await engineWith({ clock });
    const url = server.script('/jitter', [500, 500, 500, 500, 500, 200]);
    const { result, retrying } = await runSimulated(
      engine,
      fetchDoc(url, '{ max_attempts: 6, backoff: fixed, delay: 1s, jitter: 0.5 }'),
    );
    expect(result.status).toBe('completed');
    const delays = retrying.map((e) => (e.data as { delayMs: number }).delayMs);
    expect(delays).toHaveLength(5);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(500);
      expect(delay).toBeLessThanOrEqual(1500);
    }
    const times = server.times('/jitter');
    expect(times.slice(1).map((t, i) => t - times[i]!)).toEqual(delays);
  });

  it('retries only the codes and statuses named by retry_on and retry_on_status', async () => {
    clock = new SimulatedClock(T0);
    const { engine } = await engineWith({ clock });
    const only503 = server.script('/only-503', [500, 200]);
    const a = await runSimulated(engine, fetchDoc(only503, '{ max_attempts: 3, retry_on_status: [503] }'));
    expect(a.result.status).toBe('failed');
    expect(server.times('/only-503')).toEqual([0]);
    const onlyTimeout = server.script('/only-timeout', [503, 200]);
    const b = await runSimulated(engine, fetchDoc(onlyTimeout, '{ max_attempts: 3, retry_on: [timeout] }'));
    expect(b.result.status).toBe('failed');
    expect(server.times('/only-timeout')).toEqual([0]);
    const statusListed = server.script('/listed', [429, 200]);
    const c = await runSimulated(
      engine,
      fetchDoc(
        statusListed,
        '{ max_attempts: 3, delay: 1s, retry_on: [http_status], retry_on_status: [429] }',
      ),
    );
    expect(c.result.status).toBe('completed');
    expect(server.times('/listed')).toEqual([0, 1000]);
  });

  it('sends one Idempotency-Key for every attempt of a step, derived from run and step key', async () => {
    clock = new SimulatedClock(T0);
    const { engine } = await engineWith({ clock });
    const url = server.script('/idem', [500, 500, 200]);
    const { result } = await runSimulated(engine, fetchDoc(url, '{ max_attempts: 3, backoff: immediate }'));
    const keys = server.seen.filter((s) => s.path === '/idem').map((s) => s.idempotencyKey);
    expect(keys).toEqual([`${result.runId}:fetch`, `${result.runId}:fetch`, `${result.runId}:fetch`]);
  });

  it('applies defaults.retry to a step without retry; a step retry wins', async () => {
    clock = new SimulatedClock(T0);
    const { engine } = await engineWith({ clock });
    const a = server.script('/defaulted', [500, 200]);
    const b = server.script('/own', [500, 500, 200]);
    const { result } = await runSimulated(
      engine,
      `name: defaults
defaults:
  retry: { max_attempts: 2, backoff: fixed, delay: 2s }
steps:
  - { id: a, type: skill, skill: http, inputs: { url: "${a}" } }
  - { id: b, type: skill, skill: http, inputs: { url: "${b}" }, retry: { max_attempts: 3, backoff: fixed, delay: 1s } }
`,
    );
    expect(result.status).toBe('completed');
    expect(server.times('/defaulted')).toEqual([0, 2000]);
    expect(server.times('/own')).toEqual([0, 1000, 2000]);
  });

  it('keeps the retry schedule of an interrupted run: a resumed run retries at the time first set', async () => {
    clock = new SimulatedClock(T0);
    const first = await engineWith({ clock });
    const url = server.script('/resumed', [500, 200]);
    const handle = await first.engine.start({
      source: fetchDoc(url, '{ max_attempts: 2, backoff: fixed, delay: 10s }'),
    });
    while (clock.nextAt === undefined) await new Promise((resolve) => setTimeout(resolve, 2));
    expect(clock.nextAt).toBe(T0 + 10_000);
    await first.engine.close();
    engines.splice(engines.indexOf(first.engine), 1);

    clock = new SimulatedClock(T0 + 4000);
    const second = await engineWith({ clock, dir: first.dir });
    const resumed = await second.engine.resume(handle.runId);
    while (clock.nextAt === undefined) await new Promise((resolve) => setTimeout(resolve, 2));
    expect(clock.nextAt).toBe(T0 + 10_000);
    clock.set(T0 + 10_000);
    expect(await resumed.result()).toMatchObject({ status: 'completed' });
    expect(server.times('/resumed')).toEqual([0, 10_000]);
    const events = await second.engine.getEvents(handle.runId);
    expect(events.filter((e) => e.type === 'step.retrying')).toHaveLength(1);
  });
});

describe('retries and errors that are never retried', () => {
  it('never retries validation_failed, expression_error or cancelled, whatever retry_on says', async () => {
    const { engine } = await engineWith();
    const calls: string[] = [];
    engine.registerSkill(
      defineSkill<{ code: string }>({
        name: 'refuse',
        run({ code }) {
          calls.push(code);
          throw new WeftError(code, `refused with ${code}`);
        },
      }),
    );
    for (const code of ['validation_failed', 'cancelled']) {
      const handle = await engine.start({
        source: `name: refusing
steps:
  - { id: s, type: skill, skill: refuse, inputs: { code: ${code} }, retry: { max_attempts: 3, backoff: immediate, retry_on: [${code}] } }
`,
      });
      expect(await handle.result()).toMatchObject({ status: 'failed', error: { code } });
    }
    const handle = await engine.start({
      source: `name: bad-expression
steps:
  - { id: s, type: skill, skill: refuse, inputs: { code: "\${ inputs.missing.deeper }" }, retry: { max_attempts: 3, backoff: immediate } }
`,
    });
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'failed', error: { code: 'expression_error' } });
    expect((await engine.getRun(result.runId))!.steps.map((s) => s.attempt)).toEqual([1]);
    expect(calls).toEqual(['validation_failed', 'cancelled']);
  });
});

describe('timeouts fire the AbortSignal and are recorded as timeout', () => {
  /** A skill that never ends on its own; it records the code its signal fired with. */
  function hanging(engine: WeftEngine, aborted: string[]) {
    engine.registerSkill(
      defineSkill<{ id: string }>({
        name: 'hang',
        run({ id }, ctx) {
          return new Promise((_resolve, reject) => {
            ctx.signal.addEventListener('abort', () => {
              aborted.push(`${id}:${WeftError.from(ctx.signal.reason).code}`);
              reject(ctx.signal.reason);
            });
          });
        },
      }),
    );
  }

  it('per attempt: each attempt gets its own timeout, and a retry on timeout can succeed', async () => {
    const { engine } = await engineWith();
    const url = server.script('/slow-then-ok', ['hang', 200]);
    const handle = await engine.start({
      source: fetchDoc(
        url,
        '{ max_attempts: 2, backoff: immediate, retry_on: [timeout] }',
        '\n    timeout: 150ms',
      ),
    });
    const result = await handle.result();
    expect(result.status).toBe('completed');
    const steps = (await engine.getRun(result.runId))!.steps;
    expect(steps.map((s) => [s.attempt, s.status, s.error?.code ?? null])).toEqual([
      [1, 'failed', 'timeout'],
      [2, 'completed', null],
    ]);
  });

  it('per attempt, composite step and run deadline: the signal fires with timeout', async () => {
    const { engine } = await engineWith();
    const aborted: string[] = [];
    hanging(engine, aborted);
    const attempt = await (
      await engine.start({
        source: `name: t1
steps:
  - { id: leaf, type: skill, skill: hang, inputs: { id: leaf }, timeout: 100ms }
`,
      })
    ).result();
    expect(attempt.error).toMatchObject({ code: 'timeout', step: 'leaf' });
    const composite = await (
      await engine.start({
        source: `name: t2
steps:
  - id: group
    type: parallel
    timeout: 100ms
    steps:
      - { id: inner, type: skill, skill: hang, inputs: { id: inner } }
`,
      })
    ).result();
    expect(composite.error?.code).toBe('timeout');
    const compositeSteps = (await engine.getRun(composite.runId))!.steps;
    expect(compositeSteps.find((s) => s.stepKey === 'group')?.error?.code).toBe('timeout');
    const deadline = await (
      await engine.start({
        source: `name: t3
limits: { timeout: 150ms }
steps:
  - { id: last, type: skill, skill: hang, inputs: { id: last } }
`,
      })
    ).result();
    expect(deadline.error?.code).toBe('timeout');
    const deadlineSteps = (await engine.getRun(deadline.runId))!.steps;
    expect(deadlineSteps.find((s) => s.stepKey === 'last')?.error?.code).toBe('timeout');
    expect(aborted).toEqual(['leaf:timeout', 'inner:timeout', 'last:timeout']);
  });
});
