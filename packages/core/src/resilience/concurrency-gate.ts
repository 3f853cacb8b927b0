import { WeftError } from '../errors.js';
import type { OnConflict } from './concurrency-policy.js';
import type { ConcurrencySlots } from './concurrency-slots.js';
import type { SlotRecord } from './concurrency-store.js';

/** One limit a run must fit in: its workflow's `concurrency`, or `limits.running_runs`. */
export interface RunSlot {
  key: string;
  limit: number;
  onConflict: OnConflict;
}

export interface RunGateOptions {
  slots: ConcurrencySlots;
  runId: string;
  /** In order: the workflow's key first, then the global one (one order everywhere: no deadlock). */
  needs: RunSlot[];
  /** `cancel_running`: cancels a run holding the key, wherever it executes. */
  cancelRun(runId: string, reason: string): Promise<void>;
}

const NEVER = new AbortController().signal;

/**
 * A run's admission: the slots it must hold while it runs. `open` is the first try at start,
 * `wait` takes what is left in arrival order (the run stays `pending` meanwhile), `release` gives
 * everything back when the run ends here.
 */
export class RunGate {
  readonly #o: RunGateOptions;
  readonly #held = new Set<string>();
  /** Why the run waits, once it does. */
  #reason: string | undefined;

  constructor(options: RunGateOptions) {
    this.#o = options;
  }

  get admitted(): boolean {
    return this.#held.size === this.#o.needs.length;
  }

  get reason(): string | undefined {
    return this.#reason;
  }

  /**
   * One try per key, in order, without waiting. False: refused (`on_conflict: cancel_new`), nothing
   * held; true: admitted, or queued with its place kept (then `wait`).
   */
  async open(): Promise<boolean> {
    for (const need of this.#o.needs) {
      const taken = await this.#hold(need, NEVER, true);
      if (taken) continue;
      if (need.onConflict !== 'cancel_new') return true;
      await this.release();
      this.#reason = `run refused: ${this.#limitText(need)} is reached (on_conflict: cancel_new)`;
      return false;
    }
    return true;
  }

  /** Takes the slots not held yet, waiting for each in turn; `onQueued` hears once why it waits. */
  async wait(signal: AbortSignal, onQueued: (reason: string) => void): Promise<void> {
    let told = false;
    const tell = (reason: string) => {
      if (told) return;
      told = true;
      onQueued(reason);
    };
    if (this.#reason) tell(this.#reason);
    for (const need of this.#o.needs) {
      if (this.#held.has(need.key)) continue;
      // A run that was admitted once (resumed) queues rather than being refused.
      await this.#hold(
        { ...need, onConflict: need.onConflict === 'cancel_new' ? 'queue' : need.onConflict },
        signal,
        false,
        tell,
      );
    }
  }

  /** Gives back every slot held and every place in a queue. */
  async release(): Promise<void> {
    const keys = this.#o.needs.map((need) => need.key);
    this.#held.clear();
    await Promise.all(keys.map((key) => this.#o.slots.unhold(key, this.#o.runId).catch(() => {})));
  }

  async #hold(
    need: RunSlot,
    signal: AbortSignal,
    once: boolean,
    onQueued?: (reason: string) => void,
  ): Promise<boolean> {
    const taken = await this.#o.slots.hold(need.key, need.limit, this.#o.runId, {
      signal,
      once,
      queue: need.onConflict !== 'cancel_new',
      onFull: need.onConflict === 'cancel_running' ? (held) => this.#cancelHolders(need, held) : undefined,
      onQueued: (reason) => {
        this.#reason ??= `${reason}; the run stays pending`;
        onQueued?.(this.#reason);
      },
    });
    if (taken) this.#held.add(need.key);
    return taken;
  }

  /** `cancel_running`: cancels the oldest holders so that this run fits. */
  async #cancelHolders(need: RunSlot, held: SlotRecord[]): Promise<void> {
    const excess = held.length - need.limit + 1;
    const reason = `cancelled to make room for run ${this.#o.runId}: ${this.#limitText(need)} (on_conflict: cancel_running)`;
    await Promise.all(
      held.slice(0, Math.max(0, excess)).map((slot) =>
        this.#o.cancelRun(slot.holder, reason).catch((error: unknown) => {
          // Already ending: its slot is about to be free anyway.
          if (!(error instanceof WeftError && (error.code === 'conflict' || error.code === 'not_found')))
            throw error;
        }),
      ),
    );
  }

  #limitText(need: RunSlot): string {
    return need.key === 'runs'
      ? `the limit of ${need.limit} running runs (limits.running_runs)`
      : `the concurrency limit of ${need.limit} for '${need.key}'`;
  }
}
