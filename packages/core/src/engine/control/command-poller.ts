import type { RunCommandRecord, Store } from '../../store/types.js';

/** How often a process looks for commands other processes wrote for its runs; default 250 ms. */
export const COMMAND_POLL_MS = 250;

export interface CommandPollerOptions {
  store: Store;
  pollMs?: number;
  /** The runs executing in this process now. */
  runIds(): string[];
  /** Applies a command to a run executing here (in order, oldest first). */
  apply(command: RunCommandRecord): void;
}

/**
 * Picks up pause, resume and cancel commands written (by any process) for the runs this process
 * executes: one small query per interval while it executes any, and at once after `poke()`.
 */
export class CommandPoller {
  readonly #options: CommandPollerOptions;
  readonly #timer: NodeJS.Timeout;
  #looking: Promise<void> | undefined;
  #closed = false;

  constructor(options: CommandPollerOptions) {
    this.#options = options;
    this.#timer = setInterval(() => void this.poke(), options.pollMs ?? COMMAND_POLL_MS);
    this.#timer.unref();
  }

  /** One look at a time; resolves when the current look is done. */
  poke(): Promise<void> {
    this.#looking ??= this.#look().finally(() => {
      this.#looking = undefined;
    });
    return this.#looking;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#looking;
  }

  async #look(): Promise<void> {
    const runIds = this.#options.runIds();
    if (this.#closed || runIds.length === 0) return;
    try {
      const { store } = this.#options;
      const newest = new Map<string, number>();
      for (const command of await store.listPendingCommands(runIds)) {
        if (this.#closed) return;
        this.#options.apply(command);
        newest.set(command.runId, command.id);
      }
      const now = Date.now();
      for (const [runId, id] of newest) await store.markCommandsApplied(runId, id, now);
    } catch (error) {
      // The store is busy or unreachable: the next look tries again.
      process.emitWarning(`run control: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
