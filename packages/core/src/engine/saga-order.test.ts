import { describe, expect, it } from 'vitest';
import type { EventRecord, StepRecord } from '../store/types.js';
import type { Plan, PlanStep } from './plan-types.js';
import { compensationTargets, isCompensationKey } from './saga-order.js';

const list = (ids: string[]) => ({ graph: false, steps: ids.map((id) => ({ id }) as PlanStep) });

/** A plan whose steps `a`, `b`, `c`, `charge`, `quotes` exist; all but `b` have compensations. */
const plan = {
  steps: new Map<string, Partial<PlanStep>>([
    ['a', { id: 'a', compensate: list(['undo_a']) }],
    ['b', { id: 'b' }],
    ['c', { id: 'c', compensate: list(['undo_c']) }],
    ['charge', { id: 'charge', compensate: list(['refund']) }],
    ['quotes', { id: 'quotes', compensate: list(['undo_quotes']) }],
    ['refund', { id: 'refund', compensate: list(['again']) }],
  ]),
} as unknown as Plan;

function record(stepKey: string, overrides: Partial<StepRecord> = {}): StepRecord {
  const stepId = /([A-Za-z_][A-Za-z0-9_]*)$/.exec(stepKey)![1]!;
  return {
    runId: 'r',
    stepKey,
    attempt: 1,
    stepId,
    type: 'skill',
    status: 'completed',
    startedAt: 10,
    endedAt: 20,
    input: null,
    output: null,
    error: null,
    meta: null,
    ...overrides,
  };
}

const ended = (stepKey: string, seq: number): EventRecord => ({
  runId: 'r',
  seq,
  type: 'step.completed',
  time: 0,
  stepKey,
  data: null,
});

describe('compensationTargets', () => {
  it('orders completed steps with compensations newest completion first, ties by their events', () => {
    const records = [
      record('a', { endedAt: 20 }),
      record('b', { endedAt: 30 }),
      record('c', { endedAt: 20 }),
      record('each[0].charge', { endedAt: 25, status: 'compensated' }),
      record('each[1].charge', { endedAt: 26, status: 'failed' }),
      record('each[2].charge', { endedAt: 27, meta: { reused_from: { run_id: 'old' } } }),
    ];
    // `c` and `a` ended in the same millisecond; the events say `c` came after `a`.
    const events = [ended('a', 3), ended('c', 4), { ...ended('a', 9), type: 'step.compensated' }];
    expect(compensationTargets(plan, records, events).map((r) => r.stepKey)).toEqual([
      'each[0].charge',
      'c',
      'a',
    ]);
  });

  it('does not undo a compensation, and tells one from a fork_join branch named compensate', () => {
    const records = [
      record('charge'),
      record('charge.compensate.refund'),
      record('quotes'),
      record('quotes.compensate.c'),
    ];
    const keys = new Set(records.map((r) => r.stepKey));
    expect(isCompensationKey('charge.compensate.refund', plan, keys)).toBe(true);
    expect(isCompensationKey('quotes.compensate.c', plan, keys)).toBe(false);
    expect(
      compensationTargets(plan, records, [])
        .map((r) => r.stepKey)
        .sort(),
    ).toEqual(['charge', 'quotes', 'quotes.compensate.c']);
  });
});
