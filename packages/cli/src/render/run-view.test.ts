import type { AnyWeftEvent } from '@weft/core';
import { describe, expect, it } from 'vitest';
import { parentKey, RunView } from './run-view.js';

let seq = 0;
function event(type: string, stepKey: string | null, data: Record<string, unknown> = {}): AnyWeftEvent {
  return { type, runId: 'r1', workflow: 'wf', seq: ++seq, time: 1000 + seq, stepKey, data } as AnyWeftEvent;
}

describe('parentKey', () => {
  it.each([
    ['a', null],
    ['par.child', 'par'],
    ['loop[3].b', 'loop[3]'],
    ['loop[3]', 'loop'],
    ['outer[1].inner[2].x', 'outer[1].inner[2]'],
  ])('%s -> %s', (key, parent) => {
    expect(parentKey(key)).toBe(parent);
  });
});

describe('RunView', () => {
  it('builds the step tree from events, children under their parent', () => {
    const view = new RunView();
    view.apply(event('run.started', null, { input: {}, version: null, parentRunId: null, resumed: false }));
    view.apply(event('step.started', 'fetch', { stepId: 'fetch', type: 'skill', attempt: 1 }));
    view.apply(event('step.started', 'loop', { stepId: 'loop', type: 'loop', attempt: 1 }));
    view.apply(event('step.started', 'loop[0].b', { stepId: 'b', type: 'skill', attempt: 1 }));
    view.apply(
      event('step.completed', 'fetch', { stepId: 'fetch', type: 'skill', attempt: 1, durationMs: 12 }),
    );
    view.apply(event('step.started', 'after', { stepId: 'after', type: 'skill', attempt: 1 }));
    view.apply(event('step.started', 'loop[1].b', { stepId: 'b', type: 'skill', attempt: 1 }));
    const order = view.ordered().map((s) => [s.key, s.depth, s.status]);
    expect(order).toEqual([
      ['fetch', 0, 'completed'],
      ['loop', 0, 'running'],
      ['loop[0].b', 1, 'running'],
      ['loop[1].b', 1, 'running'],
      ['after', 0, 'running'],
    ]);
    expect(view.workflow).toBe('wf');
    expect(view.status).toBe('running');
  });

  it('tracks retries, failures, skips and the run outcome', () => {
    const view = new RunView();
    const error = { code: 'exit_code', message: 'exited with 1' };
    view.apply(event('step.started', 'ship', { stepId: 'ship', type: 'skill', attempt: 1 }));
    view.apply(
      event('step.retrying', 'ship', { stepId: 'ship', type: 'skill', attempt: 1, delayMs: 1000, error }),
    );
    expect(view.steps.get('ship')).toMatchObject({ status: 'retrying', note: 'retry in 1000ms' });
    view.apply(event('step.started', 'ship', { stepId: 'ship', type: 'skill', attempt: 2 }));
    view.apply(
      event('step.failed', 'ship', { stepId: 'ship', type: 'skill', attempt: 2, durationMs: 5, error }),
    );
    view.apply(event('step.blocked', 'notify', { stepId: 'notify', type: 'skill', by: 'ship' }));
    view.apply(event('step.skipped', 'extra', { stepId: 'extra', type: 'skill', reason: 'when was false' }));
    view.apply(event('run.failed', null, { error: { ...error, step: 'ship' }, durationMs: 40 }));
    expect(view.steps.get('ship')).toMatchObject({ status: 'failed', attempt: 2, durationMs: 5, error });
    expect(view.steps.get('notify')).toMatchObject({ status: 'blocked', note: 'blocked by ship' });
    expect(view.count('skipped')).toBe(1);
    expect(view).toMatchObject({ status: 'failed', durationMs: 40 });
  });

  it('shows the steps of a resumed run from its records', () => {
    const view = new RunView();
    view.seed([
      {
        runId: 'r1',
        stepKey: 'fetch',
        attempt: 1,
        stepId: 'fetch',
        type: 'skill',
        status: 'completed',
        startedAt: 10,
        endedAt: 22,
        input: null,
        output: 1,
        error: null,
        meta: null,
      },
    ]);
    expect(view.ordered()).toMatchObject([{ key: 'fetch', status: 'completed', durationMs: 12 }]);
  });
});
