import type { Clock } from './clock.js';

interface Timer {
  at: number;
  seq: number;
  fire: () => void;
}

/**
 * A clock that moves only when told to (after xstate's SimulatedClock): timers fire, in order of
 * their time, as `increment` or `set` passes it.
 * @example
 * const clock = new SimulatedClock(0);
 * const engine = await createEngine({ store, clock });
 * clock.increment(1000); // fires the timers due within the next second
 */
export class SimulatedClock implements Clock {
  #now: number;
  #seq = 0;
  readonly #timers = new Map<number, Timer>();

  constructor(now = 0) {
    this.#now = now;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fire: () => void, ms: number): unknown {
    const id = ++this.#seq;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), seq: id, fire });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  /** Timers not fired yet. */
  get pending(): number {
    return this.#timers.size;
  }

  /** When the next timer is due, or undefined when none is set. */
  get nextAt(): number | undefined {
    let next: number | undefined;
    for (const timer of this.#timers.values()) if (next === undefined || timer.at < next) next = timer.at;
    return next;
  }

  increment(ms: number): void {
    this.set(this.#now + ms);
  }

  /** Moves to `now`, firing each timer due by then at its own time, earliest first. */
  set(now: number): void {
    for (;;) {
      const due = [...this.#timers.values()]
        .filter((timer) => timer.at <= now)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.#timers.delete(due.seq);
      this.#now = Math.max(this.#now, due.at);
      due.fire();
    }
    this.#now = Math.max(this.#now, now);
  }
}
