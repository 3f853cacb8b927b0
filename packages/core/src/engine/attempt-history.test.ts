import { describe, expect, it } from 'vitest';
import type { StepRecord } from '../store/types.js';
import { AttemptHistory } from './attempt-history.js';

function attempt(stepKey: string, n: number, overrides: Partial<StepRecord> = {}): StepRecord {
  return {
    runId: 'r',
    stepKey,
    attempt: n,
    stepId: stepKey,
    type: 'skill',
    status: 'failed',
    startedAt: n,
    endedAt: n,
    input: null,
    output: null,
    error: { code: 'http_status', message: 'answered 503', status: 503 },
    meta: null,
    ...overrides,
  };
}

describe('AttemptHistory', () => {
  it('finds a retry pending when the process stopped, once, and nothing else', () => {
    const history = new AttemptHistory([
      attempt('pending', 1),
      attempt('pending', 2),
      attempt('retried', 1),
      attempt('retried', 2, { status: 'running', error: null }),
      attempt('final', 1, { meta: { final: true } }),
      attempt('interrupted', 1, { error: { code: 'interrupted', message: 'stopped' } }),
      attempt('done', 1, { status: 'completed', error: null }),
    ]);
    const pending = history.takePendingFailure('pending');
    expect(pending).toMatchObject({ code: 'http_status', message: 'answered 503', details: { status: 503 } });
    expect(history.takePendingFailure('pending')).toBeUndefined();
    for (const key of ['retried', 'final', 'interrupted', 'done', 'unknown'])
      expect(history.takePendingFailure(key)).toBeUndefined();
  });

  it('starts a dead-letter replay afresh: retries counted from it, with its edited input', () => {
    const history = new AttemptHistory([
      attempt('b', 1, { meta: { final: false, replay: { dlq_id: 'x', input: { url: 'old' } } } }),
      attempt('b', 2),
      attempt('b', 3, { meta: { final: false, replay: { dlq_id: 'y', input: { url: 'new' } } } }),
      attempt('c', 2, { meta: { final: false, replay: { dlq_id: 'y' } } }),
    ]);
    expect(history.takePendingFailure('b')).toBeUndefined();
    expect(history.retryBase('b')).toBe(3);
    expect(history.replayInput('b')).toEqual({ input: { url: 'new' } });
    expect(history.retryBase('c')).toBe(2);
    expect(history.replayInput('c')).toBeUndefined();
    expect(history.retryBase('other')).toBe(0);
  });
});
