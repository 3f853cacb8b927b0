import { WeftError } from '../../errors.js';
import type { Store } from '../../store/types.js';
import { TERMINAL_RUN_STATUSES } from '../../store/types.js';
import type { RunResult } from '../types.js';

/** Resolves with a run's result once the store says it ended (it executes in another process). */
export async function followInStore(store: Store, runId: string, pollMs = 250): Promise<RunResult> {
  for (;;) {
    const run = await store.getRun(runId);
    if (!run) throw new WeftError('not_found', `run ${runId} is gone from the store`);
    if (TERMINAL_RUN_STATUSES.has(run.status)) {
      return { runId, status: run.status, output: run.output, error: run.error };
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
