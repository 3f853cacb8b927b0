import type { WaitService } from '../../steps/types.js';
import { abortError } from '../abort.js';
import type { PauseGate } from './pause-gate.js';

/**
 * A run's durable waits with its timers held while it is paused: a timer (or a wait's timeout)
 * that comes due ends its step only once the run is resumed. Events and approvals are not held:
 * a waiting step is a running step, and running steps finish.
 */
export function holdTimers(waits: WaitService, gate: PauseGate): WaitService {
  return {
    async wait(request, signal) {
      const outcome = await waits.wait(request, signal);
      if (outcome.kind !== 'timer' && outcome.kind !== 'timeout') return outcome;
      await gate.wait(signal);
      if (signal.aborted) throw abortError(signal);
      return outcome;
    },
  };
}
