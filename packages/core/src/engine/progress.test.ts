import { describe, expect, it } from 'vitest';
import { eventually, stepEngine } from '../../test/support/step-engine.js';
import type { StepRecord } from '../store/types.js';
import { formatProgress, progressOf } from './progress.js';

const step = (stepKey: string, status: StepRecord['status']): StepRecord => ({
  runId: 'r',
  stepKey,
  attempt: 1,
  stepId: stepKey,
  type: 'skill',
  status,
  startedAt: 0,
  endedAt: null,
  input: null,
  output: null,
  error: null,
  meta: null,
});

describe('progress', () => {
  it('counts finished over known steps, loop iterations as they expand, and the running ones', () => {
    const progress = progressOf({
      run: { status: 'running', startedAt: 1000 },
      steps: [
        step('a', 'failed'),
        step('a', 'completed'),
        step('each', 'running'),
        step('each[0].x', 'completed'),
        step('each[1].x', 'running'),
      ],
      topLevel: ['a', 'each', 'b'],
      durations: [9000, 3000, 4000],
      now: 2000,
    });
    expect(progress).toEqual({
      percent: 40,
      finished: 2,
      known: 5,
      running: ['each', 'each[1].x'],
      etaMs: 3000,
    });
    expect(formatProgress(progress)).toBe('40% (2/5 steps) · running: each, each[1].x · ETA 3s');
  });

  it('has no ETA without history and is 100% once completed', () => {
    const base = { steps: [step('a', 'completed')], topLevel: ['a', 'b'], now: 0 };
    expect(progressOf({ ...base, run: { status: 'running', startedAt: 0 }, durations: [] }).etaMs).toBeNull();
    expect(progressOf({ ...base, run: { status: 'completed', startedAt: 0 }, durations: [] })).toMatchObject({
      percent: 100,
      etaMs: 0,
    });
  });

  it('estimates from earlier completed runs of the same document', async () => {
    const { engine } = await stepEngine();
    try {
      const source =
        'name: eta\nsteps:\n  - { id: nap, type: wait, duration: 150ms }\n  - { id: gate, type: event, event: go, timeout: 10s }\n';
      for (let i = 0; i < 2; i += 1) {
        const done = await engine.start({ source });
        await eventually(async () => (await engine.store.getWait(done.runId, 'gate'))?.status === 'open');
        await engine.sendEvent({ type: 'go' });
        await done.result();
      }
      const handle = await engine.start({ source });
      await eventually(async () => (await engine.progress(handle.runId)).running.includes('nap'));
      const progress = await engine.progress(handle.runId);
      expect(progress).toMatchObject({ percent: 0, finished: 0, known: 2, running: ['nap'] });
      expect(progress.etaMs).toBeGreaterThan(0);
      expect(progress.etaMs).toBeLessThan(1000);
      // The wait row is written at once, the step's `waiting` record with the next group commit.
      await eventually(async () => (await engine.progress(handle.runId)).running.includes('gate'));
      expect(await engine.progress(handle.runId)).toMatchObject({ percent: 50, running: ['gate'] });
      await engine.sendEvent({ type: 'go' });
      await handle.result();
      expect(await engine.progress(handle.runId)).toMatchObject({ percent: 100, finished: 2, etaMs: 0 });
    } finally {
      await engine.close();
    }
  });
});
