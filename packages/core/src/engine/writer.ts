import type {
  DeadLetterRecord,
  EventRecord,
  RunPatch,
  RunRecord,
  StepRecord,
  Store,
  WriteBatch,
} from '../store/types.js';

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit: every record produced in one turn of the event loop goes to the store in one
 * transaction. `flushed()` resolves once everything added so far is committed. A step's start and
 * its result produced in the same turn collapse into one row.
 */
export class BatchWriter {
  #newRuns: RunRecord[] = [];
  #patches = new Map<string, RunPatch>();
  #steps = new Map<string, StepRecord>();
  #events: EventRecord[] = [];
  #deadLetters: DeadLetterRecord[] = [];
  #waiters: Waiter[] = [];
  #scheduled = false;
  #running: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly owner: string,
    private readonly onLostRuns: (runIds: string[]) => void,
  ) {}

  get pending(): boolean {
    const records = this.#newRuns.length + this.#patches.size + this.#steps.size + this.#events.length;
    return records + this.#deadLetters.length > 0;
  }

  addRun(run: RunRecord): void {
    this.#newRuns.push(run);
    this.#schedule();
  }

  /** Merges into the run's pending patch; `lastSeq` only grows. */
  patchRun(patch: RunPatch): void {
    const current = this.#patches.get(patch.id);
    if (current) Object.assign(current, patch, { lastSeq: Math.max(current.lastSeq, patch.lastSeq) });
    else this.#patches.set(patch.id, { ...patch });
    this.#schedule();
  }

  putStep(step: StepRecord): void {
    this.#steps.set(`${step.runId}\u0000${step.stepKey}\u0000${step.attempt}`, step);
    this.#schedule();
  }

  addEvent(event: EventRecord): void {
    this.#events.push(event);
    this.#schedule();
  }

  /** A step that failed for good: add it in the same turn as its final record, so both commit together. */
  addDeadLetter(entry: DeadLetterRecord): void {
    this.#deadLetters.push(entry);
    this.#schedule();
  }

  /** Resolves when every record added before this call is committed. */
  flushed(): Promise<void> {
    if (!this.pending && !this.#running) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#running) return;
    this.#scheduled = true;
    setImmediate(() => void this.#flush());
  }

  async #flush(): Promise<void> {
    this.#scheduled = false;
    const waiters = this.#waiters.splice(0);
    if (!this.pending) {
      this.#settle(waiters, undefined);
      return;
    }
    const batch: WriteBatch = {
      owner: this.owner,
      newRuns: this.#newRuns,
      runPatches: [...this.#patches.values()],
      steps: [...this.#steps.values()],
      events: this.#events,
    };
    if (this.#deadLetters.length > 0) batch.deadLetters = this.#deadLetters;
    this.#newRuns = [];
    this.#patches = new Map();
    this.#steps = new Map();
    this.#events = [];
    this.#deadLetters = [];
    this.#running = this.store.commit(batch).then(
      (result) => {
        if (result.lostRuns.length > 0) this.onLostRuns(result.lostRuns);
        this.#settle(waiters, undefined);
      },
      (error: unknown) => this.#settle(waiters, error),
    );
    await this.#running;
    this.#running = undefined;
    if (this.pending || this.#waiters.length > 0) this.#schedule();
  }

  #settle(waiters: Waiter[], error: unknown): void {
    for (const waiter of waiters) {
      if (error === undefined) waiter.resolve();
      else waiter.reject(error);
    }
  }
}
