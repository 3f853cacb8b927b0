import { type ErrorInfo, WeftError } from '../errors.js';
import type { Evaluable, Scope } from '../expr/index.js';
import type { ReplayContext, StepContext, StepType } from '../steps/types.js';
import type { StepRecord } from '../store/types.js';
import { abortError, childSignal, raceAbort } from './abort.js';
import { AttemptHistory } from './attempt-history.js';
import { systemClock } from './clock.js';
import { cancellationOf } from './control/run-cancellation.js';
import type { Outcome } from './list-runner.js';
import type { PlanStep } from './plan-types.js';
import { retryDelay, shouldRetry } from './retry.js';
import { waitForRetry } from './retry-wait.js';
import { completionMeta } from './saga-scope.js';
import { StepCalls } from './step-calls.js';
import { StepHooks } from './step-hooks.js';
import type { StepRunnerOptions } from './step-services.js';

export type { StepRunnerOptions, StepServices } from './step-services.js';

// `compensated`: done, then undone by a rollback; replayed like completed, never run again.

const FINAL = new Set(['completed', 'skipped', 'blocked', 'cancelled', 'compensated']);

function errorOf(info: ErrorInfo | null): WeftError {
  const { code = 'skill_error', message = 'failed', ...details } = info ?? {};
  return new WeftError(String(code), String(message), { details });
}

/**
 * The life of one step execution: replay from the record when it is done, `when`, attempts with
 * retries and timeouts, `output` mapping, `catch` and `on_error`. Never throws: the outcome says.
 */
export class StepRunner {
  readonly #o: StepRunnerOptions;
  /** Final records by step key: these steps are done and are not executed again. */
  readonly #done = new Map<string, StepRecord>();
  /** Highest attempt recorded per step key, to number the next one. */
  readonly #attempts = new Map<string, number>();
  /** The latest record written per step key, so later updates keep its times and input. */
  readonly #last = new Map<string, StepRecord>();
  /** The last progress saved per step key by an attempt that did not finish (`ctx.checkpoint`). */
  readonly #checkpoints = new Map<string, { attempt: number; value: unknown }>();
  /** Retries pending when the process stopped, dead-letter replays and their edited inputs. */
  readonly #history: AttemptHistory;
  /** Inputs a `beforeStep` hook replaced, and `error` hook retries, by step key. */
  readonly #hookInputs = new Map<string, { input: unknown }>();
  readonly #hooks: StepHooks | undefined;

  readonly #calls: StepCalls;

  constructor(options: StepRunnerOptions) {
    this.#o = options;
    this.#hooks = options.services.hooks
      ? new StepHooks(options, options.services.hooks, {
          evaluate: (value, scope, key) => this.#evaluate(value, scope, key),
          finalise: (step, key, scope, attempt, outcome, meta) =>
            this.#finalise(step, key, scope, attempt, outcome, meta),
          retry: (step, key, scope, signal) => this.#attemptLoop(step, key, scope, signal),
          last: (key) => this.#last.get(key),
          put: (record) => this.#put(record),
          publish: (step, scope, status, output, error, attempts) =>
            this.#publish(step, scope, status, output, error, attempts),
          replaceInput: (key, input) => this.#hookInputs.set(key, { input }),
        })
      : undefined;
    this.#calls = new StepCalls(options, {
      last: (key) => this.#last.get(key),
      put: (record) => this.#put(record),
      evaluate: (value, scope, key) => this.#evaluate(value, scope, key),
    });
    this.#history = new AttemptHistory(options.history);
    for (const record of options.history) {
      this.#attempts.set(record.stepKey, Math.max(this.#attempts.get(record.stepKey) ?? 0, record.attempt));
      const saved = record.meta?.checkpoint;
      if (saved !== undefined && record.attempt >= (this.#checkpoints.get(record.stepKey)?.attempt ?? 0)) {
        this.#checkpoints.set(record.stepKey, { attempt: record.attempt, value: saved });
      }
      if (FINAL.has(record.status) || (record.status === 'failed' && record.meta?.final === true)) {
        this.#done.set(record.stepKey, record);
      } else if (record.status === 'waiting') {
        // A durable wait outlives its process: the same attempt waits again (same stored deadline).
        this.#attempts.set(record.stepKey, record.attempt - 1);
      } else if (record.status === 'running') {
        // The process running this attempt died: the attempt is over, the step runs again.
        options.record({
          ...record,
          status: 'failed',
          endedAt: Date.now(),
          error: {
            code: 'interrupted',
            message: 'the process running this attempt stopped before it finished',
          },
        });
      }
    }
  }

  /** `signal` is the list's: it fires when the run, or the composite step holding the list, stops. */
  async run(step: PlanStep, keyPrefix: string, scope: Scope, signal: AbortSignal): Promise<Outcome> {
    const key = keyPrefix + step.id;
    try {
      const done = this.#done.get(key);
      if (done) return this.#replay(step, done, key, scope, signal);
      await this.#o.pauseGate?.(signal);
      if (signal.aborted) return this.#cancelled(step, key, scope, signal);
      if (step.when && !this.#evaluate(step.when, scope, key)) {
        return this.#finalise(
          step,
          key,
          scope,
          0,
          { status: 'skipped', output: null },
          { reason: 'when is false' },
        );
      }
      if (this.#hooks?.has('beforeStep')) {
        const decided = await this.#hooks.beforeStep(step, key, scope);
        if (decided) return decided;
      }
      return await this.#attemptLoop(step, key, scope, signal);
    } catch (error) {
      const failure = WeftError.from(error, 'skill_error');
      return this.#afterFailure(step, key, scope, this.#attempts.get(key) ?? 0, failure, signal);
    }
  }

  block(step: PlanStep, keyPrefix: string, scope: Scope, by: string): Outcome {
    const key = keyPrefix + step.id;
    const done = this.#done.get(key);
    if (done) return this.#replay(step, done, key, scope, this.#o.signal);
    // A cancelled run cancels its steps not started, rather than blocking them.
    if (cancellationOf(this.#o.signal)) return this.#cancelled(step, key, scope, this.#o.signal);
    this.#o.emit('step.blocked', key, { stepId: step.id, type: step.type, by });
    return this.#finalise(step, key, scope, 0, { status: 'blocked', output: null }, { by }, false);
  }

  #evaluate<T>(value: Evaluable<T>, scope: Scope, key: string): T {
    try {
      return value.evaluate(scope);
    } catch (error) {
      const failure = WeftError.from(error, 'expression_error');
      throw new WeftError(failure.code, `step '${key}': ${failure.message}`, {
        details: failure.details,
        cause: error,
      });
    }
  }

  #replay(step: PlanStep, record: StepRecord, key: string, scope: Scope, signal: AbortSignal): Outcome {
    const status = record.status === 'compensated' ? 'completed' : (record.status as Outcome['status']);
    if (status === 'completed') {
      const ctx: ReplayContext = {
        stepKey: key,
        scope,
        setVars: (v) => this.#setVars(v),
        runList: (list, options) =>
          this.#o.runList(list, options.keyPrefix, options.scope ?? scope, options.signal ?? signal),
        background: (work) => this.#o.background(work(signal)),
      };
      this.#o.services.stepTypes.get(step.type)?.replay?.(step, record.output, ctx);
    }
    this.#publish(step, scope, status, record.output, record.error, record.attempt, record.meta);
    if (status === 'completed') this.#republishChildren(key, scope);
    return status === 'failed'
      ? { status, output: null, error: errorOf(record.error) }
      : { status, output: record.output };
  }

  /**
   * A composite replayed whole: its children did not run in this process, so publish their
   * recorded results for later steps that read them (loop bodies stay inside their loop).
   */
  #republishChildren(key: string, scope: Scope): void {
    const prefix = `${key}.`;
    const steps = scope.steps as Record<string, unknown>;
    for (const [childKey, record] of this.#done) {
      if (!childKey.startsWith(prefix) || childKey.includes('[', prefix.length)) continue;
      const entry: Record<string, unknown> = {
        output: record.output,
        status: record.status,
        error: record.error,
        attempts: record.attempt,
      };
      if (record.meta?.branch !== undefined) entry.branch = record.meta.branch;
      steps[record.stepId] = entry;
    }
  }

  #put(record: StepRecord): void {
    this.#last.set(record.stepKey, record);
    this.#o.record(record);
  }

  #setVars(values: Record<string, unknown>): void {
    Object.assign(this.#o.vars, values);
  }

  #publish(
    step: PlanStep,
    scope: Scope,
    status: string,
    output: unknown,
    error: ErrorInfo | null,
    attempts: number,
    meta?: Record<string, unknown> | null,
  ): void {
    const entry: Record<string, unknown> = { output, status, error, attempts };
    // Composite steps record the branch they took (conditional, switch): `${ steps.x.branch }`.
    if (meta && meta.branch !== undefined) entry.branch = meta.branch;
    (scope.steps as Record<string, unknown>)[step.id] = entry;
  }

  #cancelled(step: PlanStep, key: string, scope: Scope, signal: AbortSignal): Outcome {
    const error = WeftError.from(signal.reason, 'cancelled');
    this.#o.emit('step.cancelled', key, { stepId: step.id, type: step.type, reason: error.message });
    this.#finalise(
      step,
      key,
      scope,
      0,
      { status: 'cancelled', output: null },
      { reason: error.message },
      false,
    );
    return { status: 'cancelled', output: null, error };
  }

  /** Records a step that ends without an attempt of its own (skipped, blocked, cancelled). */
  #finalise(
    step: PlanStep,
    key: string,
    scope: Scope,
    attempt: number,
    outcome: Outcome,
    meta: Record<string, unknown>,
    emitSkipped = true,
  ): Outcome {
    const now = Date.now();
    this.#put({
      runId: this.#o.runId,
      stepKey: key,
      attempt,
      stepId: step.id,
      type: step.type,
      status: outcome.status,
      startedAt: now,
      endedAt: now,
      input: null,
      output: null,
      error: outcome.error ? outcome.error.toInfo() : null,
      meta,
    });
    if (emitSkipped && outcome.status === 'skipped') {
      this.#o.emit('step.skipped', key, {
        stepId: step.id,
        type: step.type,
        reason: String(meta.reason ?? ''),
      });
    }
    this.#publish(step, scope, outcome.status, null, outcome.error?.toInfo() ?? null, attempt);
    return outcome;
  }

  async #attemptLoop(step: PlanStep, key: string, scope: Scope, listSignal: AbortSignal): Promise<Outcome> {
    const type = this.#o.services.stepTypes.get(step.type) as StepType;
    // A retry pending when the process stopped: its timer is kept, so the schedule goes on.
    let failure = this.#history.takePendingFailure(key);
    let resumed = failure !== undefined;
    for (;;) {
      if (failure) {
        const attempt = this.#attempts.get(key) ?? 0;
        // After a dead-letter replay, attempts count against the policy from the replay on.
        const counted = attempt - this.#history.retryBase(key);
        const policy = step.retry;
        if (!policy || listSignal.aborted || !shouldRetry(policy, failure, counted)) {
          return this.#afterFailure(step, key, scope, attempt, failure, listSignal);
        }
        const delayMs = retryDelay(policy, counted, failure);
        if (!resumed) {
          this.#o.emit('step.retrying', key, {
            stepId: step.id,
            type: step.type,
            attempt,
            delayMs,
            error: failure.toInfo(),
          });
        }
        resumed = false;
        try {
          const { runId, workflow, services } = this.#o;
          const clock = services.clock ?? systemClock;
          await waitForRetry({
            waits: services.waits,
            clock,
            runId,
            workflow,
            stepKey: key,
            attempt,
            delayMs,
            signal: listSignal,
          });
          await this.#o.pauseGate?.(listSignal);
          if (listSignal.aborted) throw abortError(listSignal);
        } catch {
          return this.#afterFailure(step, key, scope, attempt, failure, listSignal);
        }
      }
      const attempt = (this.#attempts.get(key) ?? 0) + 1;
      this.#attempts.set(key, attempt);
      const result = await this.#attempt(step, type, key, attempt, scope, listSignal);
      if (!(result instanceof WeftError)) return result;
      failure = result;
    }
  }

  /** One attempt: returns the completed outcome, or the error it failed with (already recorded). */
  async #attempt(
    step: PlanStep,
    type: StepType,
    key: string,
    attempt: number,
    scope: Scope,
    listSignal: AbortSignal,
  ): Promise<Outcome | WeftError> {
    const leaf = type.composite !== true;
    if (leaf) await this.#o.slots.acquire();
    const { writer } = this.#o.services;
    // A step's side effects start only after what it may depend on is committed.
    if (writer.pending) await writer.flushed();
    const exit = await this.#calls.enterSlots(step, key, { attempt, scope, leaf, signal: listSignal });
    if (exit instanceof WeftError) {
      if (leaf) this.#o.slots.release();
      return exit;
    }
    const startedAt = Date.now();
    const base: StepRecord = {
      runId: this.#o.runId,
      stepKey: key,
      attempt,
      stepId: step.id,
      type: step.type,
      status: 'running',
      startedAt,
      endedAt: null,
      input: null,
      output: null,
      error: null,
      // Progress saved before an interruption stays on the record until the step saves more.
      meta: this.#checkpoints.has(key) ? { checkpoint: this.#checkpoints.get(key)?.value } : null,
    };
    this.#put({ ...base });
    this.#o.emit('step.started', key, { stepId: step.id, type: step.type, attempt });
    const { signal, dispose } = childSignal(
      listSignal,
      step.timeoutMs,
      () => `step '${key}' timed out after ${step.timeoutMs}ms (attempt ${attempt})`,
    );
    try {
      const ctx = this.#context(key, attempt, scope, { signal, listSignal, step }, base);
      const result = await raceAbort(type.execute(step, ctx), signal);
      let output = result.output;
      if (step.output) output = this.#evaluate(step.output, { ...scope, result: output }, key);
      const hooks = this.#hooks;
      if (hooks && (hooks.has('afterStep') || hooks.has('branch')))
        output = await hooks.afterStep(step, key, attempt, output, result.meta);
      const endedAt = Date.now();
      const done = completionMeta(step, scope, result.meta);
      const cache = base.meta?.cache;
      const meta = cache === undefined ? done : { ...done, cache, cache_key: base.meta?.cache_key };
      this.#put({ ...base, status: 'completed', endedAt, output, meta });
      this.#o.emit('step.completed', key, {
        stepId: step.id,
        type: step.type,
        attempt,
        durationMs: endedAt - startedAt,
        output,
      });
      this.#publish(step, scope, 'completed', output, null, attempt, result.meta);
      return { status: 'completed', output };
    } catch (thrown) {
      // A copy: an abort reason is shared by every step the signal reaches.
      const cause = signal.aborted
        ? WeftError.from(signal.reason, 'cancelled')
        : WeftError.from(thrown, 'skill_error');
      const error = new WeftError(cause.code, cause.message, { details: { ...cause.details }, cause });
      error.details.step ??= key;
      error.details.attempt = attempt;
      const endedAt = Date.now();
      this.#put({ ...base, status: 'failed', endedAt, error: error.toInfo() });
      this.#o.emit('step.failed', key, {
        stepId: step.id,
        type: step.type,
        attempt,
        durationMs: endedAt - startedAt,
        error: error.toInfo(),
      });
      return error;
    } finally {
      dispose();
      exit?.();
      if (leaf) this.#o.slots.release();
    }
  }

  #context(
    key: string,
    attempt: number,
    scope: Scope,
    { signal, listSignal, step }: { signal: AbortSignal; listSignal: AbortSignal; step: PlanStep },
    base: StepRecord,
  ): StepContext {
    const logger = this.#calls.logger(key);
    // A dead-letter replay with an edited input: it replaces what the step resolves.
    const replayed = this.#hookInputs.get(key) ?? this.#history.replayInput(key);
    const inputOf = (input: unknown) => (replayed ? replayed.input : input);
    const recordInput = (input: unknown) => {
      base.input = inputOf(input);
      this.#put({ ...base });
    };
    const skillContext = {
      signal,
      logger,
      idempotencyKey: `${this.#o.idempotencyRunId ?? this.#o.runId}:${key}`,
      attempt,
      runId: this.#o.runId,
      stepKey: key,
      workflow: this.#o.workflow,
      cwd: this.#o.services.cwd,
      progress: (value: number | string) => this.#o.emit('step.progress', key, { value }),
      heartbeat: () => {},
    };
    return {
      runId: this.#o.runId,
      workflow: this.#o.workflow,
      stepKey: key,
      attempt,
      signal,
      scope,
      cwd: this.#o.services.cwd,
      logger,
      evaluate: (value) => this.#evaluate(value, scope, key),
      recordInput,
      runSkill: (name, input, options) => {
        const invoke = () => this.#o.services.invoker.invoke(name, inputOf(input), skillContext);
        return this.#calls.runSkill({
          step,
          key,
          attempt,
          scope,
          base,
          name,
          input: inputOf(input),
          signal,
          invoke,
          cache: options?.cache,
        });
      },
      cached: (name, input, work) =>
        this.#calls.cached({ step, key, scope, base, name, input: inputOf(input), signal, invoke: work }),
      iterateSkill: (name, input, stop) =>
        this.#o.services.invoker.iterate(name, input, { ...skillContext, signal: stop ?? signal }),
      setVars: (values) => this.#setVars(values),
      emit: (type, data) => this.#o.emit(type, key, data),
      runList: (list, options) =>
        this.#o.runList(list, options.keyPrefix, options.scope ?? scope, options.signal ?? signal),
      wait: (request) => this.#calls.wait(key, request, signal),
      runWorkflow: (request) =>
        this.#calls.runWorkflow(base, { ...request, input: inputOf(request.input) }, signal),
      checkpoint: this.#checkpoints.get(key)?.value,
      saveCheckpoint: (value) => {
        base.meta = { ...base.meta, checkpoint: value };
        this.#put({ ...(this.#last.get(key) ?? base), meta: base.meta });
      },
      background: (work) => this.#o.background(work(listSignal)),
    };
  }

  /** After the last attempt: `catch`, then `on_error`. */
  async #afterFailure(
    step: PlanStep,
    key: string,
    scope: Scope,
    attempt: number,
    error: WeftError,
    signal: AbortSignal,
  ): Promise<Outcome> {
    if (this.#hooks?.has('error') && !signal.aborted) {
      const decided = await this.#hooks.onError(step, key, scope, attempt, error, signal);
      if (decided) return decided;
    }
    const info = error.toInfo();
    const now = Date.now();
    const last: StepRecord = this.#last.get(key) ?? {
      runId: this.#o.runId,
      stepKey: key,
      attempt,
      stepId: step.id,
      type: step.type,
      status: 'failed',
      startedAt: now,
      endedAt: now,
      input: null,
      output: null,
      error: info,
      meta: null,
    };
    if (step.catch && !signal.aborted) {
      const handled = await this.#o.runList(step.catch, `${key}.catch.`, { ...scope, error: info }, signal);
      if (!handled.error) {
        this.#put({
          ...last,
          status: 'completed',
          endedAt: Date.now(),
          output: handled.lastOutput,
          error: info,
          meta: completionMeta(step, scope, { caught: true }),
        });
        this.#publish(step, scope, 'completed', handled.lastOutput, info, attempt);
        return { status: 'completed', output: handled.lastOutput };
      }
      error = handled.error;
    }
    if (step.onError === 'skip') {
      this.#put({
        ...last,
        status: 'skipped',
        output: null,
        error: info,
        meta: { reason: 'on_error: skip' },
      });
      this.#o.emit('step.skipped', key, {
        stepId: step.id,
        type: step.type,
        reason: `failed and on_error is skip: ${error.message}`,
      });
      this.#publish(step, scope, 'skipped', null, info, attempt);
      return { status: 'skipped', output: null };
    }
    const final: StepRecord = {
      ...last,
      status: 'failed',
      output: null,
      error: error.toInfo(),
      meta: { ...last.meta, final: true },
    };
    this.#put(final);
    this.#o.onFinalFailure?.(step, final, error, signal);
    this.#publish(step, scope, 'failed', null, error.toInfo(), attempt);
    return { status: 'failed', output: null, error };
  }
}
