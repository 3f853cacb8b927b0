import type { Plan } from '../engine/plan-types.js';
import type { RunHandle } from '../engine/types.js';
import { type ErrorInfo, WeftError } from '../errors.js';
import type { DeadLetterFilter, DeadLetterRecord, RunRecord, StepRecord, Store } from '../store/types.js';
import { checkReplayable, replayCorrections } from './dead-letter-replay.js';

/** Once a day, entries older than the retention period are removed. */
const RETENTION_SWEEP_MS = 86_400_000;

/** How `engine.dlq.replayAll` went for one entry. */
export interface DeadLetterReplay {
  id: string;
  runId: string;
  /** The resumed run; absent when this entry was not replayed. */
  run?: RunHandle;
  /** Why it was not replayed: an error, or the entry of the same run that was. */
  error?: ErrorInfo;
  sameRunAs?: string;
}

/** The dead-letter queue of an engine (SPEC section 4): `engine.dlq`. */
export interface DeadLetterQueue {
  /** Entries, newest first; default at most 100. */
  list(filter?: DeadLetterFilter): Promise<DeadLetterRecord[]>;
  get(id: string): Promise<DeadLetterRecord | undefined>;
  /**
   * Resumes the entry's failed run from its step, here: the run goes back to running, completed
   * work is kept, and the step runs again as a new attempt (its retries counted afresh), with
   * `input` instead of its resolved inputs when given. The run's entries are removed. An unknown
   * entry or run throws `not_found`, a run that is not failed (or was rolled back) `conflict`;
   * either way the store is unchanged.
   * @example const run = await engine.dlq.replay(id, { input: { url: 'https://api.example.test/v2' } });
   */
  replay(id: string, options?: { input?: unknown }): Promise<RunHandle>;
  /** Replays every entry matching `filter` (oldest first), one replay per run. */
  replayAll(filter?: DeadLetterFilter): Promise<DeadLetterReplay[]>;
  /** False when there was no such entry. */
  delete(id: string): Promise<boolean>;
  /** Removes entries older than `olderThanMs` (of `workflow` only, when given); returns how many. */
  purge(options: { olderThanMs: number; workflow?: string }): Promise<number>;
}

export interface DeadLetterQueueOptions {
  store: Store;
  owner: string;
  leaseMs: number;
  now(): number;
  /** Entries older than this are removed at start and once a day; undefined: kept until deleted. */
  retentionMs?: number;
  assertOpen(): void;
  /** The plan a run was started with (its stored document). */
  planFor(run: RunRecord): Promise<Plan>;
  /** Executes a reopened run here, from its records. */
  launch(plan: Plan, run: RunRecord, history: StepRecord[]): RunHandle;
}

/** The engine's dead-letter queue: reads and deletes go to the store; a replay reopens the run. */
export class EngineDeadLetterQueue implements DeadLetterQueue {
  readonly #o: DeadLetterQueueOptions;
  #sweeper: NodeJS.Timeout | undefined;
  #sweeping: Promise<unknown> | undefined;

  constructor(options: DeadLetterQueueOptions) {
    this.#o = options;
  }

  list(filter: DeadLetterFilter = {}): Promise<DeadLetterRecord[]> {
    return this.#o.store.listDeadLetters(filter);
  }

  get(id: string): Promise<DeadLetterRecord | undefined> {
    return this.#o.store.getDeadLetter(id);
  }

  async replay(id: string, options: { input?: unknown } = {}): Promise<RunHandle> {
    this.#o.assertOpen();
    const { store } = this.#o;
    const entry = await store.getDeadLetter(id);
    if (!entry) throw new WeftError('not_found', `no dead-letter entry with id '${id}' in this store`);
    const run = checkReplayable(entry, await store.getRun(entry.runId));
    const plan = await this.#o.planFor(run);
    const edited = 'input' in options && options.input !== undefined ? { input: options.input } : undefined;
    const steps = replayCorrections(entry, await store.getSteps(run.id), edited);
    const now = this.#o.now();
    const reopened = await store.reopenRun({
      runId: run.id,
      owner: this.#o.owner,
      leaseMs: this.#o.leaseMs,
      now,
      deadlineAt: plan.timeoutMs === undefined ? null : now + plan.timeoutMs,
      steps,
    });
    if (!reopened) {
      throw new WeftError('conflict', `dead-letter entry ${id}: run ${run.id} changed meanwhile; try again`);
    }
    return this.#o.launch(plan, reopened, await store.getSteps(run.id));
  }

  async replayAll(filter: DeadLetterFilter = {}): Promise<DeadLetterReplay[]> {
    const entries = (await this.list({ limit: 10_000, ...filter })).reverse();
    const replayed = new Map<string, string>();
    const out: DeadLetterReplay[] = [];
    for (const entry of entries) {
      const first = replayed.get(entry.runId);
      if (first !== undefined) {
        out.push({ id: entry.id, runId: entry.runId, sameRunAs: first });
        continue;
      }
      try {
        out.push({ id: entry.id, runId: entry.runId, run: await this.replay(entry.id) });
        replayed.set(entry.runId, entry.id);
      } catch (error) {
        out.push({ id: entry.id, runId: entry.runId, error: WeftError.from(error).toInfo() });
      }
    }
    return out;
  }

  delete(id: string): Promise<boolean> {
    return this.#o.store.deleteDeadLetter(id);
  }

  async purge(options: { olderThanMs: number; workflow?: string }): Promise<number> {
    const { olderThanMs, workflow } = options;
    if (!Number.isFinite(olderThanMs) || olderThanMs < 0) {
      throw new WeftError(
        'invalid_input',
        `Expected \`olderThanMs\` to be a non-negative number, got ${olderThanMs}`,
      );
    }
    return this.#o.store.purgeDeadLetters(this.#o.now() - olderThanMs, workflow);
  }

  /** Applies the retention period now and once a day (the timer does not keep the process alive). */
  startRetention(): void {
    const retentionMs = this.#o.retentionMs;
    if (retentionMs === undefined) return;
    const sweep = () => {
      this.#sweeping = this.purge({ olderThanMs: retentionMs }).catch((error: unknown) => {
        process.emitWarning(`dead-letter retention: ${(error as Error)?.message ?? String(error)}`);
      });
    };
    sweep();
    this.#sweeper = setInterval(sweep, RETENTION_SWEEP_MS);
    this.#sweeper.unref();
  }

  /** Stops the daily sweep; resolves once a sweep in progress has ended. */
  async stop(): Promise<void> {
    if (this.#sweeper) clearInterval(this.#sweeper);
    this.#sweeper = undefined;
    await this.#sweeping;
  }
}
