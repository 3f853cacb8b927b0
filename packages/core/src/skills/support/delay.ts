import { abortError } from './abort.js';

// setTimeout fires at once for delays above 2^31-1 ms, so long sleeps are chained.
const MAX_TIMER_MS = 2_147_483_647;

/** Resolves after `ms`, or rejects with `abortError(signal)` as soon as the signal fires. */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(abortError(signal));
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    const wait = (remaining: number): void => {
      timer = setTimeout(
        () => {
          if (remaining > MAX_TIMER_MS) return wait(remaining - MAX_TIMER_MS);
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.min(remaining, MAX_TIMER_MS),
      );
    };
    signal.addEventListener('abort', onAbort, { once: true });
    wait(Math.max(0, ms));
  });
}
