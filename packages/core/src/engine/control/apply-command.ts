import type { RunCommandRecord, RunStatus } from '../../store/types.js';
import type { PauseInfo } from './pause-gate.js';

/** What run control asks of a run's executor (engine/run-executor.ts). */
export interface Controllable {
  /** Closes the gate; with `announce`, records `run.paused` and status `paused`. False: no change. */
  pause(pause: PauseInfo, announce?: boolean): boolean;
  /** Opens the gate and records `run.resumed`; with `force`, records it even if the gate was open. */
  unpause(by: string | null, force?: boolean): boolean;
  cancel(reason: string | null, by: string | null): boolean;
}

type Command = Pick<RunCommandRecord, 'kind' | 'by' | 'reason' | 'createdAt'>;

/** Applies one command to a run executing here; false when it changed nothing (already so). */
export function applyCommand(executor: Controllable, command: Command): boolean {
  if (command.kind === 'pause') return executor.pause(pauseOf(command));
  if (command.kind === 'resume') return executor.unpause(command.by);
  return executor.cancel(command.reason, command.by);
}

/**
 * Brings a run that starts executing here to the state its newest command asks for, from the
 * status its last owner recorded: a pause that was recorded is not announced again, a resume
 * asked while nobody executed the run is.
 */
export function applyInitial(executor: Controllable, status: RunStatus, last: Command | undefined): void {
  if (last?.kind === 'cancel') executor.cancel(last.reason, last.by);
  else if (last?.kind === 'pause') executor.pause(pauseOf(last), status !== 'paused');
  else if (status === 'paused') executor.unpause(last?.by ?? null, true);
}

function pauseOf(command: Command): PauseInfo {
  return { by: command.by, reason: command.reason, at: command.createdAt };
}
