import { WeftError } from '../errors.js';
import type { EventBus } from '../events/bus.js';
import type { StepTypeRegistry } from '../steps/registry.js';
import type { Store } from '../store/types.js';
import type { RunExecutor } from './run-executor.js';
import type { RunResult } from './types.js';
import type { BatchWriter } from './writer.js';

export interface RunningRun {
  executor: RunExecutor;
  result: Promise<RunResult>;
}

export interface RunKeeperOptions {
  store: Store;
  owner: string;
  leaseMs: number;
  bus: EventBus;
  stepTypes: StepTypeRegistry;
  /** The writer whose commits create the runs (set once it exists: it reports lost runs here). */
  writer: () => BatchWriter;
}

/**
 * The runs executing in this process: their leases (renewed at a third of their length; a run
 * another process took over is detached), and a graceful drain that lets running steps finish.
 */
export class RunKeeper {
  readonly running = new Map<string, RunningRun>();
  readonly #o: RunKeeperOptions;
  readonly #timer: NodeJS.Timeout;
  /** Leaf step attempts executing now, for a graceful close. */
  #inFlight = 0;
  #stopped = false;

  constructor(options: RunKeeperOptions) {
    this.#o = options;
    this.#timer = setInterval(() => void this.#renew(), Math.max(50, Math.floor(options.leaseMs / 3)));
    this.#timer.unref();
    const leaf = (type: string) => options.stepTypes.get(type)?.composite !== true;
    options.bus.on('step.started', (e) => {
      if (leaf(e.data.type)) this.#inFlight++;
    });
    const ended = (e: { data: { type: string } }) => {
      if (leaf(e.data.type)) this.#inFlight--;
    };
    options.bus.on('step.completed', ended);
    options.bus.on('step.failed', ended);
  }

  /** Detaches runs whose lease another process holds; `force: false` spares runs being finished. */
  lose(runIds: string[], force = true): void {
    for (const id of runIds) {
      const reason = new WeftError('lease_lost', `run ${id}: another process took over its lease`);
      this.running.get(id)?.executor.detach(reason, force);
    }
  }

  /** No new step starts; running ones get up to `graceMs` to finish (leases are still renewed). */
  async drain(graceMs: number): Promise<void> {
    for (const { executor } of this.running.values()) executor.hold();
    const until = Date.now() + graceMs;
    while (this.#inFlight > 0 && this.running.size > 0 && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await this.#o
      .writer()
      .flushed()
      .catch(() => {});
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
  }

  async #renew(): Promise<void> {
    if (this.running.size === 0 || this.#stopped) return;
    try {
      // Only runs whose creation is committed can be judged: a run launched a moment ago may
      // still be in the writer's next batch, absent from the store but not lost.
      const candidates = [...this.running.keys()];
      await this.#o.writer().flushed();
      const held = new Set(await this.#o.store.renewLeases(this.#o.owner, this.#o.leaseMs, Date.now()));
      this.lose(
        candidates.filter((id) => !held.has(id) && this.running.has(id)),
        false,
      );
    } catch (error) {
      process.emitWarning(`lease renewal failed: ${(error as Error).message}`);
    }
  }
}
