import type { ReplayMark } from '../engine/attempt-history.js';
import { latestRecords } from '../engine/saga-order.js';
import { WeftError } from '../errors.js';
import type { DeadLetterRecord, RunRecord, StepRecord } from '../store/types.js';

/** Records that end a step for good and that a replay turns back into steps still to run. */
const RESET = new Set(['blocked', 'cancelled']);
const DONE = new Set(['completed', 'skipped', 'compensated']);

/**
 * Refuses what a replay cannot do, with what was expected: an entry whose run is gone, a run
 * that is not failed, a run that was rolled back (its work is undone).
 */
export function checkReplayable(entry: DeadLetterRecord, run: RunRecord | undefined): RunRecord {
  const what = `dead-letter entry ${entry.id} (step '${entry.stepKey}')`;
  if (!run) {
    throw new WeftError(
      'not_found',
      `${what}: its run ${entry.runId} no longer exists in this store; delete the entry with \`weft dlq delete ${entry.id}\``,
    );
  }
  if (run.status !== 'failed') {
    throw new WeftError(
      'conflict',
      `${what}: run ${run.id} is ${run.status}; only a failed run can be replayed`,
    );
  }
  const compensation = run.error?.compensation as { ran?: unknown[]; failed?: unknown[] } | undefined;
  if ((compensation?.ran?.length ?? 0) + (compensation?.failed?.length ?? 0) > 0) {
    throw new WeftError(
      'conflict',
      `${what}: run ${run.id} was rolled back (its compensations ran), so there is no work to resume; start a new run instead`,
    );
  }
  return run;
}

/**
 * The step records a replay writes over the failed run's: each step that failed for good becomes
 * a failed attempt marked `replay` (it runs again as a new attempt, its retries counted afresh;
 * the entry's step with `input` when edited), and blocked or cancelled steps become `pending`.
 * Steps inside a step that completed are left alone: it is not run again.
 */
export function replayCorrections(
  entry: DeadLetterRecord,
  steps: readonly StepRecord[],
  edited: { input: unknown } | undefined,
): StepRecord[] {
  const latest = latestRecords(steps);
  const done = latest.filter((record) => DONE.has(record.status)).map((record) => record.stepKey);
  const insideDone = (key: string) => done.some((d) => key.startsWith(`${d}.`) || key.startsWith(`${d}[`));
  const target = latest.find((record) => record.stepKey === entry.stepKey);
  if (target?.status !== 'failed' || target.meta?.final !== true || insideDone(entry.stepKey)) {
    throw new WeftError(
      'conflict',
      `dead-letter entry ${entry.id}: step '${entry.stepKey}' of run ${entry.runId} is no longer a failure a replay can resume`,
    );
  }
  const corrections: StepRecord[] = [];
  for (const record of latest) {
    if (insideDone(record.stepKey)) continue;
    if (record.status === 'failed' && record.meta?.final === true) {
      const mark: ReplayMark = { dlq_id: entry.id };
      if (edited && record.stepKey === entry.stepKey) mark.input = edited.input;
      corrections.push({ ...record, meta: { ...record.meta, final: false, replay: mark } });
    } else if (RESET.has(record.status)) {
      corrections.push({ ...record, status: 'pending', meta: { ...record.meta, reset_by: entry.id } });
    }
  }
  return corrections;
}
