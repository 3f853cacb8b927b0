import { describe, expect, it } from 'vitest';
import { EventBus } from './bus.js';
import { matchesFilter, subscribe } from './subscribe.js';
import type { AnyWeftEvent } from './types.js';

const event = (type: AnyWeftEvent['type'], runId: string, workflow: string, seq = 1): AnyWeftEvent =>
  ({
    type,
    runId,
    workflow,
    seq,
    time: 1,
    stepKey: type.startsWith('step') ? 'a' : null,
    data: {},
  }) as AnyWeftEvent;

describe('subscribe', () => {
  it('delivers only the events matching type, workflow and run, until unsubscribed', () => {
    const bus = new EventBus();
    const seen: string[] = [];
    const off = subscribe(bus, { type: ['step.started', 'run.completed'], workflow: 'pay' }, (e) =>
      seen.push(`${e.type}:${e.runId}`),
    );
    const byRun: number[] = [];
    subscribe(bus, { runId: 'r2' }, (e) => byRun.push(e.seq));
    bus.emit(event('step.started', 'r1', 'pay'));
    bus.emit(event('step.completed', 'r1', 'pay', 2));
    bus.emit(event('step.started', 'r2', 'ship', 1));
    bus.emit(event('run.completed', 'r2', 'pay', 2));
    off();
    bus.emit(event('run.completed', 'r1', 'pay', 3));
    expect(seen).toEqual(['step.started:r1', 'run.completed:r2']);
    expect(byRun).toEqual([1, 2]);
  });

  it('matches stored events with the same filter', () => {
    const record = { type: 'step.failed', runId: 'r1' };
    expect(matchesFilter({ type: 'step.failed', workflow: 'pay' }, record, 'pay')).toBe(true);
    expect(matchesFilter({ type: ['run.failed'] }, record, 'pay')).toBe(false);
    expect(matchesFilter({ runId: 'r2' }, record, 'pay')).toBe(false);
  });
});
