/** What a stream hands to its body at once: one item, or a batch of them. */
export interface StreamUnit {
  /** 0-based, in source order: the `<n>` of the body's keys `<stream>[<n>].<id>`. */
  index: number;
  items: unknown[];
}

export interface StreamBufferOptions {
  /** Items held (read from the source, not yet handed to the body) before `room()` waits. */
  capacity: number;
  /** Batches close at `size` items, or `windowMs` after their first item; without, one item per unit. */
  batch?: { size: number; windowMs: number | undefined } | undefined;
  /** Sizes of the first batches as handed out before a restart: they are formed the same way again. */
  sizes?: readonly number[];
  /** A batch closed (not called for the ones `sizes` fixed). */
  onBatch?(index: number, size: number): void;
  /** Stops everything: `room()` resolves and `take()` gives undefined. */
  signal: AbortSignal;
}

/**
 * The bounded buffer between a stream's source and its body. The reader asks for `room()` before
 * pulling the next item, so a full buffer pauses the source (backpressure); the body's workers
 * `take()` units in order. Batches are formed here, by size and by time window.
 */
export class StreamBuffer {
  readonly #o: StreamBufferOptions;
  readonly #ready: StreamUnit[] = [];
  #forming: unknown[] = [];
  #held = 0;
  #units = 0;
  #ended = false;
  #timer: NodeJS.Timeout | undefined;
  #waiters: (() => void)[] = [];

  constructor(options: StreamBufferOptions) {
    this.#o = options;
    options.signal.addEventListener('abort', () => this.#changed(), { once: true });
  }

  /** Units closed so far. */
  get units(): number {
    return this.#units;
  }

  /** Resolves once another item may be read (or the stream is stopped). */
  async room(): Promise<void> {
    while (this.#held >= this.#o.capacity && !this.#o.signal.aborted) await this.#change();
  }

  push(item: unknown): void {
    this.#held++;
    const { batch } = this.#o;
    if (!batch) {
      this.#close([item]);
      return;
    }
    this.#forming.push(item);
    const fixed = this.#o.sizes?.[this.#units];
    if (this.#forming.length >= (fixed ?? batch.size)) this.#closeForming();
    else if (this.#forming.length === 1 && fixed === undefined && batch.windowMs !== undefined) {
      this.#timer = setTimeout(() => this.#closeForming(), batch.windowMs);
    }
  }

  /** The source has no more items: a batch being formed closes as it is. */
  end(): void {
    if (this.#forming.length > 0) this.#closeForming();
    this.#ended = true;
    this.#changed();
  }

  /** The next unit in order; undefined once the source has ended and everything was taken, or on stop. */
  async take(): Promise<StreamUnit | undefined> {
    for (;;) {
      if (this.#o.signal.aborted) return undefined;
      const unit = this.#ready.shift();
      if (unit) {
        this.#held -= unit.items.length;
        this.#changed();
        return unit;
      }
      if (this.#ended) return undefined;
      await this.#change();
    }
  }

  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#changed();
  }

  #closeForming(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const items = this.#forming;
    this.#forming = [];
    const fixed = this.#units < (this.#o.sizes?.length ?? 0);
    const index = this.#close(items);
    if (!fixed) this.#o.onBatch?.(index, items.length);
  }

  #close(items: unknown[]): number {
    const index = this.#units++;
    this.#ready.push({ index, items });
    this.#changed();
    return index;
  }

  #change(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #changed(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }
}
