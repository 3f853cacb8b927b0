import { beforeEach, describe, expect, it } from 'vitest';
import type { DeadLetterRecord } from './dead-letter-types.js';
import type { RunRecord, StepRecord, Store, WriteBatch } from './types.js';

const T0 = 1_700_000_000_000;
const OWNER = 'host-a:100';
const OTHER = 'host-b:200';

function run(id: string, overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    id,
    workflow: 'wf',
    version: 1,
    documentHash: 'doc-1',
    status: 'running',
    input: null,
    output: null,
    error: null,
    parentRunId: null,
    createdAt: T0,
    startedAt: T0,
    endedAt: null,
    deadlineAt: null,
    owner: OWNER,
    leaseExpiresAt: T0 + 30_000,
    lastSeq: 0,
    meta: {},
    ...overrides,
  };
}

function entry(id: string, overrides: Partial<DeadLetterRecord> = {}): DeadLetterRecord {
  return {
    id,
    workflow: 'wf',
    version: 1,
    runId: 'r1',
    stepKey: `step_${id}`,
    stepId: `step_${id}`,
    attempt: 3,
    input: { url: 'https://example.test', n: [1, 2] },
    error: { code: 'http_status', message: 'answered 503', status: 503 },
    attempts: 3,
    createdAt: T0,
    ...overrides,
  };
}

function failedStep(stepKey: string, overrides: Partial<StepRecord> = {}): StepRecord {
  return {
    runId: 'r1',
    stepKey,
    attempt: 2,
    stepId: stepKey,
    type: 'skill',
    status: 'failed',
    startedAt: T0 + 10,
    endedAt: T0 + 20,
    input: { n: 1 },
    output: null,
    error: { code: 'skill_error', message: 'boom' },
    meta: { final: true },
    ...overrides,
  };
}

function batch(parts: Partial<WriteBatch>): WriteBatch {
  return { owner: OWNER, newRuns: [], runPatches: [], steps: [], events: [], ...parts };
}

const ids = (entries: DeadLetterRecord[]) => entries.map((e) => e.id);

/** The dead-letter queue and `reopenRun`; `store` is migrated and holds runs r1 and r2 (ours). */
export function describeDeadLettersConformance(getStore: () => Store): void {
  describe('dead letters', () => {
    let store: Store;
    beforeEach(async () => {
      store = getStore();
      await store.migrate();
      await store.commit(batch({ newRuns: [run('r1'), run('r2', { workflow: 'other' })] }));
    });

    it('writes entries with the batch and reads them back, newest first', async () => {
      const a = entry('a');
      const b = entry('b', { runId: 'r2', workflow: 'other', version: null, createdAt: T0 + 5 });
      await store.commit(batch({ steps: [failedStep('step_a')], deadLetters: [a, b] }));
      expect(await store.getDeadLetter('a')).toEqual(a);
      expect(await store.getDeadLetter('missing')).toBeUndefined();
      expect(ids(await store.listDeadLetters())).toEqual(['b', 'a']);
      expect(ids(await store.listDeadLetters({ workflow: 'wf' }))).toEqual(['a']);
      expect(ids(await store.listDeadLetters({ runId: 'r2' }))).toEqual(['b']);
      expect(ids(await store.listDeadLetters({ since: T0 + 1 }))).toEqual(['b']);
      expect(ids(await store.listDeadLetters({ before: T0 + 1 }))).toEqual(['a']);
      expect(ids(await store.listDeadLetters({ limit: 1 }))).toEqual(['b']);
    });

    it('writes one entry per (run, step key, attempt) and none for a run it does not hold', async () => {
      await store.commit(batch({ deadLetters: [entry('a')] }));
      await store.commit(batch({ deadLetters: [entry('a2', { stepKey: 'step_a' })] }));
      await store.commit(batch({ owner: OTHER, deadLetters: [entry('theirs')] }));
      expect(ids(await store.listDeadLetters())).toEqual(['a']);
    });

    it('deletes one entry and purges old ones, of one workflow or all', async () => {
      await store.commit(
        batch({
          deadLetters: [
            entry('old', { createdAt: T0 - 100 }),
            entry('old_other', { runId: 'r2', workflow: 'other', createdAt: T0 - 100 }),
            entry('new', { createdAt: T0 + 100 }),
          ],
        }),
      );
      expect(await store.deleteDeadLetter('new')).toBe(true);
      expect(await store.deleteDeadLetter('new')).toBe(false);
      expect(await store.purgeDeadLetters(T0, 'wf')).toBe(1);
      expect(ids(await store.listDeadLetters())).toEqual(['old_other']);
      expect(await store.purgeDeadLetters(T0)).toBe(1);
      expect(await store.listDeadLetters()).toEqual([]);
    });

    it('reopens a failed run: running and ours, steps rewritten, its entries gone', async () => {
      const failed = failedStep('fetch');
      await store.commit(
        batch({
          steps: [failed],
          deadLetters: [entry('a', { stepKey: 'fetch' }), entry('b', { runId: 'r2' })],
          runPatches: [
            {
              id: 'r1',
              lastSeq: 4,
              status: 'failed',
              error: { code: 'skill_error', message: 'boom' },
              endedAt: T0 + 30,
            },
          ],
        }),
      );
      await store.releaseRun('r1', OWNER);
      const reopened = await store.reopenRun({
        runId: 'r1',
        owner: OTHER,
        leaseMs: 1000,
        now: T0 + 50,
        deadlineAt: T0 + 5000,
        steps: [{ ...failed, meta: { final: false, replay: { dlq_id: 'a' } } }],
      });
      expect(reopened).toMatchObject({
        id: 'r1',
        status: 'running',
        error: null,
        endedAt: null,
        owner: OTHER,
        leaseExpiresAt: T0 + 1050,
        deadlineAt: T0 + 5000,
        lastSeq: 4,
      });
      expect(await store.getRun('r1')).toEqual(reopened);
      expect((await store.getSteps('r1'))[0]?.meta).toEqual({ final: false, replay: { dlq_id: 'a' } });
      expect(ids(await store.listDeadLetters())).toEqual(['b']);
    });

    it('reopens only a failed run, changing nothing otherwise', async () => {
      await store.commit(batch({ deadLetters: [entry('a')] }));
      const reopen = { owner: OTHER, leaseMs: 1000, now: T0, deadlineAt: null, steps: [failedStep('x')] };
      expect(await store.reopenRun({ ...reopen, runId: 'r1' })).toBeUndefined();
      expect(await store.reopenRun({ ...reopen, runId: 'unknown' })).toBeUndefined();
      expect(await store.getSteps('r1')).toEqual([]);
      expect((await store.getRun('r1'))?.owner).toBe(OWNER);
      expect(ids(await store.listDeadLetters())).toEqual(['a']);
    });
  });
}
