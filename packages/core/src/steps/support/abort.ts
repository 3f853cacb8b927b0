import { setMaxListeners } from 'node:events';
import { WeftError } from '../../errors.js';

/** A cancellable scope for some children: follows its parent signal, can be aborted on its own. */
export interface LinkedAbort {
  readonly signal: AbortSignal;
  /** Aborts the children with `reason` (no-op once aborted). */
  abort(reason: WeftError): void;
  /** Stops following the parent and clears the timer. */
  dispose(): void;
}

export interface LinkedAbortOptions {
  /** Aborts with `timeout()` after this many ms. */
  timeoutMs?: number | undefined;
  timeout?: () => WeftError;
}

/** An AbortController linked to `parent`, optionally with a deadline (fork_join `branch_timeout`). */
export function linkedAbort(parent: AbortSignal, options: LinkedAbortOptions = {}): LinkedAbort {
  const controller = new AbortController();
  // Many iterations or children may listen on one signal at once.
  setMaxListeners(0, controller.signal);
  const abort = (reason: unknown) => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const onParent = () => abort(parent.reason);
  if (parent.aborted) abort(parent.reason);
  else parent.addEventListener('abort', onParent, { once: true });
  const { timeoutMs, timeout } = options;
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(
          () => abort(timeout?.() ?? new WeftError('timeout', `timed out after ${timeoutMs}ms`)),
          timeoutMs,
        );
  return {
    signal: controller.signal,
    abort,
    dispose() {
      if (timer) clearTimeout(timer);
      parent.removeEventListener('abort', onParent);
    },
  };
}
