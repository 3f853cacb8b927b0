import { type Clock, systemClock } from '../clock.js';

/** setTimeout's limit (about 24.8 days); a later deadline is reached in several hops. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * Calls `fire` at `until` (ms since the epoch), or at once when it has passed.
 * Returns a function that cancels it.
 * @example const cancel = atDeadline(Date.now() + 50, () => console.log('due'));
 */
export function atDeadline(until: number, fire: () => void, clock: Clock = systemClock): () => void {
  let timer: unknown;
  const arm = () => {
    const delay = until - clock.now();
    if (delay <= 0) {
      timer = undefined;
      fire();
      return;
    }
    timer = clock.setTimeout(arm, Math.min(delay, MAX_DELAY_MS));
  };
  arm();
  return () => {
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
  };
}
