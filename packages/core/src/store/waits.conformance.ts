import { beforeEach, describe, expect, it } from 'vitest';
import { makeRun } from './store.conformance.js';
import type { CloudEventRecord, NewWait, RunRecord, Store } from './types.js';
import { encodeEventTypes, eventTypesOf } from './wait-rows.js';

const T0 = 1_700_000_000_000;
const OWNER = 'host-a:100';

/** A run of the shared fixture (store.conformance.ts) with no input. */
function run(id: string, status: RunRecord['status'] = 'running'): RunRecord {
  return makeRun({ id, status, input: null });
}

let tokens = 0;
function wait(runId: string, stepKey: string, overrides: Partial<NewWait> = {}): NewWait {
  return {
    runId,
    stepKey,
    kind: 'event',
    token: `token-${++tokens}-${runId}-${stepKey}`,
    eventType: 'paid',
    until: null,
    createdAt: T0,
    details: null,
    ...overrides,
  };
}

function event(id: string, overrides: Partial<CloudEventRecord> = {}): CloudEventRecord {
  return { id, type: 'paid', source: 'test', time: '2026-01-01T00:00:00.000Z', data: { id }, ...overrides };
}

const eventIds = (rows: { event: CloudEventRecord }[]) => rows.map((row) => row.event.id);

/** Waits and the event inbox; `store` is migrated and holds runs r1, r2 (running) and done (completed). */
export function describeWaitsConformance(getStore: () => Store): void {
  describe('waits and inbox', () => {
    let store: Store;
    beforeEach(async () => {
      store = getStore();
      await store.migrate();
      const runs = [run('r1'), run('r2'), run('done', 'completed')];
      await store.commit({ owner: OWNER, newRuns: runs, runPatches: [], steps: [], events: [] });
    });

    it('opens a wait once: a second open keeps the first until and token', async () => {
      const first = wait('r1', 'a', {
        kind: 'timer',
        eventType: null,
        until: T0 + 50,
        details: { reason: 'r' },
      });
      expect(await store.openWait(first)).toEqual({ ...first, status: 'open', outcome: null });
      const again = await store.openWait({ ...first, token: 'other', until: T0 + 999 });
      expect(again).toMatchObject({ token: first.token, until: T0 + 50, details: { reason: 'r' } });
      expect(await store.getWait('r1', 'a')).toEqual(again);
      expect(await store.getWaitByToken(first.token)).toEqual(again);
      expect(await store.getWaitByToken('other')).toBeUndefined();
      expect(await store.getWait('r1', 'missing')).toBeUndefined();
    });

    it('closes a wait once, keeping its outcome', async () => {
      await store.openWait(wait('r1', 'a', { kind: 'approval' }));
      const outcome = { kind: 'approval', approved: true, data: [1, { b: null }] };
      expect(await store.closeWait('r1', 'a', outcome)).toBe(true);
      expect(await store.closeWait('r1', 'a', { kind: 'timeout' })).toBe(false);
      expect(await store.getWait('r1', 'a')).toMatchObject({ status: 'done', outcome });
      expect(await store.closeWait('r1', 'missing', {})).toBe(false);
    });

    it('lists waits by run, status, kind and deadline', async () => {
      await store.openWait(wait('r1', 'a', { kind: 'timer', until: T0 + 10, createdAt: T0 + 1 }));
      await store.openWait(wait('r1', 'b', { kind: 'approval', until: T0 + 20, createdAt: T0 + 2 }));
      await store.openWait(wait('r2', 'c', { createdAt: T0 + 3 }));
      await store.closeWait('r1', 'b', { kind: 'timeout' });
      const keys = (waits: { stepKey: string }[]) => waits.map((w) => w.stepKey);
      expect(keys(await store.listWaits())).toEqual(['a', 'b', 'c']);
      expect(keys(await store.listWaits({ runIds: ['r1'] }))).toEqual(['a', 'b']);
      expect(keys(await store.listWaits({ runIds: [] }))).toEqual([]);
      expect(keys(await store.listWaits({ status: 'open' }))).toEqual(['a', 'c']);
      expect(keys(await store.listWaits({ kind: 'approval', status: 'done' }))).toEqual(['b']);
      expect(keys(await store.listWaits({ dueBefore: T0 + 15 }))).toEqual(['a']);
    });

    it('keeps an event sent to a run, with its extensions, for runs that have not ended', async () => {
      const sent = event('e1', { subject: 'order-7', data: ['a', 2] });
      expect(await store.putEvent(sent, { runId: 'r1', now: T0 })).toBe(1);
      expect(await store.putEvent(event('e2'), { runId: 'done', now: T0 })).toBe(0);
      expect(await store.putEvent(event('e3'), { runId: 'nobody', now: T0 })).toBe(0);
      await store.putEvent(event('e4', { type: 'other', data: null }), { runId: 'r1', now: T0 + 1 });
      const inbox = await store.listInbox({ runIds: ['r1', 'r2'] });
      expect(inbox.map((row) => ({ ...row, id: 0 }))).toEqual([
        { id: 0, runId: 'r1', stepKey: null, event: sent, receivedAt: T0 },
        {
          id: 0,
          runId: 'r1',
          stepKey: null,
          event: event('e4', { type: 'other', data: null }),
          receivedAt: T0 + 1,
        },
      ]);
      expect(inbox[0]!.id).toBeLessThan(inbox[1]!.id);
      expect(eventIds(await store.listInbox({ runIds: ['r1'], types: ['other'] }))).toEqual(['e4']);
      expect(await store.listInbox({ runIds: [] })).toEqual([]);
    });

    it('copies an event sent by type to each open event wait of that type, in runs not ended', async () => {
      await store.openWait(wait('r1', 'a'));
      await store.openWait(wait('r2', 'b'));
      await store.openWait(wait('r2', 'other', { eventType: 'shipped' }));
      await store.openWait(wait('r2', 'closed'));
      await store.closeWait('r2', 'closed', { kind: 'timeout' });
      await store.openWait(wait('r2', 'timer', { kind: 'timer', eventType: 'paid' }));
      await store.openWait(wait('done', 'late'));
      expect(await store.putEvent(event('e1'), { now: T0 })).toBe(2);
      const inbox = await store.listInbox({ runIds: ['r1', 'r2', 'done'] });
      expect(inbox.map((row) => [row.runId, row.stepKey, row.event.id])).toEqual([
        ['r1', 'a', 'e1'],
        ['r2', 'b', 'e1'],
      ]);
      expect(await store.putEvent(event('e2', { type: 'nobody.waits' }), { now: T0 })).toBe(0);
    });

    it('copies an event sent by type to a wait for several types (a JSON array) that holds it', async () => {
      await store.openWait(wait('r1', 'either', { eventType: encodeEventTypes(['shipped', 'paid']) }));
      await store.openWait(wait('r2', 'odd', { eventType: encodeEventTypes('[odd') }));
      expect(await store.putEvent(event('e1'), { now: T0 })).toBe(1);
      expect(await store.putEvent(event('e2', { type: 'shipped' }), { now: T0 })).toBe(1);
      expect(await store.putEvent(event('e3', { type: '[odd' }), { now: T0 })).toBe(1);
      expect(await store.putEvent(event('e4', { type: 'ship' }), { now: T0 })).toBe(0);
      const inbox = await store.listInbox({ runIds: ['r1', 'r2'] });
      expect(inbox.map((row) => [row.stepKey, row.event.id])).toEqual([
        ['either', 'e1'],
        ['either', 'e2'],
        ['odd', 'e3'],
      ]);
      expect(eventTypesOf((await store.getWait('r1', 'either'))!.eventType)).toEqual(['shipped', 'paid']);
    });

    it('keeps an event sent to a wait token only while that wait is open', async () => {
      await store.openWait(wait('r1', 'a'));
      expect(await store.putEvent(event('e1'), { runId: 'r1', stepKey: 'a', now: T0 })).toBe(1);
      expect(await store.putEvent(event('e2'), { runId: 'r1', stepKey: 'nope', now: T0 })).toBe(0);
      await store.closeWait('r1', 'a', { kind: 'timeout' });
      expect(await store.putEvent(event('e3'), { runId: 'r1', stepKey: 'a', now: T0 })).toBe(0);
    });

    it('takes an event once and ends the wait with it; the events for that step alone go', async () => {
      await store.openWait(wait('r1', 'a'));
      await store.openWait(wait('r1', 'b'));
      await store.putEvent(event('for-run'), { runId: 'r1', now: T0 });
      await store.putEvent(event('for-a'), { runId: 'r1', stepKey: 'a', now: T0 });
      await store.putEvent(event('for-b'), { runId: 'r1', stepKey: 'b', now: T0 });
      const [forRun, forA, forB] = await store.listInbox({ runIds: ['r1'] });
      const take = { runId: 'r1', now: T0 + 5, outcome: { kind: 'event' } };
      expect(await store.takeEvent({ ...take, id: forB!.id, stepKey: 'a' })).toBe(false);
      expect(await store.takeEvent({ ...take, id: forRun!.id, stepKey: 'a', outcome: { n: 1 } })).toBe(true);
      expect(await store.getWait('r1', 'a')).toMatchObject({ status: 'done', outcome: { n: 1 } });
      expect(await store.takeEvent({ ...take, id: forRun!.id, stepKey: 'b' })).toBe(false);
      expect(await store.takeEvent({ ...take, id: forA!.id, stepKey: 'a' })).toBe(false);
      expect(eventIds(await store.listInbox({ runIds: ['r1'] }))).toEqual(['for-b']);
      expect(await store.takeEvent({ ...take, id: forB!.id, runId: 'r2', stepKey: 'b' })).toBe(false);
    });

    it('leaves the event untaken when the wait ended first', async () => {
      await store.openWait(wait('r1', 'a'));
      await store.putEvent(event('e1'), { runId: 'r1', now: T0 });
      await store.closeWait('r1', 'a', { kind: 'timeout' });
      const [row] = await store.listInbox({ runIds: ['r1'] });
      expect(await store.takeEvent({ id: row!.id, runId: 'r1', stepKey: 'a', outcome: {}, now: T0 })).toBe(
        false,
      );
      expect(await store.getWait('r1', 'a')).toMatchObject({ outcome: { kind: 'timeout' } });
      expect(eventIds(await store.listInbox({ runIds: ['r1'] }))).toEqual(['e1']);
    });

    it('lets one of two steps racing for an event take it', async () => {
      await store.openWait(wait('r1', 'a'));
      await store.openWait(wait('r1', 'b'));
      await store.putEvent(event('e1'), { runId: 'r1', now: T0 });
      const [row] = await store.listInbox({ runIds: ['r1'] });
      const results = await Promise.all(
        ['a', 'b'].map((stepKey) =>
          store.takeEvent({ id: row!.id, runId: 'r1', stepKey, outcome: stepKey, now: T0 }),
        ),
      );
      expect(results.filter(Boolean).length).toBe(1);
      const open = await store.listWaits({ runIds: ['r1'], status: 'open' });
      expect(open.length).toBe(1);
    });
  });
}
