import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../engine/create-engine.js';
import type { WeftEngine } from '../engine/engine.js';
import { documentHash } from '../engine/plan.js';
import { SimulatedClock } from '../engine/simulated-clock.js';
import type { ScheduleDefinition } from './define-schedule.js';
import { ScheduleAdmin } from './schedule-admin.js';
import { Scheduler } from './scheduler.js';

const FLOWS = {
  'ok.yaml': `name: ok
steps:
  - { id: echo, type: skill, skill: echo, inputs: { value: "\${ inputs }" } }
`,
  'fail.yaml': `name: failing
steps:
  - { id: boom, type: fail, code: broken, message: "it broke" }
`,
  // Runs until an event `go` reaches it: an overlap test controls when each run ends.
  'hold.yaml': `name: hold
steps:
  - { id: wait, type: event, event: go, timeout: 1h }
`,
};

const T0 = Date.parse('2026-03-01T00:00:00Z');
const MIN = 60_000;
const engines: WeftEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()));
});

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'weft-sched-'));
  for (const [name, text] of Object.entries(FLOWS)) writeFileSync(join(dir, name), text);
  const engine = await createEngine({ store: `sqlite:${join(dir, 'weft.db')}`, cwd: dir });
  engines.push(engine);
  const clock = new SimulatedClock(T0);
  const admin = new ScheduleAdmin({ store: engine.store, cwd: dir, clock });
  const scheduler = new Scheduler({
    engine,
    clock,
    onError: (error) => {
      throw error;
    },
  });
  const create = (def: Omit<ScheduleDefinition, 'name'> & { name: string }) => admin.create(def);
  return { dir, engine, clock, admin, scheduler, create, store: engine.store };
}

async function runEnded(engine: WeftEngine, runId: string): Promise<string> {
  for (let i = 0; i < 500; i++) {
    const run = await engine.store.getRun(runId);
    if (run && ['completed', 'failed', 'cancelled'].includes(run.status)) return run.status;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`run ${runId} did not end`);
}

const statuses = async (admin: ScheduleAdmin, name: string) =>
  (await admin.history(name)).reverse().map((f) => f.status);

describe('Scheduler with a simulated clock', () => {
  it('fires an every schedule on time with its input expressions, and follows the run to its end', async () => {
    const { engine, clock, scheduler, create, admin } = await setup();
    await create({
      name: 'tick',
      workflow: 'ok.yaml',
      every: '5m',
      input: {
        at: '${ schedule.fired_at }',
        who: '${ schedule.name }',
        late: '${ now > schedule.fired_at }',
      },
    });
    expect((await scheduler.tick()).started).toEqual([]);
    clock.set(T0 + 5 * MIN + 200);
    const report = await scheduler.tick();
    expect(report.started).toHaveLength(1);
    const runId = report.started[0]!;
    expect(await runEnded(engine, runId)).toBe('completed');
    expect((await engine.store.getRun(runId))?.input).toEqual({
      at: '2026-03-01T00:05:00.000Z',
      who: 'tick',
      late: true,
    });
    expect((await scheduler.tick()).finished).toBe(1);
    const [fire] = await admin.history('tick');
    expect(fire).toMatchObject({ firedAt: T0 + 5 * MIN, runId, status: 'completed', reason: null });
    expect((await admin.get('tick')).nextFireAt).toBe(T0 + 10 * MIN);
  });

  it('fires an at schedule once', async () => {
    const { clock, scheduler, create, admin } = await setup();
    await create({ name: 'once', workflow: 'ok.yaml', at: '2026-03-01T01:00:00Z' });
    clock.set(T0 + 60 * MIN + 100);
    expect((await scheduler.tick()).started).toHaveLength(1);
    clock.set(T0 + 24 * 60 * MIN);
    expect((await scheduler.tick()).started).toHaveLength(0);
    expect((await admin.get('once')).nextFireAt).toBeNull();
    expect(await admin.history('once')).toHaveLength(1);
  });

  describe('misfires after downtime (every 1m, down for 10 minutes)', () => {
    async function downtime(misfire: 'skip' | 'run_once' | 'run_all') {
      const ctx = await setup();
      await ctx.create({ name: 'm', workflow: 'ok.yaml', every: '1m', misfire, overlap: 'allow' });
      ctx.clock.set(T0 + 10 * MIN + 30_000);
      const report = await ctx.scheduler.tick();
      return { ...ctx, report, history: (await ctx.admin.history('m', 100)).reverse() };
    }

    it('skip: records one skipped fire for all that were missed, starts nothing', async () => {
      const { report, history, admin } = await downtime('skip');
      expect(report.started).toEqual([]);
      expect(history).toHaveLength(1);
      expect(history[0]).toMatchObject({ status: 'skipped', firedAt: T0 + 10 * MIN, runId: null });
      expect(history[0]?.reason).toBe(
        'misfire: 10 fires missed from 2026-03-01T00:01:00.000Z to 2026-03-01T00:10:00.000Z (policy skip)',
      );
      expect((await admin.get('m')).nextFireAt).toBe(T0 + 11 * MIN);
    });

    it('run_once: one run for all the missed fires, at the latest missed time', async () => {
      const { report, history } = await downtime('run_once');
      expect(report.started).toHaveLength(1);
      expect(history.map((f) => [f.firedAt, f.status])).toEqual([[T0 + 10 * MIN, 'running']]);
      expect(history[0]?.reason).toMatch(/^misfire: 10 fires missed .* \(policy run_once\)$/);
    });

    it('run_all: one run per missed fire', async () => {
      const { report, history } = await downtime('run_all');
      expect(report.started).toHaveLength(10);
      expect(history.map((f) => f.firedAt)).toEqual(Array.from({ length: 10 }, (_, i) => T0 + (i + 1) * MIN));
    });

    it('a fire within the grace period is not a misfire', async () => {
      const { clock, scheduler, create, admin } = await setup();
      await create({ name: 'g', workflow: 'ok.yaml', every: '1m', misfire: 'skip' });
      clock.set(T0 + MIN + 4000);
      expect((await scheduler.tick()).started).toHaveLength(1);
      expect((await admin.history('g'))[0]?.reason).toBeNull();
    });
  });

  describe('overlap', () => {
    async function twoFires(overlap: 'skip' | 'queue' | 'allow' | 'cancel_previous', maxConcurrent = 1) {
      const ctx = await setup();
      await ctx.create({ name: 'o', workflow: 'hold.yaml', every: '1m', overlap, maxConcurrent });
      ctx.clock.set(T0 + MIN);
      const first = (await ctx.scheduler.tick()).started[0]!;
      ctx.clock.set(T0 + 2 * MIN);
      const second = await ctx.scheduler.tick();
      return { ...ctx, first, second };
    }
    const go = (engine: WeftEngine, runId: string) => engine.sendEvent({ type: 'go', data: {} }, { runId });

    it('skip: a fire while the previous run still runs is recorded skipped', async () => {
      const { first, second, admin, engine } = await twoFires('skip');
      expect(second.started).toEqual([]);
      expect(await statuses(admin, 'o')).toEqual(['running', 'skipped']);
      expect((await admin.history('o'))[0]?.reason).toBe(
        `overlap: 1 run of this schedule still running (${first})`,
      );
      await go(engine, first);
    });

    it('queue: the fire waits and starts when the previous run ends', async () => {
      const { first, second, admin, engine, scheduler } = await twoFires('queue');
      expect(second).toMatchObject({ started: [], queued: 1 });
      expect(await statuses(admin, 'o')).toEqual(['running', 'queued']);
      await go(engine, first);
      await runEnded(engine, first);
      const next = await scheduler.tick();
      expect(next.finished).toBe(1);
      expect(next.started).toHaveLength(1);
      expect(await statuses(admin, 'o')).toEqual(['completed', 'running']);
      await go(engine, next.started[0]!);
    });

    it('allow: runs overlap', async () => {
      const { first, second, admin, engine } = await twoFires('allow');
      expect(second.started).toHaveLength(1);
      expect(await statuses(admin, 'o')).toEqual(['running', 'running']);
      await go(engine, first);
      await go(engine, second.started[0]!);
    });

    it('cancel_previous: the running run is cancelled and the new one starts', async () => {
      const { first, second, admin, engine, scheduler } = await twoFires('cancel_previous');
      expect(second.started).toHaveLength(1);
      expect(await runEnded(engine, first)).toBe('cancelled');
      await scheduler.tick();
      expect(await statuses(admin, 'o')).toEqual(['cancelled', 'running']);
      await go(engine, second.started[0]!);
    });

    it('max_concurrent: skip applies only once that many runs are going', async () => {
      const { first, second, admin, engine, clock, scheduler } = await twoFires('skip', 2);
      expect(second.started).toHaveLength(1);
      clock.set(T0 + 3 * MIN);
      expect((await scheduler.tick()).skipped).toBe(1);
      expect(await statuses(admin, 'o')).toEqual(['running', 'running', 'skipped']);
      await go(engine, first);
      await go(engine, second.started[0]!);
    });
  });

  it('pauses a schedule after N consecutive failed runs, with the reason; resume counts again from 0', async () => {
    const { engine, clock, scheduler, create, admin } = await setup();
    await create({ name: 'f', workflow: 'fail.yaml', every: '1m', pauseAfterFailures: 2 });
    for (const minute of [1, 2]) {
      clock.set(T0 + minute * MIN);
      const [runId] = (await scheduler.tick()).started;
      expect(await runEnded(engine, runId!)).toBe('failed');
    }
    const report = await scheduler.tick();
    expect(report.paused).toEqual(['f']);
    const paused = await admin.get('f');
    expect(paused).toMatchObject({ status: 'paused', consecutiveFailures: 2 });
    expect(paused.pauseReason).toMatch(
      /^paused after 2 consecutive failed runs \(last: run .+: broken: it broke\)$/,
    );
    clock.set(T0 + 10 * MIN);
    expect((await scheduler.tick()).started).toEqual([]);
    const resumed = await admin.resume('f');
    expect(resumed).toMatchObject({
      status: 'active',
      consecutiveFailures: 0,
      pauseReason: null,
      nextFireAt: T0 + 11 * MIN,
    });
  });

  it('a schedule of a registered workflow pauses itself once the workflow is archived, or deleted', async () => {
    const { engine, clock, scheduler, create, admin, store } = await setup();
    const source = FLOWS['ok.yaml'].replace('name: ok', 'name: deploy');
    const push = { kind: 'workflow' as const, name: 'deploy', summary: null, origin: null };
    await store.definitions.push({ ...push, source, hash: documentHash(source), status: 'active', now: T0 });
    await create({ name: 'nightly', workflow: 'deploy', cron: '0 3 * * *', tz: 'Europe/Berlin' });
    clock.set(Date.parse('2026-03-01T02:00:00Z'));
    const [runId] = (await scheduler.tick()).started;
    expect(await runEnded(engine, runId!)).toBe('completed');
    expect((await store.getRun(runId!))?.workflow).toBe('deploy');

    await store.definitions.setStatus('workflow', 'deploy', 1, 'archived', T0);
    clock.set(Date.parse('2026-03-02T02:00:00Z'));
    expect((await scheduler.tick()).paused).toEqual(['nightly']);
    expect(await admin.get('nightly')).toMatchObject({
      status: 'paused',
      pauseReason: "workflow 'deploy' is archived",
    });
    await expect(admin.resume('nightly')).rejects.toThrow(
      "schedule 'nightly' cannot resume: workflow 'deploy' is archived",
    );

    const report = source.replace('name: deploy', 'name: report');
    await store.definitions.push({
      ...push,
      name: 'report',
      source: report,
      hash: documentHash(report),
      status: 'active',
      now: T0,
    });
    await create({ name: 'hourly', workflow: 'report', every: '1h' });
    await store.definitions.remove('workflow', 'report');
    clock.set(clock.now() + 60 * MIN);
    expect((await scheduler.tick()).paused).toEqual(['hourly']);
    expect((await admin.get('hourly')).pauseReason).toBe("workflow 'report' is not in the registry");
    await expect(create({ name: 'gone', workflow: 'report', every: '1h' })).rejects.toThrow(
      /workflow 'report' is not in the registry/,
    );
    expect(await admin.history('nightly')).toHaveLength(1);
  });

  it('start() fires on its own with the clock, stop() ends the loop', async () => {
    const { engine, clock, scheduler, create, admin } = await setup();
    await create({ name: 'loop', workflow: 'ok.yaml', every: '1m' });
    scheduler.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    clock.set(T0 + MIN);
    for (let i = 0; i < 100 && (await admin.history('loop')).length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await scheduler.stop();
    const [fire] = await admin.history('loop');
    expect(fire?.firedAt).toBe(T0 + MIN);
    await runEnded(engine, fire!.runId!);
  });
});
