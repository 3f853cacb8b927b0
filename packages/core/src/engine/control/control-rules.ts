import { WeftError } from '../../errors.js';
import type { RunCommandRecord, RunRecord } from '../../store/types.js';
import { TERMINAL_RUN_STATUSES } from '../../store/types.js';

export type ControlAction = 'pause' | 'resume' | 'cancel';

/** What a run is asked to be by its newest command (none: running). */
export type RequestedState = 'running' | 'paused' | 'cancelled';

export function requestedState(last: RunCommandRecord | undefined): RequestedState {
  if (last?.kind === 'pause') return 'paused';
  if (last?.kind === 'cancel') return 'cancelled';
  return 'running';
}

const asked = (command: RunCommandRecord) =>
  `${command.by === null ? 'by the engine' : `by ${command.by}`} at ${new Date(command.createdAt).toISOString()}`;

/**
 * Throws `conflict` when `action` cannot be asked of the run now: it ended, it is being cancelled,
 * a pause of a paused run. Pure: the caller read `run` and its newest command `last`.
 * `resume` of a run that is not paused passes: it may be an interrupted run to continue.
 */
export function checkControl(
  action: ControlAction,
  run: RunRecord,
  last: RunCommandRecord | undefined,
): void {
  const id = run.id;
  if (TERMINAL_RUN_STATUSES.has(run.status)) {
    if (action === 'cancel' && run.status === 'cancelled') {
      const by = typeof run.error?.by === 'string' ? ` by ${run.error.by}` : '';
      throw new WeftError('conflict', `run ${id} was already cancelled${by}; nothing to cancel`);
    }
    throw new WeftError('conflict', `run ${id} has already ended (${run.status}); nothing to ${action}`);
  }
  const state = requestedState(last);
  if (state === 'cancelled' && last) {
    throw new WeftError(
      'conflict',
      action === 'cancel'
        ? `run ${id} is already being cancelled (asked ${asked(last)}); nothing to cancel`
        : `run ${id} is being cancelled (asked ${asked(last)}); it cannot be ${action}d`,
    );
  }
  if (action === 'pause' && state === 'paused' && last) {
    throw new WeftError('conflict', `run ${id} is already paused (${asked(last)}); nothing to pause`);
  }
}
