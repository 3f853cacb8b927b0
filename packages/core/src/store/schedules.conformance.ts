import { beforeEach, describe, expect, it } from 'vitest';
import type { FireRecord, NewSchedule } from './schedule-types.js';
import type { Store } from './types.js';

const T0 = 1_700_000_000_000;

function schedule(name: string, nextFireAt: number | null = T0 + 1000): NewSchedule {
  return {
    name,
    workflow: 'deploy',
    kind: 'every',
    spec: '1s',
    tz: null,
    input: { at: '${ schedule.fired_at }', n: 1 },
    overlap: 'skip',
    maxConcurrent: 1,
    misfire: 'run_once',
    pauseAfterFailures: 3,
    status: 'active',
    pauseReason: null,
    nextFireAt,
    createdAt: T0,
  };
}

function fire(name: string, firedAt: number, status: FireRecord['status'] = 'running'): FireRecord {
  return {
    schedule: name,
    firedAt,
    runId: status === 'running' ? `run-${firedAt}` : null,
    status,
    reason: null,
    startedAt: status === 'running' ? firedAt : null,
    endedAt: null,
  };
}

/** Schedules and their fires; `store` is migrated. */
export function describeSchedulesConformance(getStore: () => Store): void {
  describe('schedules', () => {
    let store: Store;
    beforeEach(async () => {
      store = getStore();
      await store.migrate();
    });

    it('creates, lists, pauses and deletes schedules; a taken name is a conflict', async () => {
      const s = store.schedules;
      const created = await s.create(schedule('b'));
      expect(created).toEqual({ ...schedule('b'), consecutiveFailures: 0, updatedAt: T0 });
      await s.create(schedule('a', null));
      await expect(s.create(schedule('a'))).rejects.toMatchObject({ code: 'conflict' });
      expect((await s.list()).map((x) => x.name)).toEqual(['a', 'b']);
      const paused = await s.setStatus('b', {
        status: 'paused',
        pauseReason: 'by ada',
        nextFireAt: null,
        resetFailures: false,
        now: T0 + 5,
      });
      expect(paused).toMatchObject({
        status: 'paused',
        pauseReason: 'by ada',
        nextFireAt: null,
        updatedAt: T0 + 5,
      });
      expect(
        await s.setStatus('zz', {
          status: 'active',
          pauseReason: null,
          nextFireAt: 1,
          resetFailures: true,
          now: 1,
        }),
      ).toBeUndefined();
      expect(await s.remove('b')).toBe(true);
      expect(await s.remove('b')).toBe(false);
      expect(await s.get('b')).toBeUndefined();
    });

    it('lists active schedules that are due, the earliest first', async () => {
      await store.schedules.create(schedule('late', T0 + 500));
      await store.schedules.create(schedule('early', T0 + 100));
      await store.schedules.create(schedule('future', T0 + 5000));
      await store.schedules.create({ ...schedule('paused', T0), status: 'paused' });
      expect((await store.schedules.due(T0 + 1000)).map((x) => x.name)).toEqual(['early', 'late']);
    });

    it('claims each due fire once: compare-and-set on next_fire_at plus one row per fire', async () => {
      const s = store.schedules;
      await s.create(schedule('tick', T0));
      const claim = { schedule: 'tick', dueAt: T0, nextFireAt: T0 + 1000, fire: fire('tick', T0), now: T0 };
      const results = await Promise.all([s.claimFire(claim), s.claimFire(claim), s.claimFire(claim)]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await s.get('tick'))?.nextFireAt).toBe(T0 + 1000);
      expect(await s.history('tick')).toEqual([fire('tick', T0)]);
      // A row for that time already there (from any writer) undoes the claim entirely.
      await s.setStatus('tick', {
        status: 'active',
        pauseReason: null,
        nextFireAt: T0,
        resetFailures: false,
        now: T0,
      });
      expect(await s.claimFire(claim)).toBe(false);
      expect((await s.get('tick'))?.nextFireAt).toBe(T0);
      // Without a fire row: the schedule only moves on (missed fires that are skipped).
      expect(await s.claimFire({ ...claim, fire: null, nextFireAt: null })).toBe(true);
      expect((await s.get('tick'))?.nextFireAt).toBeNull();
    });

    it('starts queued fires once, finishes open fires once and counts consecutive failures', async () => {
      const s = store.schedules;
      await s.create(schedule('job', T0));
      await s.claimFire({ schedule: 'job', dueAt: T0, nextFireAt: T0 + 1, fire: fire('job', T0), now: T0 });
      await s.claimFire({
        schedule: 'job',
        dueAt: T0 + 1,
        nextFireAt: T0 + 2,
        fire: fire('job', T0 + 1, 'queued'),
        now: T0 + 1,
      });
      expect((await s.openFires('job')).map((f) => [f.firedAt, f.status])).toEqual([
        [T0, 'running'],
        [T0 + 1, 'queued'],
      ]);
      const end = {
        schedule: 'job',
        firedAt: T0,
        status: 'failed' as const,
        reason: 'boom',
        endedAt: T0 + 9,
      };
      expect((await s.finishFire({ ...end, failures: 'increment' }))?.consecutiveFailures).toBe(1);
      expect(await s.finishFire({ ...end, failures: 'increment' })).toBeUndefined();
      expect(await s.startQueued('job', T0 + 1, 'r2', T0 + 10)).toBe(true);
      expect(await s.startQueued('job', T0 + 1, 'r3', T0 + 10)).toBe(false);
      const done = await s.finishFire({
        schedule: 'job',
        firedAt: T0 + 1,
        status: 'completed',
        reason: null,
        endedAt: T0 + 20,
        failures: 'reset',
      });
      expect(done?.consecutiveFailures).toBe(0);
      expect(await s.openFires()).toEqual([]);
      expect(await s.history('job', 1)).toEqual([
        {
          schedule: 'job',
          firedAt: T0 + 1,
          runId: 'r2',
          status: 'completed',
          reason: null,
          startedAt: T0 + 10,
          endedAt: T0 + 20,
        },
      ]);
      expect((await s.history('job'))[1]).toMatchObject({
        status: 'failed',
        reason: 'boom',
        endedAt: T0 + 9,
      });
      await s.remove('job');
      expect(await s.history('job')).toEqual([]);
    });
  });
}
