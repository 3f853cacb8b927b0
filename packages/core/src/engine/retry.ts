import { NON_RETRIABLE_CODES, type WeftError } from '../errors.js';

export interface RetryPolicy {
  maxAttempts: number;
  backoff: 'fixed' | 'exponential' | 'linear' | 'immediate';
  delayMs: number;
  multiplier: number;
  incrementMs: number;
  maxDelayMs: number;
  jitter: number;
  retryOn: ReadonlySet<string> | undefined;
  retryOnStatus: ReadonlySet<number> | undefined;
}

/** Whether the policy allows another attempt after `error` on attempt `attempt` (1-based). */
export function shouldRetry(policy: RetryPolicy, error: WeftError, attempt: number): boolean {
  if (attempt >= policy.maxAttempts) return false;
  if (NON_RETRIABLE_CODES.has(error.code)) return false;
  if (policy.retryOn && !policy.retryOn.has(error.code)) return false;
  if (error.code === 'http_status' && policy.retryOnStatus) {
    return policy.retryOnStatus.has(Number(error.details.status));
  }
  return true;
}

/**
 * Delay before attempt `attempt + 1`. `random` is injectable for tests.
 * A `retry_after_ms` detail (an HTTP Retry-After) wins when it is longer.
 */
export function retryDelay(
  policy: RetryPolicy,
  attempt: number,
  error?: WeftError,
  random = Math.random,
): number {
  let delay: number;
  switch (policy.backoff) {
    case 'immediate':
      delay = 0;
      break;
    case 'fixed':
      delay = policy.delayMs;
      break;
    case 'linear':
      delay = policy.delayMs + policy.incrementMs * (attempt - 1);
      break;
    default:
      delay = policy.delayMs * policy.multiplier ** (attempt - 1);
  }
  delay = Math.min(delay, policy.maxDelayMs);
  if (policy.jitter > 0 && delay > 0) delay *= 1 - policy.jitter + random() * 2 * policy.jitter;
  const retryAfter = Number(error?.details.retry_after_ms);
  if (Number.isFinite(retryAfter) && retryAfter > delay) delay = retryAfter;
  return Math.round(delay);
}
