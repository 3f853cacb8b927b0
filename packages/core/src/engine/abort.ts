import { WeftError } from '../errors.js';

/** The error an aborted signal stands for. */
export function abortError(signal: AbortSignal): WeftError {
  const reason: unknown = signal.reason;
  if (reason instanceof WeftError) return reason;
  return new WeftError('cancelled', reason instanceof Error ? reason.message : 'the step was cancelled', {
    cause: reason,
  });
}

/** Settles with `work`, or rejects with the signal's reason as soon as it fires, whichever comes first. */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.reject(abortError(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Waits `ms`, or rejects when the signal fires. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return raceAbort(
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
    }),
    signal,
  );
}

/** A child signal that fires with the parent, or after `timeoutMs` with a `timeout` error. */
export function childSignal(
  parent: AbortSignal,
  timeoutMs: number | undefined,
  describe: () => string,
): {
  signal: AbortSignal;
  dispose(): void;
} {
  if (timeoutMs === undefined) return { signal: parent, dispose() {} };
  const controller = new AbortController();
  const onParent = () => controller.abort(parent.reason);
  if (parent.aborted) controller.abort(parent.reason);
  else parent.addEventListener('abort', onParent, { once: true });
  const timer = setTimeout(
    () => controller.abort(new WeftError('timeout', describe(), { details: { timeout_ms: timeoutMs } })),
    timeoutMs,
  );
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      parent.removeEventListener('abort', onParent);
    },
  };
}
