import { setMaxListeners } from 'node:events';
import { type ErrorInfo, WeftError } from '../errors.js';
import type { EventBus } from '../events/bus.js';
import type { AnyWeftEvent, EventPayloads, EventType } from '../events/types.js';
import type { Evaluable, Scope } from '../expr/index.js';
import type { NotifyTarget } from '../notify/notify-types.js';
import { deadLetterFor } from '../resilience/dead-letter.js';
import type { RunCommandRecord, RunRecord, RunStatus, StepRecord, Store } from '../store/types.js';
import { abortError } from './abort.js';
import type { PreparedChain, RunChains } from './chaining.js';
import { applyInitial } from './control/apply-command.js';
import { holdTimers } from './control/held-waits.js';
import { PauseGate, type PauseInfo } from './control/pause-gate.js';
import { cancellationOf, RunCancellation } from './control/run-cancellation.js';
import { type ListHooks, type ListOutcome, type Outcome, runGraph, runSequence } from './list-runner.js';
import type { Plan, PlanStep, StepList } from './plan-types.js';
import { Saga } from './saga.js';
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
  /** Run control (engine/control): the pause gate, and the run's newest command to start from. */
  pauseGate?: PauseGate;
  control?: RunCommandRecord;
  /** Read when a run rolls back: compensations are ordered from what is recorded (engine/saga.ts). */
  store: Store;
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
  readonly #gate: PauseGate;
  readonly #saga: Saga;

  constructor(options: RunExecutorOptions) {
    this.#gate = options.pauseGate ?? new PauseGate();
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
      services: options.waits ? { ...options, waits: holdTimers(options.waits, this.#gate) } : options,
      pauseGate: (signal) => this.#gate.wait(signal),
      onFinalFailure: (step, record, error, signal) => this.#failedForGood(step, record, error, signal),
      idempotencyRunId: typeof run.meta.idempotency_run === 'string' ? run.meta.idempotency_run : undefined,
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
    this.#saga = new Saga({
      plan: this.plan,
      runId: this.runId,
      scope: this.#scope,
      history: async () => {
        await options.writer.flushed();
        const [steps, events] = await Promise.all([
          options.store.getSteps(this.runId),
          options.store.getEvents(this.runId),
        ]);
        return { steps, events };
      },
      record: (step) => this.#record(step),
      emit: (type, stepKey, data) => this.emit(type, stepKey, data),
      runList: (list, prefix, scope, signal) => this.#runList(list, prefix, scope, signal),
      abortRun: (reason) => this.abort(reason),
    });
  }

  /** A step failed for good: its dead-letter entry (same commit as its record), then rollback. */
  #failedForGood(step: PlanStep, record: StepRecord, error: WeftError, signal: AbortSignal): void {
    const entry = deadLetterFor({
      run: this.#options.run,
      record,
      error,
      attempts: this.#options.stepTypes.get(step.type)?.attempts === true,
      cutShort: signal.aborted || this.#detached,
      redact: this.#options.redact,
      now: Date.now(),
    });
    if (entry) this.#options.writer.addDeadLetter(entry);
    this.#saga.stepFailed(step, record.stepKey, error);
  }

  /**
   * Stops the run in this process without recording anything more (shutdown, lost lease).
   * `force: false` leaves a run alone once its final state is being written.
   */
  /** Starts no further step (a graceful shutdown); nothing is recorded: the run resumes elsewhere. */
  hold(): void {
    this.#gate.close({ by: null, reason: 'the engine is shutting down', at: Date.now() });
  }

  detach(reason: WeftError, force = true): void {
    if (!force && this.#finishing) return;
    this.#detached = true;
    if (!this.#controller.signal.aborted) this.#controller.abort(reason);
    this.#saga.detach(reason);
  }

  /** Fails running steps with `reason` and stops the run (deadline, cancel). */
  abort(reason: WeftError): void {
    if (!this.#controller.signal.aborted) this.#controller.abort(reason);
  }

  /** Fires when the run stops here (cancel, deadline, detach); a run queued for a slot stops waiting. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get detached(): boolean {
    return this.#detached;
  }

  /** Run control: no new step starts; with `announce`, records `run.paused` and status `paused`. */
  pause(pause: PauseInfo, announce = true): boolean {
    if (this.#controller.signal.aborted || this.#finishing || !this.#gate.close(pause)) return false;
    if (announce) {
      const { by, reason } = pause;
      this.emit('run.paused', null, reason === null ? { by } : { by, reason });
      this.#options.writer.patchRun({ id: this.runId, lastSeq: this.#seq, status: 'paused' });
    }
    return true;
  }

  /** Run control: steps start again; `force` records `run.resumed` even if this process had not paused it. */
  unpause(by: string | null, force = false): boolean {
    if (!this.#gate.open() && !force) return false;
    this.emit('run.resumed', null, { by });
    this.#options.writer.patchRun({ id: this.runId, lastSeq: this.#seq, status: 'running' });
    return true;
  }

  /** Run control: aborts running steps; the run ends `cancelled` with who and why. */
  cancel(reason: string | null, by: string | null): boolean {
    if (this.#controller.signal.aborted || this.#finishing) return false;
    this.abort(new RunCancellation(reason, by));
    return true;
  }

  /** The workflow's `notify` targets, their `url` expressions resolved with the run's scope now. */
  notifyTargets(): NotifyTarget[] {
    return (this.plan.notify ?? []).map((target) => {
      if (!target.urlValue) return target;
      try {
        const url = String(target.urlValue.evaluate(this.#scope));
        return { ...target, url, shownUrl: String(this.#options.redact(url)) };
      } catch {
        return target;
      }
    });
  }

  #hookFailed(point: string, message: string, stepKey: string | null = null): void {
    this.emit('hook.failed', stepKey, { point, message });
  }

  /** A state machine's transition is a branch decision: its `branch` hooks run before the run ends. */
  #transitionHook(stepKey: string | null, data: EventPayloads['state.transition']): void {
    const hooks = this.#options.hooks;
    if (!hooks || stepKey === null) return;
    const step = stepKey.slice(stepKey.lastIndexOf('.') + 1);
    const context = {
      runId: this.runId,
      workflow: this.plan.name,
      stepKey,
      stepId: step,
      type: 'state_machine',
      branch: { from: data.from, to: data.to },
    };
    const call = hooks.call('branch', context, (point, message) => this.#hookFailed(point, message, stepKey));
    this.#background.push(call.then(() => undefined));
  }

  emit<T extends EventType>(type: T, stepKey: string | null, data: EventPayloads[T]): void {
    if (this.#detached) return;
    if (type === 'state.transition' && this.#options.hooks?.has('branch')) {
      this.#transitionHook(stepKey, data as EventPayloads['state.transition']);
    }
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
        const status = this.#gate.paused ? 'paused' : 'running';
        this.#options.writer.patchRun({ id: this.runId, lastSeq: this.#seq, status, startedAt });
      }
      applyInitial(this, run.status, this.#options.control);
      if (this.#options.hooks?.has('beforeRun')) {
        const context = {
          runId: this.runId,
          workflow: run.workflow,
          input: run.input,
          resumed: this.#options.resumed,
        };
        await this.#options.hooks.call('beforeRun', context, (point, message) =>
          this.#hookFailed(point, message),
        );
      }
      const outcome = await this.#runList(this.plan.root, '', this.#scope, this.#controller.signal);
      const error = this.#saga.cause(await this.#drainBackground(outcome.error));
      // A paused run ends only once it is resumed (or cancelled).
      await this.#gate.wait(this.#controller.signal);
      if (this.#detached) throw abortError(this.#controller.signal);
      const cancelled = cancellationOf(this.#controller.signal);
      if (cancelled) return await this.#finish('cancelled', null, cancelled);
      if (error) return await this.#finish('failed', null, await this.#saga.settle(error));
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
      this.#gate.dispose();
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
    if (this.#options.hooks?.has('afterRun')) {
      const context = {
        runId: this.runId,
        workflow: this.plan.name,
        status,
        output: safeOutput,
        error: safeError,
      };
      await this.#options.hooks.call('afterRun', context, (point, message) =>
        this.#hookFailed(point, message),
      );
    }
    if (status === 'completed') this.emit('run.completed', null, { output: safeOutput, durationMs });
    else if (status === 'failed') this.emit('run.failed', null, { error: safeError!, durationMs });
    else
      this.emit(TERMINAL_EVENT[status] as 'run.cancelled', null, {
        reason: error instanceof RunCancellation ? error.why : (safeError?.message ?? 'cancelled'),
        by: error instanceof RunCancellation ? error.by : null,
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
