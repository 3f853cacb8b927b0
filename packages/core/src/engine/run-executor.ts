import { setMaxListeners } from 'node:events';
import { type ErrorInfo, WeftError } from '../errors.js';
import type { EventBus } from '../events/bus.js';
import type { AnyWeftEvent, EventPayloads, EventType } from '../events/types.js';
import type { Evaluable, Scope } from '../expr/index.js';
import type { RunRecord, RunStatus, StepRecord } from '../store/types.js';
import { abortError } from './abort.js';
import type { PreparedChain, RunChains } from './chaining.js';
import { type ListHooks, type ListOutcome, type Outcome, runGraph, runSequence } from './list-runner.js';
import type { Plan, PlanStep, StepList } from './plan-types.js';
import { Semaphore } from './semaphore.js';
import { StepRunner, type StepServices } from './step-runner.js';
import type { RunResult } from './types.js';
import type { BatchWriter } from './writer.js';

export interface RunExecutorOptions extends StepServices {
  plan: Plan;
  run: RunRecord;
  bus: EventBus;
  writer: BatchWriter;
  secrets: Record<string, string>;
  redact: (value: unknown) => unknown;
  /** Records of an interrupted run; empty for a new one. */
  history: StepRecord[];
  resumed: boolean;
  /** `on_complete`: the runs to start are recorded in the completion's commit (engine/chaining.ts). */
  chains?: RunChains;
}

function newController(): AbortController {
  const controller = new AbortController();
  // Every running step listens on the run's signal; a wide graph has many at once.
  setMaxListeners(0, controller.signal);
  return controller;
}

const TERMINAL_EVENT: Record<'completed' | 'failed' | 'cancelled', EventType> = {
  completed: 'run.completed',
  failed: 'run.failed',
  cancelled: 'run.cancelled',
};

/**
 * Executes one run: walks the plan, replays what the store says is done, runs the rest, and
 * records everything through the batch writer. One executor per run; no nested engines.
 */
export class RunExecutor {
  readonly runId: string;
  readonly plan: Plan;
  readonly #options: RunExecutorOptions;
  readonly #controller = newController();
  readonly #scope: Scope;
  readonly #steps: StepRunner;
  /** Work that outlived its step (parallel `wait_for: none`): the run ends after it. */
  readonly #background: Promise<WeftError | undefined>[] = [];
  #seq: number;
  #detached = false;
  #finishing = false;
  readonly #startedAt: number;

  constructor(options: RunExecutorOptions) {
    this.#options = options;
    this.plan = options.plan;
    this.runId = options.run.id;
    this.#seq = options.run.lastSeq;
    this.#startedAt = options.run.startedAt ?? Date.now();
    const steps: Record<string, unknown> = {};
    for (const id of this.plan.stepIds)
      steps[id] = { output: null, status: 'pending', error: null, attempts: 0 };
    const run = options.run;
    this.#scope = {
      inputs: run.input ?? {},
      context: this.plan.context,
      vars: {},
      steps,
      run: {
        id: run.id,
        workflow: run.workflow,
        version: run.version,
        started_at: new Date(this.#startedAt).toISOString(),
      },
      secrets: options.secrets,
    };
    Object.defineProperty(this.#scope, 'now', { enumerable: true, get: () => new Date() });
    this.#steps = new StepRunner({
      services: options,
      runId: this.runId,
      workflow: run.workflow,
      signal: this.#controller.signal,
      slots: new Semaphore(this.plan.maxParallelism),
      history: options.history,
      emit: (type, stepKey, data) => this.emit(type, stepKey, data),
      record: (step) => this.#record(step),
      runList: (list, prefix, scope, signal) => this.#runList(list, prefix, scope, signal),
      vars: this.#scope.vars as Record<string, unknown>,
      background: (work) => {
        this.#background.push(
          work.then(
            () => undefined,
            (error) => WeftError.from(error),
          ),
        );
      },
    });
  }

  /**
   * Stops the run in this process without recording anything more (shutdown, lost lease).
   * `force: false` leaves a run alone once its final state is being written.
   */
  detach(reason: WeftError, force = true): void {
    if (!force && this.#finishing) return;
    this.#detached = true;
    if (!this.#controller.signal.aborted) this.#controller.abort(reason);
  }

  /** Fails running steps with `reason` and stops the run (deadline, cancel). */
  abort(reason: WeftError): void {
    if (!this.#controller.signal.aborted) this.#controller.abort(reason);
  }

  get detached(): boolean {
    return this.#detached;
  }

  emit<T extends EventType>(type: T, stepKey: string | null, data: EventPayloads[T]): void {
    if (this.#detached) return;
    const seq = ++this.#seq;
    const time = Date.now();
    const safe = this.#options.redact(data) as EventPayloads[T];
    let stored: unknown = safe;
    if ('output' in safe || 'input' in safe) {
      const { output: _output, input: _input, ...rest } = safe as Record<string, unknown>;
      stored = rest;
    }
    this.#options.writer.addEvent({ runId: this.runId, seq, type, time, stepKey, data: stored });
    this.#options.writer.patchRun({ id: this.runId, lastSeq: seq });
    this.#options.bus.emit({
      type,
      runId: this.runId,
      workflow: this.plan.name,
      seq,
      time,
      stepKey,
      data: safe,
    } as AnyWeftEvent);
  }

  #record(step: StepRecord): void {
    if (this.#detached) return;
    this.#options.writer.putStep(this.#options.redact(step) as StepRecord);
  }

  #runList(list: StepList, keyPrefix: string, scope: Scope, signal: AbortSignal): Promise<ListOutcome> {
    const hooks: ListHooks = {
      runStep: (step: PlanStep) => this.#steps.run(step, keyPrefix, scope, signal),
      block: (step: PlanStep, by: string): Outcome => this.#steps.block(step, keyPrefix, scope, by),
    };
    return list.graph ? runGraph(list, hooks) : runSequence(list, hooks);
  }

  /** Runs to the end; resolves with the final state once it is committed. */
  async execute(): Promise<RunResult> {
    const { run } = this.#options;
    const deadline =
      run.deadlineAt === null
        ? undefined
        : setTimeout(
            () => {
              this.abort(new WeftError('timeout', `run ${this.runId} exceeded its limits.timeout`));
            },
            Math.max(0, run.deadlineAt - Date.now()),
          );
    try {
      this.emit('run.started', null, {
        input: run.input,
        version: run.version,
        parentRunId: run.parentRunId,
        resumed: this.#options.resumed,
      });
      // A run created `pending` (chained by on_complete) starts now.
      if (run.status === 'pending') {
        const startedAt = this.#startedAt;
        this.#options.writer.patchRun({ id: this.runId, lastSeq: this.#seq, status: 'running', startedAt });
      }
      const outcome = await this.#runList(this.plan.root, '', this.#scope, this.#controller.signal);
      const error = await this.#drainBackground(outcome.error);
      if (this.#detached) throw abortError(this.#controller.signal);
      if (error) return await this.#finish('failed', null, error);
      let output: unknown = outcome.lastOutput;
      if (this.plan.output) {
        try {
          output = this.#evaluate(this.plan.output);
        } catch (error) {
          return await this.#finish('failed', null, WeftError.from(error, 'expression_error'));
        }
      }
      return await this.#finish('completed', output, undefined);
    } finally {
      if (deadline) clearTimeout(deadline);
    }
  }

  /** Waits for background work; a failed run cancels it first. Resolves with the run's error. */
  async #drainBackground(failure: WeftError | undefined): Promise<WeftError | undefined> {
    if (failure && this.#background.length > 0) {
      this.abort(new WeftError('cancelled', `run ${this.runId} failed; steps still running are cancelled`));
    }
    let first: WeftError | undefined;
    while (this.#background.length > 0) {
      for (const error of await Promise.all(this.#background.splice(0))) first ??= error;
    }
    return failure ?? first;
  }

  #evaluate<T>(value: Evaluable<T>): T {
    return value.evaluate(this.#scope);
  }

  async #finish(
    status: 'completed' | 'failed' | 'cancelled',
    output: unknown,
    error: WeftError | undefined,
  ): Promise<RunResult> {
    this.#finishing = true;
    const chained = status === 'completed' ? await this.#prepareChains(output) : [];
    const endedAt = Date.now();
    const durationMs = endedAt - this.#startedAt;
    const info: ErrorInfo | null = error ? { ...error.toInfo() } : null;
    const safeOutput = this.#options.redact(output);
    const safeError = info ? (this.#options.redact(info) as ErrorInfo) : null;
    this.#recordChains(chained);
    if (status === 'completed') this.emit('run.completed', null, { output: safeOutput, durationMs });
    else if (status === 'failed') this.emit('run.failed', null, { error: safeError!, durationMs });
    else
      this.emit(TERMINAL_EVENT[status] as 'run.cancelled', null, {
        reason: safeError?.message ?? 'cancelled',
        by: null,
        durationMs,
      });
    this.#options.writer.patchRun({
      id: this.runId,
      lastSeq: this.#seq,
      status: status as RunStatus,
      output: safeOutput,
      error: safeError,
      endedAt,
    });
    await this.#options.writer.flushed();
    if (this.#detached) throw abortError(this.#controller.signal);
    const created = chained.flatMap((c) => ('run' in c && c.run ? [c.runId] : []));
    if (created.length > 0) this.#options.chains?.launch(created);
    return { runId: this.runId, status, output: safeOutput, error: safeError };
  }

  /** `on_complete`: what to start, with `output` in scope; see engine/chaining.ts. */
  async #prepareChains(output: unknown): Promise<PreparedChain[]> {
    const chains = this.#options.chains;
    if (!chains || this.plan.onComplete.length === 0) return [];
    return chains.prepare(this.plan, this.#options.run, { ...this.#scope, output });
  }

  /** Adds the chained runs to the completion's commit, and records the chain on this run. */
  #recordChains(chained: PreparedChain[]): void {
    for (const chain of chained) {
      const { index, workflow } = chain;
      if ('error' in chain) {
        this.emit('run.chain_failed', null, { index, workflow, error: chain.error.toInfo() });
        continue;
      }
      // Its input may hold a secret this run read (`inputs: { key: "${ secrets.KEY }" }`).
      if (chain.run)
        this.#options.writer.addRun({ ...chain.run, input: this.#options.redact(chain.run.input) });
      this.emit('run.chained', null, { index, workflow, runId: chain.runId });
    }
  }
}
