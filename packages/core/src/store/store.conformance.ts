import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeBreakerStateConformance } from '../resilience/breaker-state.conformance.js';
import { describeCacheStoreConformance } from '../resilience/cache-store.conformance.js';
import { describeCommandsConformance } from './commands.conformance.js';
import { describeDeadLettersConformance } from './dead-letters.conformance.js';
import { describeDefinitionsConformance } from './definitions.conformance.js';
import { MIGRATIONS } from './migrations/all-migrations.js';
import { describeNotificationsConformance } from './notifications.conformance.js';
import { describeSchedulesConformance } from './schedules.conformance.js';
import { describeSlotsConformance } from './slots.conformance.js';
import type { EventRecord, RunPatch, RunRecord, StepRecord, Store, WriteBatch } from './types.js';
import { describeWaitsConformance } from './waits.conformance.js';

const T0 = 1_700_000_000_000;
const ME = 'host-a:100';
const OTHER = 'host-b:200';
const LEASE = 30_000;

export function makeRun(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    id: 'run-1',
    workflow: 'wf',
    version: 1,
    documentHash: 'doc-1',
    status: 'running',
    input: { n: 1 },
    output: null,
    error: null,
    parentRunId: null,
    createdAt: T0,
    startedAt: T0,
    endedAt: null,
    deadlineAt: null,
    owner: ME,
    leaseExpiresAt: T0 + LEASE,
    lastSeq: 0,
    meta: {},
    ...overrides,
  };
}

export function makeStep(overrides: Partial<StepRecord> = {}): StepRecord {
  return {
    runId: 'run-1',
    stepKey: 'fetch',
    attempt: 1,
    stepId: 'fetch',
    type: 'skill',
    status: 'running',
    startedAt: T0 + 10,
    endedAt: null,
    input: { url: 'https://example.test' },
    output: null,
    error: null,
    meta: null,
    ...overrides,
  };
}

export function makeEvent(seq: number, overrides: Partial<EventRecord> = {}): EventRecord {
  return {
    runId: 'run-1',
    seq,
    type: 'step.started',
    time: T0 + seq,
    stepKey: 'fetch',
    data: { seq },
    ...overrides,
  };
}

function batch(parts: Partial<WriteBatch>): WriteBatch {
  return { owner: ME, newRuns: [], runPatches: [], steps: [], events: [], ...parts };
}

const ids = (runs: RunRecord[]) => runs.map((run) => run.id);

/**
 * The behaviour every Store must have. `open` returns a fresh, empty, unmigrated store each time.
 * @example describeStoreConformance('sqlite', async () => SqliteStore.open(tempFile()))
 */
export function describeStoreConformance(name: string, open: () => Promise<Store>): void {
  describe(`Store conformance: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('migrations', () => {
      const all = MIGRATIONS.map((m) => m.version);
      const latest = Math.max(...all);

      it('reports everything pending on a new database, then applies it once', async () => {
        expect(await store.migrationStatus()).toEqual({ applied: [], pending: all, latest });
        expect(await store.migrate()).toEqual({ applied: all, pending: [], latest });
        expect(await store.migrate()).toEqual({ applied: all, pending: [], latest });
        expect(await store.migrationStatus()).toEqual({ applied: all, pending: [], latest });
      });

      it('rolls back the latest migrations and migrates again', async () => {
        await store.migrate();
        await store.putDocument({ hash: 'h', name: 'n', source: 's', path: null, createdAt: T0 });
        expect((await store.rollback()).applied).toEqual(all.slice(0, -1));
        expect(await store.rollback(all.length + 3)).toEqual({ applied: [], pending: all, latest });
        expect(await store.rollback()).toEqual({ applied: [], pending: all, latest });
        await store.migrate();
        expect(await store.getDocument('h')).toBeUndefined();
        await store.putDocument({ hash: 'h', name: 'n', source: 's', path: null, createdAt: T0 });
        expect(await store.getDocument('h')).toBeDefined();
      });

      it('refuses a negative rollback count', async () => {
        await expect(store.rollback(-1)).rejects.toMatchObject({ code: 'store_error' });
      });

      it('fails with store_error, not a driver error, before migrating', async () => {
        await expect(store.getRun('x')).rejects.toMatchObject({ code: 'store_error', message: /migrate/ });
      });
    });

    describe('records', () => {
      beforeEach(async () => {
        await store.migrate();
      });

      it('stores a document once by hash', async () => {
        const doc = {
          hash: 'abc',
          name: 'hello',
          source: 'name: hello\n',
          path: '/w/hello.yaml',
          createdAt: T0,
        };
        await store.putDocument(doc);
        await store.putDocument({ ...doc, name: 'again', createdAt: T0 + 1 });
        expect(await store.getDocument('abc')).toEqual(doc);
        expect(await store.getDocument('nope')).toBeUndefined();
        await store.putDocument({ ...doc, hash: 'def', path: null });
        expect((await store.getDocument('def'))?.path).toBeNull();
      });

      it('commits new runs, steps and events and reads them back', async () => {
        const run = makeRun({ meta: { cwd: '/w', labels: ['a'] }, deadlineAt: T0 + 60_000 });
        const result = await store.commit(
          batch({ newRuns: [run], steps: [makeStep()], events: [makeEvent(1), makeEvent(2)] }),
        );
        expect(result).toEqual({ lostRuns: [] });
        // lastSeq is the highest committed event sequence, whatever the run row said.
        expect(await store.getRun('run-1')).toEqual({ ...run, lastSeq: 2 });
        expect(await store.getSteps('run-1')).toEqual([makeStep()]);
        expect(await store.getEvents('run-1')).toEqual([makeEvent(1), makeEvent(2)]);
        expect(await store.getRun('missing')).toBeUndefined();
      });

      it('applies patches: given fields change, absent ones stay, null clears', async () => {
        await store.commit(batch({ newRuns: [makeRun({ output: { keep: true }, endedAt: T0 + 5 })] }));
        await store.commit(batch({ runPatches: [{ id: 'run-1', lastSeq: 3, status: 'paused' }] }));
        expect(await store.getRun('run-1')).toMatchObject({
          status: 'paused',
          lastSeq: 3,
          output: { keep: true },
          endedAt: T0 + 5,
        });
        const error = { code: 'skill_error', message: 'boom', step: 'fetch', attempt: 2 };
        const patch: RunPatch = {
          id: 'run-1',
          lastSeq: 4,
          status: 'failed',
          output: null,
          error,
          endedAt: null,
        };
        await store.commit(batch({ runPatches: [patch] }));
        expect(await store.getRun('run-1')).toMatchObject({
          status: 'failed',
          lastSeq: 4,
          output: null,
          error,
          startedAt: T0,
          endedAt: null,
        });
      });

      it('upserts a step attempt and keeps attempts apart', async () => {
        await store.commit(batch({ newRuns: [makeRun()], steps: [makeStep()] }));
        const done = makeStep({
          status: 'failed',
          endedAt: T0 + 20,
          error: { code: 'timeout', message: 't' },
        });
        const second = makeStep({ attempt: 2, startedAt: T0 + 30, meta: { delay: 10 } });
        await store.commit(batch({ steps: [done, second] }));
        expect(await store.getSteps('run-1')).toEqual([done, second]);
        const completed = { ...second, status: 'completed' as const, output: [1, 2], endedAt: T0 + 40 };
        await store.commit(batch({ steps: [completed] }));
        expect(await store.getSteps('run-1')).toEqual([done, completed]);
      });

      it('keeps the last record when one batch holds a step attempt twice', async () => {
        const started = makeStep();
        const completed = makeStep({ status: 'completed', endedAt: T0 + 11, output: 'ok' });
        await store.commit(batch({ newRuns: [makeRun()], steps: [started, completed] }));
        expect(await store.getSteps('run-1')).toEqual([completed]);
      });

      it('applies two patches of one run in one batch in order', async () => {
        await store.commit(batch({ newRuns: [makeRun()] }));
        const patches: RunPatch[] = [
          { id: 'run-1', lastSeq: 1, status: 'running', output: 'first' },
          { id: 'run-1', lastSeq: 2, status: 'completed', endedAt: T0 + 9 },
        ];
        expect(await store.commit(batch({ runPatches: patches }))).toEqual({ lostRuns: [] });
        expect(await store.getRun('run-1')).toMatchObject({
          lastSeq: 2,
          status: 'completed',
          output: 'first',
          endedAt: T0 + 9,
        });
      });

      it('creates and patches a run in the same batch', async () => {
        const result = await store.commit(
          batch({
            newRuns: [makeRun({ status: 'pending' })],
            runPatches: [{ id: 'run-1', lastSeq: 1, status: 'running' }],
            events: [makeEvent(1)],
          }),
        );
        expect(result.lostRuns).toEqual([]);
        expect(await store.getRun('run-1')).toMatchObject({ status: 'running', lastSeq: 1 });
      });

      it('orders steps by start time, then key, then attempt', async () => {
        const steps = [
          makeStep({ stepKey: 'c', startedAt: T0 + 3 }),
          makeStep({ stepKey: 'b', startedAt: T0 + 1, attempt: 2 }),
          makeStep({ stepKey: 'b', startedAt: T0 + 1, attempt: 1 }),
          makeStep({ stepKey: 'skipped', attempt: 0, status: 'skipped', startedAt: null, endedAt: T0 + 2 }),
          makeStep({ stepKey: 'a', startedAt: T0 + 1 }),
        ];
        await store.commit(batch({ newRuns: [makeRun()], steps }));
        const order = (await store.getSteps('run-1')).map((step) => `${step.stepKey}#${step.attempt}`);
        expect(order).toEqual(['a#1', 'b#1', 'b#2', 'skipped#0', 'c#1']);
      });

      it('reads events after a sequence number, with a limit', async () => {
        const events = [1, 2, 3, 4, 5].map((seq) => makeEvent(seq, { stepKey: seq === 5 ? null : 'fetch' }));
        await store.commit(batch({ newRuns: [makeRun()], events }));
        expect((await store.getEvents('run-1', 2)).map((e) => e.seq)).toEqual([3, 4, 5]);
        expect((await store.getEvents('run-1', 1, 2)).map((e) => e.seq)).toEqual([2, 3]);
        expect((await store.getEvents('run-1', 5)).length).toBe(0);
        expect((await store.getEvents('run-1')).at(-1)?.stepKey).toBeNull();
        expect(await store.getEvents('other')).toEqual([]);
      });

      it('round-trips nested JSON and turns undefined into null', async () => {
        const input = {
          text: 'quote " backslash \\ newline \n unicode \u00e9\u4e2d\ud83d\ude00',
          list: [1, 2.5, -3, true, false, null, { deep: { deeper: [[], {}] } }],
          empty: '',
          zero: 0,
        };
        const run = makeRun({ input, output: ['a', { b: null }], meta: { nested: { n: 1 } } });
        const step = makeStep({ input: 'plain string', output: 42, meta: { tokens: { in: 1 } } });
        const event = makeEvent(1, { data: [input] });
        await store.commit(batch({ newRuns: [run], steps: [step], events: [event] }));
        expect(await store.getRun('run-1')).toEqual({ ...run, lastSeq: 1 });
        expect(await store.getSteps('run-1')).toEqual([step]);
        expect(await store.getEvents('run-1')).toEqual([event]);

        const bare = makeRun({ id: 'run-2', input: undefined, output: undefined, version: null });
        const bareStep = makeStep({ runId: 'run-2', input: undefined, output: undefined, meta: null });
        const bareEvent = makeEvent(1, { runId: 'run-2', data: undefined, stepKey: null });
        await store.commit(batch({ newRuns: [bare], steps: [bareStep], events: [bareEvent] }));
        expect(await store.getRun('run-2')).toMatchObject({
          input: null,
          output: null,
          version: null,
          error: null,
        });
        expect(await store.getSteps('run-2')).toEqual([{ ...bareStep, input: null, output: null }]);
        expect(await store.getEvents('run-2')).toEqual([{ ...bareEvent, data: null }]);
      });

      it('writes nothing of a batch that fails', async () => {
        await store.commit(batch({ newRuns: [makeRun()], events: [makeEvent(1)] }));
        const failing = batch({
          runPatches: [{ id: 'run-1', lastSeq: 2, status: 'completed' }],
          steps: [makeStep()],
          events: [makeEvent(2), makeEvent(1)],
        });
        await expect(store.commit(failing)).rejects.toMatchObject({ code: 'store_error' });
        expect(await store.getRun('run-1')).toMatchObject({ status: 'running', lastSeq: 1 });
        expect(await store.getSteps('run-1')).toEqual([]);
        expect((await store.getEvents('run-1')).length).toBe(1);
      });
    });

    describe('lease fence on commit', () => {
      beforeEach(async () => {
        await store.migrate();
        await store.commit(
          batch({ newRuns: [makeRun({ id: 'mine' }), makeRun({ id: 'theirs', owner: OTHER })] }),
        );
      });

      it('skips every record of a run whose patch finds another owner; the rest commits', async () => {
        const result = await store.commit(
          batch({
            runPatches: [
              { id: 'mine', lastSeq: 1, status: 'completed' },
              { id: 'theirs', lastSeq: 1, status: 'completed' },
            ],
            steps: [makeStep({ runId: 'mine' }), makeStep({ runId: 'theirs' })],
            events: [makeEvent(1, { runId: 'theirs' }), makeEvent(1, { runId: 'mine' })],
          }),
        );
        expect(result).toEqual({ lostRuns: ['theirs'] });
        expect(await store.getRun('mine')).toMatchObject({ status: 'completed', lastSeq: 1 });
        expect((await store.getSteps('mine')).length).toBe(1);
        expect((await store.getEvents('mine')).length).toBe(1);
        expect(await store.getRun('theirs')).toMatchObject({ status: 'running', lastSeq: 0, owner: OTHER });
        expect(await store.getSteps('theirs')).toEqual([]);
        expect(await store.getEvents('theirs')).toEqual([]);
      });

      it('writes steps and events without a patch only for runs the owner holds', async () => {
        const result = await store.commit(
          batch({
            steps: [makeStep({ runId: 'mine' }), makeStep({ runId: 'theirs' }), makeStep({ runId: 'ghost' })],
            events: [makeEvent(1, { runId: 'mine' }), makeEvent(1, { runId: 'theirs' })],
          }),
        );
        expect([...result.lostRuns].sort()).toEqual(['ghost', 'theirs']);
        expect((await store.getSteps('mine')).length).toBe(1);
        expect((await store.getEvents('mine')).length).toBe(1);
        expect(await store.getSteps('theirs')).toEqual([]);
        expect(await store.getEvents('theirs')).toEqual([]);
      });

      it('loses a run that was released', async () => {
        await store.releaseRun('mine', ME);
        const result = await store.commit(batch({ runPatches: [{ id: 'mine', lastSeq: 1 }] }));
        expect(result.lostRuns).toEqual(['mine']);
      });
    });

    describe('claims and leases', () => {
      const now = T0 + 1000;
      beforeEach(async () => {
        await store.migrate();
      });

      async function seed(runs: RunRecord[]): Promise<void> {
        await store.commit(batch({ newRuns: runs }));
      }

      it('claims a free run and returns the full record', async () => {
        await seed([makeRun({ owner: null, leaseExpiresAt: null, status: 'pending', input: { a: [1] } })]);
        const claimed = await store.claimRun('run-1', { owner: ME, leaseMs: LEASE, now });
        expect(claimed).toEqual(
          makeRun({ owner: ME, leaseExpiresAt: now + LEASE, status: 'pending', input: { a: [1] } }),
        );
        expect(await store.getRun('run-1')).toEqual(claimed);
      });

      it('refuses a run leased by a live owner, until the lease expires', async () => {
        await seed([makeRun({ owner: OTHER, leaseExpiresAt: now + 5 })]);
        expect(await store.claimRun('run-1', { owner: ME, leaseMs: LEASE, now })).toBeUndefined();
        expect((await store.getRun('run-1'))?.owner).toBe(OTHER);
        const later = await store.claimRun('run-1', { owner: ME, leaseMs: LEASE, now: now + 5 });
        expect(later).toMatchObject({ owner: ME, leaseExpiresAt: now + 5 + LEASE });
      });

      it('re-claims a run it already holds, extending the lease', async () => {
        await seed([makeRun({ owner: ME, leaseExpiresAt: now + 5 })]);
        const again = await store.claimRun('run-1', { owner: ME, leaseMs: LEASE, now });
        expect(again?.leaseExpiresAt).toBe(now + LEASE);
      });

      it('takes over from a dead owner at once', async () => {
        await seed([makeRun({ owner: OTHER, leaseExpiresAt: now + LEASE })]);
        const options = { owner: ME, leaseMs: LEASE, now, deadOwners: ['someone-else'] };
        expect(await store.claimRun('run-1', options)).toBeUndefined();
        const claimed = await store.claimRun('run-1', { ...options, deadOwners: ['x', OTHER] });
        expect(claimed?.owner).toBe(ME);
      });

      it('never claims a terminal or missing run', async () => {
        await seed(
          (['completed', 'failed', 'cancelled'] as const).map((status, i) =>
            makeRun({ id: `t${i}`, status, owner: null, leaseExpiresAt: null }),
          ),
        );
        for (const id of ['t0', 't1', 't2', 'missing']) {
          expect(await store.claimRun(id, { owner: ME, leaseMs: LEASE, now })).toBeUndefined();
        }
        expect((await store.getRun('t0'))?.owner).toBeNull();
      });

      it('lets exactly one of two concurrent claims win', async () => {
        await seed([makeRun({ owner: null, leaseExpiresAt: null })]);
        const results = await Promise.all(
          ['w1', 'w2', 'w3'].map((owner) => store.claimRun('run-1', { owner, leaseMs: LEASE, now })),
        );
        const winners = results.filter((run) => run !== undefined);
        expect(winners.length).toBe(1);
        expect((await store.getRun('run-1'))?.owner).toBe(winners[0]?.owner);
      });

      it('renews every non-terminal lease of one owner', async () => {
        await seed([
          makeRun({ id: 'a' }),
          makeRun({ id: 'b', status: 'paused' }),
          makeRun({ id: 'done', status: 'completed' }),
          makeRun({ id: 'theirs', owner: OTHER }),
        ]);
        expect((await store.renewLeases(ME, LEASE, now)).sort()).toEqual(['a', 'b']);
        expect((await store.getRun('a'))?.leaseExpiresAt).toBe(now + LEASE);
        expect((await store.getRun('done'))?.leaseExpiresAt).toBe(T0 + LEASE);
        expect((await store.getRun('theirs'))?.leaseExpiresAt).toBe(T0 + LEASE);
        expect(await store.renewLeases('nobody', LEASE, now)).toEqual([]);
      });

      it('releases a run only for its owner', async () => {
        await seed([makeRun()]);
        await store.releaseRun('run-1', OTHER);
        expect((await store.getRun('run-1'))?.owner).toBe(ME);
        await store.releaseRun('run-1', ME);
        expect(await store.getRun('run-1')).toMatchObject({ owner: null, leaseExpiresAt: null });
        await store.releaseRun('missing', ME);
      });

      it('lists interrupted runs oldest first', async () => {
        await seed([
          makeRun({ id: 'free', owner: null, leaseExpiresAt: null, createdAt: T0 + 3 }),
          makeRun({ id: 'expired', owner: OTHER, leaseExpiresAt: now, createdAt: T0 + 1 }),
          makeRun({ id: 'dead', owner: 'dead-1', leaseExpiresAt: now + LEASE, createdAt: T0 + 2 }),
          makeRun({ id: 'live', owner: OTHER, leaseExpiresAt: now + 1, createdAt: T0 }),
          makeRun({ id: 'done', status: 'completed', owner: null, leaseExpiresAt: null }),
          makeRun({ id: 'failed', status: 'failed', owner: OTHER, leaseExpiresAt: 0 }),
        ]);
        expect(ids(await store.listInterrupted(now, ['dead-1']))).toEqual(['expired', 'dead', 'free']);
        expect(ids(await store.listInterrupted(now))).toEqual(['expired', 'free']);
      });

      it('lists the distinct owners of non-terminal runs', async () => {
        await seed([
          makeRun({ id: 'a' }),
          makeRun({ id: 'b' }),
          makeRun({ id: 'c', owner: OTHER }),
          makeRun({ id: 'd', owner: 'finished-owner', status: 'completed' }),
          makeRun({ id: 'e', owner: null }),
        ]);
        expect((await store.listOwners()).sort()).toEqual([ME, OTHER].sort());
      });
    });

    describe('listRuns', () => {
      beforeEach(async () => {
        await store.migrate();
        const runs = Array.from({ length: 60 }, (_, i) =>
          makeRun({
            id: `r${String(i).padStart(2, '0')}`,
            createdAt: T0 + i,
            workflow: i % 2 === 0 ? 'even' : 'odd',
            status: i % 3 === 0 ? 'completed' : i % 3 === 1 ? 'failed' : 'running',
            parentRunId: i >= 50 ? 'r00' : null,
          }),
        );
        await store.commit(batch({ newRuns: runs }));
      });

      it('returns the newest 50 by default', async () => {
        const runs = await store.listRuns();
        expect(runs.length).toBe(50);
        expect(runs[0]?.id).toBe('r59');
        expect(runs[49]?.id).toBe('r10');
      });

      it('filters by workflow, one or many statuses and parent', async () => {
        expect(ids(await store.listRuns({ workflow: 'even', limit: 3 }))).toEqual(['r58', 'r56', 'r54']);
        expect(ids(await store.listRuns({ status: 'failed', limit: 2 }))).toEqual(['r58', 'r55']);
        const many = await store.listRuns({ status: ['completed', 'failed'], limit: 100 });
        expect(many.length).toBe(40);
        expect(await store.listRuns({ status: [] })).toEqual([]);
        const children = await store.listRuns({ parentRunId: 'r00', workflow: 'odd', status: 'running' });
        expect(ids(children)).toEqual(['r59', 'r53']);
      });

      it('pages with the before cursor', async () => {
        const first = await store.listRuns({ limit: 25 });
        const second = await store.listRuns({ limit: 25, before: first.at(-1)?.createdAt });
        const third = await store.listRuns({ limit: 25, before: second.at(-1)?.createdAt });
        const all = [...first, ...second, ...third];
        expect(all.length).toBe(60);
        expect(new Set(ids(all)).size).toBe(60);
        expect(third.at(-1)?.id).toBe('r00');
      });
    });

    describeWaitsConformance(() => store);
    describe('resilience', () => {
      beforeEach(async () => {
        await store.migrate();
      });
      describeBreakerStateConformance(() => store.breakers);
      describeCacheStoreConformance(() => store.cache);
      describeSlotsConformance(() => store);
    });
    describeDeadLettersConformance(() => store);
    describeCommandsConformance(() => store);
    describeNotificationsConformance(() => store);
    describeDefinitionsConformance(() => store);
    describeSchedulesConformance(() => store);
  });
}
