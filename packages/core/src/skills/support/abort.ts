import { WeftError } from '../../errors.js';

/**
 * The error a skill rejects with when its signal fires: the engine's own WeftError reason
 * (`timeout`, `cancelled`) as is, anything else as `cancelled`.
 */
export function abortError(signal: AbortSignal): WeftError {
  const reason: unknown = signal.reason;
  if (reason instanceof WeftError) return reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return new WeftError('timeout', reason.message, { cause: reason });
  }
  const why = reason instanceof Error && reason.name !== 'AbortError' ? `: ${reason.message}` : '';
  return new WeftError('cancelled', `cancelled${why}`, { cause: reason });
}

/** Throws `abortError(signal)` when the signal has fired. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortError(signal);
}
