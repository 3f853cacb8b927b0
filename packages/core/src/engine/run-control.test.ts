import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WeftError } from '../errors.js';
import { defineSkill } from '../skills/types.js';
import { createEngine } from './create-engine.js';
import type { WeftEngine } from './engine.js';

const engines: WeftEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()));
});

/** What the test skills saw, in order: `start:a`, `end:a`, `abort:a:<code>`. */
let log: string[] = [];
const releases = new Map<string, () => void>();

const skills = [
  defineSkill<{ id: string }>({
    name: 'hold',
    run: ({ id }, ctx) =>
      new Promise((resolve, reject) => {
        log.push(`start:${id}`);
        const onAbort = () => {
          log.push(`abort:${id}:${WeftError.from(ctx.signal.reason).code}`);
          reject(ctx.signal.reason);
        };
        releases.set(id, () => {
          ctx.signal.removeEventListener('abort', onAbort);
          log.push(`end:${id}`);
          resolve(id);
        });
        ctx.signal.addEventListener('abort', onAbort, { once: true });
      }),
  }),
  defineSkill<{ id: string }>({
    name: 'mark',
    run: ({ id }) => {
      log.push(`mark:${id}`);
      return id;
    },
  }),
];

async function engineOn(dir = mkdtempSync(join(tmpdir(), 'weft-control-')), maxPauseMs?: number) {
  const engine = await createEngine({
    store: `sqlite:${join(dir, 'weft.db')}`,
    cwd: dir,
    skills,
    maxPauseMs,
  });
  engines.push(engine);
  return { engine, dir };
}

async function until<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, ms = 5000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventsOf(engine: WeftEngine, runId: string, type: string) {
  return (await engine.getEvents(runId)).filter((event) => event.type === type).map((event) => event.data);
}

async function statusOf(engine: WeftEngine, runId: string) {
  return (await engine.store.getRun(runId))?.status;
}

/** A pid that is gone, or a zombie nobody reaped yet (its process group was killed). */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

const SEQUENCE = `name: seq
steps:
  - { id: a, type: skill, skill: hold, inputs: { id: a } }
  - { id: b, type: skill, skill: mark, inputs: { id: b } }
  - { id: c, type: skill, skill: mark, inputs: { id: c } }
`;

afterEach(() => {
  log = [];
  releases.clear();
});

describe('run control: pause and resume', () => {
  it('lets a running step finish, starts no next step while paused, and continues on resume', async () => {
    const { engine } = await engineOn();
    const handle = await engine.start({ source: SEQUENCE });
    await until(() => releases.has('a'));
    expect(await engine.pause(handle.runId, { by: 'ada', reason: 'deploy' })).toEqual({
      runId: handle.runId,
      appliedBy: 'here',
      owner: engine.owner,
    });
    expect(await statusOf(engine, handle.runId)).toBe('paused');
    expect(await eventsOf(engine, handle.runId, 'run.paused')).toEqual([{ by: 'ada', reason: 'deploy' }]);
    releases.get('a')?.();
    await until(
      async () =>
        (await engine.getRun(handle.runId))?.steps.find((s) => s.stepKey === 'a')?.status === 'completed',
    );
    await sleep(200);
    expect(log).toEqual(['start:a', 'end:a']);
    expect(await statusOf(engine, handle.runId)).toBe('paused');

    const resumed = await engine.resume(handle.runId, { by: 'bo' });
    expect(resumed).toMatchObject({ runId: handle.runId, unpaused: true, local: true });
    expect((await resumed.result()).status).toBe('completed');
    expect(log).toEqual(['start:a', 'end:a', 'mark:b', 'mark:c']);
    expect(await eventsOf(engine, handle.runId, 'run.resumed')).toEqual([{ by: 'bo' }]);
  });

  it('holds a due timer while paused and fires it on resume', async () => {
    const { engine } = await engineOn();
    const handle = await engine.start({
      source: `name: timer
steps:
  - { id: w, type: wait, duration: 150ms }
  - { id: after, type: skill, skill: mark, inputs: { id: after } }
`,
    });
    await until(async () => (await eventsOf(engine, handle.runId, 'step.waiting')).length > 0);
    await engine.pause(handle.runId);
    await sleep(500);
    const steps = (await engine.getRun(handle.runId))?.steps ?? [];
    expect(steps.map((s) => [s.stepKey, s.status])).toEqual([['w', 'waiting']]);
    expect(log).toEqual([]);
    const resumed = await engine.resume(handle.runId);
    expect((await resumed.result()).status).toBe('completed');
    expect(log).toEqual(['mark:after']);
  });

  it('picks up a pause and a resume written by another engine on the same store', async () => {
    const { engine: owner, dir } = await engineOn();
    const { engine: other } = await engineOn(dir);
    const handle = await owner.start({ source: SEQUENCE });
    await until(() => releases.has('a'));
    const asked = Date.now();
    expect(await other.pause(handle.runId, { by: 'ops' })).toMatchObject({
      appliedBy: 'owner',
      owner: owner.owner,
    });
    await until(async () => (await statusOf(other, handle.runId)) === 'paused', 1000);
    expect(Date.now() - asked).toBeLessThan(1000);
    releases.get('a')?.();
    await sleep(300);
    expect(log).toEqual(['start:a', 'end:a']);
    const resumed = await other.resume(handle.runId, { by: 'ops' });
    expect(resumed).toMatchObject({ unpaused: true, local: false, owner: owner.owner });
    expect((await resumed.result()).status).toBe('completed');
    expect(log).toEqual(['start:a', 'end:a', 'mark:b', 'mark:c']);
  });

  it('keeps a paused run paused when its process goes away: recover leaves it, resume continues it', async () => {
    const { engine: first, dir } = await engineOn();
    const handle = await first.start({ source: SEQUENCE });
    await until(() => releases.has('a'));
    await first.pause(handle.runId);
    releases.get('a')?.();
    await until(async () => (await first.getRun(handle.runId))?.steps[0]?.status === 'completed');
    await first.close();
    const { engine: second } = await engineOn(dir);
    expect(await second.recover()).toEqual([]);
    expect(await statusOf(second, handle.runId)).toBe('paused');
    await sleep(100);
    expect(log).toEqual(['start:a', 'end:a']);
    const resumed = await second.resume(handle.runId);
    expect(resumed).toMatchObject({ unpaused: true, local: true });
    expect((await resumed.result()).status).toBe('completed');
    expect(log).toEqual(['start:a', 'end:a', 'mark:b', 'mark:c']);
  });

  it('pauses a run nobody executes by recording it, without executing anything', async () => {
    const { engine: first, dir } = await engineOn();
    const handle = await first.start({ source: SEQUENCE });
    await until(() => releases.has('a'));
    await first.close();
    const { engine: second } = await engineOn(dir);
    expect(await second.pause(handle.runId, { by: 'ada' })).toMatchObject({ appliedBy: 'here' });
    const run = await second.store.getRun(handle.runId);
    expect(run).toMatchObject({ status: 'paused', owner: null });
    expect(await eventsOf(second, handle.runId, 'run.paused')).toEqual([{ by: 'ada' }]);
    expect(await second.recover()).toEqual([]);
  });
});

describe('run control: cancel', () => {
  it('aborts running skills, kills a shell process group, cancels pending steps and child runs', async () => {
    const { engine, dir } = await engineOn();
    writeFileSync(
      join(dir, 'child.yaml'),
      'name: child\nsteps:\n  - { id: inner, type: skill, skill: hold, inputs: { id: inner } }\n',
    );
    writeFileSync(
      join(dir, 'parent.yaml'),
      `name: parent
steps:
  - id: sh
    type: skill
    skill: shell
    inputs: { command: "sleep 30 & echo $! > child.pid; echo $$ > sh.pid; wait" }
  - { id: skill, type: skill, skill: hold, inputs: { id: skill } }
  - { id: kid, type: workflow, workflow: child.yaml }
  - { id: later, type: skill, skill: mark, needs: [sh, skill, kid], inputs: { id: later } }
  - { id: last, type: skill, skill: mark, needs: [later], inputs: { id: last } }
`,
    );
    const handle = await engine.start(join(dir, 'parent.yaml'));
    await until(() => releases.has('skill') && releases.has('inner'));
    const pids = await until(() => {
      try {
        return [
          Number(readFileSync(join(dir, 'sh.pid'), 'utf8')),
          Number(readFileSync(join(dir, 'child.pid'), 'utf8')),
        ];
      } catch {
        return undefined;
      }
    });
    expect(pids.some(gone)).toBe(false);

    expect(await engine.cancel(handle.runId, { by: 'ada', reason: 'wrong input' })).toMatchObject({
      appliedBy: 'here',
    });
    const result = await handle.result();
    expect(result).toMatchObject({
      status: 'cancelled',
      error: {
        code: 'cancelled',
        message: 'cancelled by ada: wrong input',
        by: 'ada',
        reason: 'wrong input',
      },
    });
    expect(await eventsOf(engine, handle.runId, 'run.cancelled')).toEqual([
      { reason: 'wrong input', by: 'ada', durationMs: expect.any(Number) },
    ]);
    expect(log).toEqual(expect.arrayContaining(['abort:skill:cancelled', 'abort:inner:cancelled']));
    await until(() => pids.every(gone), 5000);

    const details = await engine.getRun(handle.runId);
    const final = Object.fromEntries(details!.steps.map((s) => [s.stepKey, s.status]));
    expect(final).toMatchObject({ later: 'cancelled', last: 'cancelled' });
    expect(details!.steps.find((s) => s.stepKey === 'sh')?.error?.code).toBe('cancelled');
    const child = details!.children?.[0];
    expect(
      await until(async () => {
        const status = await statusOf(engine, child!.id);
        return status === 'running' ? undefined : status;
      }),
    ).toBe('cancelled');
  });

  it('cancels a run nobody executes by taking it over; its steps not started are cancelled', async () => {
    const { engine: first, dir } = await engineOn();
    const handle = await first.start({ source: SEQUENCE });
    await until(() => releases.has('a'));
    await first.close();
    const { engine: second } = await engineOn(dir);
    expect(await second.cancel(handle.runId, { by: 'ops' })).toMatchObject({ appliedBy: 'here' });
    const details = await second.getRun(handle.runId);
    expect(details?.run).toMatchObject({ status: 'cancelled', error: { message: 'cancelled by ops' } });
    expect(details?.steps.filter((s) => s.status === 'cancelled').map((s) => s.stepKey)).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(log).toEqual(['start:a', 'abort:a:cancelled']);
  });

  it('cancels a run paused longer than the maximum pause', async () => {
    const { engine } = await engineOn(undefined, 300);
    const paused = await engine.start({ source: SEQUENCE });
    await until(() => releases.has('a'));
    await engine.pause(paused.runId);
    const started = Date.now();
    const result = await paused.result();
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(result.status).toBe('cancelled');
    expect(await eventsOf(engine, paused.runId, 'run.cancelled')).toEqual([
      {
        reason: 'paused for longer than the maximum pause of 300ms (maxPauseMs)',
        by: null,
        durationMs: expect.any(Number),
      },
    ]);
  });
});

describe('run control: requests that cannot apply', () => {
  it('refuses them with conflict (or not_found) and leaves the store unchanged', async () => {
    const { engine } = await engineOn();
    const snapshot = async (runId: string) => ({
      run: await engine.store.getRun(runId),
      events: await engine.getEvents(runId),
      last: await engine.store.lastRunCommand(runId),
    });
    const done = await engine.start({
      source: 'name: quick\nsteps:\n  - { id: x, type: skill, skill: mark, inputs: { id: x } }\n',
    });
    await done.result();
    const ended = await snapshot(done.runId);
    await expect(engine.pause(done.runId)).rejects.toMatchObject({
      code: 'conflict',
      message: `run ${done.runId} has already ended (completed); nothing to pause`,
    });
    await expect(engine.resume(done.runId)).rejects.toMatchObject({ code: 'conflict' });
    expect(await snapshot(done.runId)).toEqual(ended);

    const running = await engine.start({ source: SEQUENCE });
    await until(() => releases.has('a'));
    await expect(engine.resume(running.runId)).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('is not paused; nothing to resume'),
    });
    await engine.pause(running.runId, { by: 'ada' });
    const paused = await snapshot(running.runId);
    await expect(engine.pause(running.runId)).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/is already paused \(by ada at .*\); nothing to pause$/),
    });
    expect(await snapshot(running.runId)).toEqual(paused);

    await engine.cancel(running.runId, { by: 'ada', reason: 'enough' });
    const cancelled = await snapshot(running.runId);
    await expect(engine.cancel(running.runId)).rejects.toMatchObject({
      code: 'conflict',
      message: `run ${running.runId} was already cancelled by ada; nothing to cancel`,
    });
    await expect(engine.resume(running.runId)).rejects.toMatchObject({ code: 'conflict' });
    expect(await snapshot(running.runId)).toEqual(cancelled);

    await expect(engine.cancel('nope')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refuses a second cancel while the first is on its way to another process', async () => {
    const { engine: owner, dir } = await engineOn();
    const { engine: other } = await engineOn(dir);
    const handle = await owner.start({ source: SEQUENCE });
    await until(() => releases.has('a'));
    // Two at once from one process: one is stored, the other sees it.
    const outcomes = await Promise.allSettled([other.cancel(handle.runId), other.cancel(handle.runId)]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/already being cancelled|already cancelled/),
    });
    expect((await handle.result()).status).toBe('cancelled');
  });
});
