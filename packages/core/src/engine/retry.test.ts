import { describe, expect, it } from 'vitest';
import { WeftError } from '../errors.js';
import { parseRetry } from './plan.js';
import { retryDelay, shouldRetry } from './retry.js';

const failure = (code = 'skill_error', details: Record<string, unknown> = {}) =>
  new WeftError(code, 'failed', { details });

describe('retryDelay', () => {
  it('computes the delay before each retry for every backoff kind', () => {
    const delays = (retry: Record<string, unknown>) =>
      [1, 2, 3, 4].map((attempt) => retryDelay(parseRetry(retry), attempt));
    expect(delays({ backoff: 'exponential', delay: '1s', multiplier: 3 })).toEqual([
      1000, 3000, 9000, 27_000,
    ]);
    expect(delays({ backoff: 'exponential', delay: '1s', max_delay: '5s' })).toEqual([
      1000, 2000, 4000, 5000,
    ]);
    expect(delays({ backoff: 'fixed', delay: '250ms' })).toEqual([250, 250, 250, 250]);
    expect(delays({ backoff: 'linear', delay: '1s', increment: '2s' })).toEqual([1000, 3000, 5000, 7000]);
    expect(delays({ backoff: 'immediate', delay: '1s' })).toEqual([0, 0, 0, 0]);
    expect(delays({})).toEqual([1000, 2000, 4000, 8000]);
  });

  it('spreads a delay by jitter within [1-j, 1+j], from the random source given', () => {
    const policy = parseRetry({ backoff: 'fixed', delay: '1s', jitter: 0.2 });
    expect(retryDelay(policy, 1, undefined, () => 0)).toBe(800);
    expect(retryDelay(policy, 1, undefined, () => 0.5)).toBe(1000);
    expect(retryDelay(policy, 1, undefined, () => 1)).toBe(1200);
  });

  it('waits for a Retry-After when it is longer than the policy delay', () => {
    const policy = parseRetry({ backoff: 'fixed', delay: '1s' });
    expect(retryDelay(policy, 1, failure('http_status', { retry_after_ms: 7000 }))).toBe(7000);
    expect(retryDelay(policy, 1, failure('http_status', { retry_after_ms: 10 }))).toBe(1000);
  });
});

describe('shouldRetry', () => {
  it('stops at max_attempts, on codes never retried, and outside retry_on / retry_on_status', () => {
    const policy = parseRetry({ max_attempts: 3 });
    expect(shouldRetry(policy, failure(), 2)).toBe(true);
    expect(shouldRetry(policy, failure(), 3)).toBe(false);
    for (const code of ['validation_failed', 'expression_error', 'cancelled']) {
      expect(shouldRetry(parseRetry({ max_attempts: 3, retry_on: [code] }), failure(code), 1)).toBe(false);
    }
    const onStatus = parseRetry({ max_attempts: 3, retry_on: ['http_status'], retry_on_status: [503] });
    expect(shouldRetry(onStatus, failure('http_status', { status: 503 }), 1)).toBe(true);
    expect(shouldRetry(onStatus, failure('http_status', { status: 500 }), 1)).toBe(false);
    expect(shouldRetry(onStatus, failure('timeout'), 1)).toBe(false);
  });
});
