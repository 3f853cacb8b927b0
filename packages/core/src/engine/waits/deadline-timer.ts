/** setTimeout's limit (about 24.8 days); a later deadline is reached in several hops. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * Calls `fire` at `until` (ms since the epoch), or at once when it has passed.
 * Returns a function that cancels it.
 * @example const cancel = atDeadline(Date.now() + 50, () => console.log('due'));
 */
export function atDeadline(until: number, fire: () => void, now: () => number = Date.now): () => void {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const delay = until - now();
    if (delay <= 0) {
      timer = undefined;
      fire();
      return;
    }
    timer = setTimeout(arm, Math.min(delay, MAX_DELAY_MS));
  };
  arm();
  return () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
}
