import type { EventRecord } from '@weft/core';

/** One committed event as the hub publishes it, numbered in this hub's order. */
export interface HubEvent {
  n: number;
  workflow: string;
  record: EventRecord;
}

/**
 * The last `capacity` events published, so a workflow or all-runs subscriber can reconnect
 * without a gap. Positions below `floor` cannot be resumed: events may have gone unrecorded.
 */
export class Journal {
  readonly #ring: (HubEvent | undefined)[];
  #next = 1;
  #floor = 0;

  constructor(readonly capacity: number) {
    this.#ring = new Array(capacity);
  }

  /** The position the next event gets. */
  get next(): number {
    return this.#next;
  }

  append(workflow: string, record: EventRecord): HubEvent {
    const event: HubEvent = { n: this.#next++, workflow, record };
    this.#ring[event.n % this.capacity] = event;
    return event;
  }

  /** Events were published without being recorded: no earlier position can be resumed. */
  invalidate(): void {
    this.#floor = this.#next;
  }

  /** Events after position `n` (the last one a client saw), or undefined when they are not all kept. */
  after(n: number): HubEvent[] | undefined {
    const oldest = Math.max(1, this.#next - this.capacity);
    if (!Number.isSafeInteger(n) || n < this.#floor || n < oldest - 1 || n >= this.#next) {
      return n === this.#next - 1 && n >= this.#floor ? [] : undefined;
    }
    const out: HubEvent[] = [];
    for (let i = n + 1; i < this.#next; i++) {
      const event = this.#ring[i % this.capacity];
      if (event) out.push(event);
    }
    return out;
  }
}
