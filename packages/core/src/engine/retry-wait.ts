import type { WaitService } from '../steps/types.js';
import { sleep } from './abort.js';
import type { Clock } from './clock.js';

export interface RetryWait {
  waits: WaitService | undefined;
  clock: Clock;
  runId: string;
  workflow: string;
  stepKey: string;
  /** The attempt that failed (1-based): the wait is stored as `<step key>#retry<attempt>`. */
  attempt: number;
  delayMs: number;
  signal: AbortSignal;
}

/** The key a retry delay is stored under: one durable timer per failed attempt. */
export function retryWaitKey(stepKey: string, attempt: number): string {
  return `${stepKey}#retry${attempt}`;
}

/**
 * Waits out a retry delay as a durable timer: a run resumed in another process waits until the
 * moment first set, not a new full delay. Rejects when `signal` fires.
 */
export async function waitForRetry(options: RetryWait): Promise<void> {
  const { waits, clock, delayMs, signal } = options;
  if (delayMs <= 0) return;
  if (!waits) return sleep(delayMs, signal);
  await waits.wait(
    {
      kind: 'timer',
      reason: `retry ${options.attempt + 1} of step '${options.stepKey}'`,
      until: clock.now() + delayMs,
      runId: options.runId,
      workflow: options.workflow,
      stepKey: retryWaitKey(options.stepKey, options.attempt),
    },
    signal,
  );
}
