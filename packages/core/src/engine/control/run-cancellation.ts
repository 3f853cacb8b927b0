import { WeftError } from '../../errors.js';

/**
 * Why a run was cancelled, and by whom: the abort reason its steps and child runs see, and the
 * error the run ends with (status `cancelled`).
 * @example executor.abort(new RunCancellation('no longer needed', 'ada'))
 */
export class RunCancellation extends WeftError {
  /** The reason as given; the `reason` of `run.cancelled`. */
  readonly why: string;
  readonly by: string | null;

  constructor(reason: string | null, by: string | null) {
    const who = by === null ? 'cancelled' : `cancelled by ${by}`;
    const message = reason === null ? who : `${who}: ${reason}`;
    super('cancelled', message, { details: { reason: reason ?? message, by } });
    this.why = reason ?? message;
    this.by = by;
  }
}

/** The cancellation a run's signal fired with, if that is why it fired. */
export function cancellationOf(signal: AbortSignal): RunCancellation | undefined {
  return signal.aborted && signal.reason instanceof RunCancellation ? signal.reason : undefined;
}
