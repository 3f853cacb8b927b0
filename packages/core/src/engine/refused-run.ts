import type { EventBus } from '../events/bus.js';
import type { RunRecord } from '../store/types.js';
import type { Plan } from './plan-types.js';
import type { RunHandle, RunResult } from './types.js';
import type { BatchWriter } from './writer.js';

/**
 * `on_conflict: cancel_new` with the workflow's limit reached: the run is recorded cancelled (with
 * its `run.cancelled` event) and never started.
 */
export async function refuseRun(
  parts: { writer: BatchWriter; bus: EventBus },
  plan: Plan,
  run: RunRecord,
  reason: string,
): Promise<RunHandle> {
  const time = Date.now();
  const error = { code: 'cancelled', message: `run ${run.id}: ${reason}` };
  const data = { reason: error.message, by: null, durationMs: 0 };
  parts.writer.addRun({
    ...run,
    status: 'cancelled',
    endedAt: time,
    error,
    owner: null,
    leaseExpiresAt: null,
    lastSeq: 1,
  });
  parts.writer.addEvent({ runId: run.id, seq: 1, type: 'run.cancelled', time, stepKey: null, data });
  await parts.writer.flushed();
  parts.bus.emit({
    type: 'run.cancelled',
    runId: run.id,
    workflow: plan.name,
    seq: 1,
    time,
    stepKey: null,
    data,
  });
  const result: RunResult = { runId: run.id, status: 'cancelled', output: null, error };
  return { runId: run.id, result: async () => result };
}
