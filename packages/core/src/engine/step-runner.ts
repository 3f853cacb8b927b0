import { type ErrorInfo, WeftError } from '../errors.js';
import type { EventPayloads, EventType } from '../events/types.js';
import type { Evaluable, Scope } from '../expr/index.js';
import type { RunResilience } from '../resilience/run-resilience.js';
import type { SkillRegistry } from '../skills/registry.js';
import type { SkillLogger } from '../skills/types.js';
import type { StepTypeRegistry } from '../steps/registry.js';
import type {
  ChildRunOutcome,
  ChildRunRequest,
  ChildRunService,
  ReplayContext,
  StepContext,
  StepType,
  WaitOutcome,
  WaitRequest,
  WaitService,
} from '../steps/types.js';
import type { StepRecord } from '../store/types.js';
import { abortError, childSignal, raceAbort } from './abort.js';
import { AttemptHistory } from './attempt-history.js';
import { type Clock, systemClock } from './clock.js';
import { cancellationOf } from './control/run-cancellation.js';
import type { HookRegistry } from './hooks/hook-registry.js';
import type { ListOutcome, Outcome } from './list-runner.js';
import type { PlanStep, StepList } from './plan-types.js';
import { retryDelay, shouldRetry } from './retry.js';
import { waitForRetry } from './retry-wait.js';
import { completionMeta } from './saga-scope.js';
import type { Semaphore } from './semaphore.js';
import type { SkillInvoker } from './skill-invoker.js';
import type { BatchWriter } from './writer.js';

/** Engine-wide services a run's steps use. */
export interface StepServices {
  /** Durable timers, events and approvals (engine/waits); absent until that module is wired. */
  waits?: WaitService;
  /** Child runs of `workflow` steps (engine/child-runs). */
  children?: ChildRunService;
  skills: SkillRegistry;
  stepTypes: StepTypeRegistry;
  invoker: SkillInvoker;
  writer: BatchWriter;
  cwd: string;
  /** Time for retry delays; default the system clock. */
  clock?: Clock;
  /** Cache, circuit breakers and concurrency slots of this run (resilience/); absent: none. */
  resilience?: RunResilience;
  /** Hooks registered on the engine (engine/hooks); absent or empty: no call is made. */
  hooks?: HookRegistry;
}

export interface StepRunnerOptions {
  services: StepServices;
  runId: string;
  workflow: string;
  signal: AbortSignal;
  slots: Semaphore;
  history: StepRecord[];
  vars: Record<string, unknown>;
  emit<T extends EventType>(type: T, stepKey: string | null, data: EventPayloads[T]): void;
  record(step: StepRecord): void;
  runList(list: StepList, keyPrefix: string, scope: Scope, signal: AbortSignal): Promise<ListOutcome>;
  /** Work that outlives its step; the run ends only once it has settled. */
  background(work: Promise<unknown>): void;
  /** Resolves when a step may start: at once, or when a paused run resumes or `signal` fires (engine/control). */
  pauseGate?(signal: AbortSignal): Promise<void>;
  /**
   * A step failed for good (after retries, `catch` and `on_error: skip` did not handle it), its
   * final record just written; `signal` is its list's (aborted: the step was cut short).
   */
  onFinalFailure?(step: PlanStep, record: StepRecord, error: WeftError, signal: AbortSignal): void;
  /** The run whose id starts idempotency keys (a rerun keeps its source run's); default `runId`. */
  idempotencyRunId?: string;
}

// `compensated`: done, then undone by a rollback; replayed like completed, never run again.
/** Retries an `error` hook may ask for, per step. */
const MAX_HOOK_RETRIES = 10;

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
  readonly #hookRetries = new Map<string, number>();

  constructor(options: StepRunnerOptions) {
    this.#o = options;
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
      if (this.#o.services.hooks?.has('beforeStep')) {
        const decided = await this.#beforeStepHook(step, key, scope);
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
    const exit = await this.#enterSlots(step, key, { attempt, scope, leaf, signal: listSignal });
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
      const hooks = this.#o.services.hooks;
      if (hooks && (hooks.has('afterStep') || hooks.has('branch')))
        output = await this.#afterStepHooks(step, key, attempt, output, result.meta);
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
    const logger = this.#logger(key);
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
      runSkill: (name, input) => {
        const invoke = () => this.#o.services.invoker.invoke(name, inputOf(input), skillContext);
        return this.#runSkill({
          step,
          key,
          attempt,
          scope,
          base,
          name,
          input: inputOf(input),
          signal,
          invoke,
        });
      },
      iterateSkill: (name, input, stop) =>
        this.#o.services.invoker.iterate(name, input, { ...skillContext, signal: stop ?? signal }),
      setVars: (values) => this.#setVars(values),
      emit: (type, data) => this.#o.emit(type, key, data),
      runList: (list, options) =>
        this.#o.runList(list, options.keyPrefix, options.scope ?? scope, options.signal ?? signal),
      wait: (request) => this.#wait(key, request, signal),
      runWorkflow: (request) =>
        this.#runWorkflow(base, { ...request, input: inputOf(request.input) }, signal),
      checkpoint: this.#checkpoints.get(key)?.value,
      saveCheckpoint: (value) => {
        base.meta = { ...base.meta, checkpoint: value };
        this.#put({ ...(this.#last.get(key) ?? base), meta: base.meta });
      },
      background: (work) => this.#o.background(work(listSignal)),
    };
  }

  async #wait(key: string, request: WaitRequest, signal: AbortSignal): Promise<WaitOutcome> {
    const waits = this.#o.services.waits;
    if (!waits) throw new WeftError('not_supported', `step '${key}': this engine has no durable waits`);
    const last = this.#last.get(key);
    if (last) this.#put({ ...last, status: 'waiting' });
    this.#o.emit('step.waiting', key, {
      stepId: last?.stepId ?? key,
      type: last?.type ?? '',
      reason: request.reason,
    });
    const outcome = await waits.wait(
      { ...request, runId: this.#o.runId, workflow: this.#o.workflow, stepKey: request.key ?? key },
      request.signal ?? signal,
    );
    const current = this.#last.get(key);
    if (current?.status === 'waiting') this.#put({ ...current, status: 'running' });
    return outcome;
  }

  /** A child run (`workflow` step): the step waits for it, its id in the record's meta. */
  async #runWorkflow(
    base: StepRecord,
    request: ChildRunRequest,
    signal: AbortSignal,
  ): Promise<ChildRunOutcome> {
    const { stepKey: key, attempt } = base;
    const children = this.#o.services.children;
    if (!children)
      throw new WeftError('not_supported', `step '${key}': this engine cannot run child workflows`);
    const target = { parentRunId: this.#o.runId, stepKey: key, attempt };
    const childRunId = children.childRunId(target);
    // Recorded before the child exists: a resumed step waits again as the same attempt, for the same child.
    base.meta = { ...base.meta, child_run_id: childRunId };
    this.#put({ ...(this.#last.get(key) ?? base), meta: base.meta, status: 'waiting' });
    this.#o.emit('step.waiting', key, {
      stepId: base.stepId,
      type: base.type,
      reason: `waiting for child run ${childRunId}`,
    });
    const outcome = await children.run({ ...request, ...target, cwd: this.#o.services.cwd }, signal);
    const current = this.#last.get(key);
    if (current?.status === 'waiting') this.#put({ ...current, status: 'running' });
    return outcome;
  }

  /**
   * Concurrency slots of an attempt (resilience/): its `concurrency` key and `limits.running_steps`.
   * Returns their release, or the error that ended the wait (cancelled, a bad key expression).
   */
  async #enterSlots(
    step: PlanStep,
    key: string,
    at: { attempt: number; scope: Scope; leaf: boolean; signal: AbortSignal },
  ): Promise<(() => void) | WeftError | undefined> {
    const resilience = this.#o.services.resilience;
    if (!resilience) return undefined;
    try {
      return await resilience.enterStep(step, at.leaf, (value) => this.#evaluate(value, at.scope, key), {
        signal: at.signal,
        onQueued: (reason) => this.#queued(step, key, at.attempt, reason),
      });
    } catch (error) {
      return WeftError.from(error, 'cancelled');
    }
  }

  /** A skill call through the run's cache, per-skill limit and circuit breaker (resilience/). */
  #runSkill(call: {
    step: PlanStep;
    key: string;
    attempt: number;
    scope: Scope;
    base: StepRecord;
    name: string;
    input: unknown;
    signal: AbortSignal;
    invoke: () => Promise<unknown>;
  }): Promise<unknown> {
    const resilience = this.#o.services.resilience;
    if (!resilience) return call.invoke();
    const { step, key, base } = call;
    return resilience.callSkill({
      step,
      stepKey: key,
      name: call.name,
      input: call.input,
      signal: call.signal,
      invoke: call.invoke,
      evaluate: (value) => this.#evaluate(value, call.scope, key),
      onCache: (outcome, cacheKey) => {
        base.meta = { ...base.meta, cache: outcome, cache_key: cacheKey };
        if (outcome === 'hit')
          this.#o.emit('step.cache_hit', key, { stepId: step.id, type: step.type, key: cacheKey });
      },
      onQueued: (reason) => this.#queued(step, key, call.attempt, reason),
      onAdmitted: () => {
        const last = this.#last.get(key);
        if (last?.status === 'pending') this.#put({ ...last, status: 'running', meta: base.meta });
      },
    });
  }

  /** A step waiting for a concurrency slot: `pending` with the reason in its meta, and `step.waiting`. */
  #queued(step: PlanStep, key: string, attempt: number, reason: string): void {
    const last = this.#last.get(key);
    this.#put(
      last?.attempt === attempt && last.status === 'running'
        ? { ...last, status: 'pending', meta: { ...last.meta, reason } }
        : {
            runId: this.#o.runId,
            stepKey: key,
            attempt,
            stepId: step.id,
            type: step.type,
            status: 'pending',
            startedAt: null,
            endedAt: null,
            input: null,
            output: null,
            error: null,
            meta: { reason },
          },
    );
    this.#o.emit('step.waiting', key, { stepId: step.id, type: step.type, reason });
  }

  #logger(key: string): SkillLogger {
    const log =
      (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, data?: Record<string, unknown>) =>
        this.#o.emit('step.log', key, data === undefined ? { level, message } : { level, message, data });
    return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
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
    if (this.#o.services.hooks?.has('error') && !signal.aborted) {
      const decided = await this.#errorHook(step, key, scope, attempt, error, signal);
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

  #hookFailed(key: string): (point: string, message: string) => void {
    return (point, message) => this.#o.emit('hook.failed', key, { point, message });
  }

  #stepInfo(step: PlanStep, key: string) {
    return {
      runId: this.#o.runId,
      workflow: this.#o.workflow,
      stepKey: key,
      stepId: step.id,
      type: step.type,
    };
  }

  /** `beforeStep`: may replace the resolved inputs, skip the step or fail it. */
  async #beforeStepHook(step: PlanStep, key: string, scope: Scope): Promise<Outcome | undefined> {
    const inputs = (step.compiled as { inputs?: unknown } | null)?.inputs;
    let input: unknown;
    if (inputs && typeof (inputs as { evaluate?: unknown }).evaluate === 'function') {
      input = this.#evaluate(inputs as Evaluable, scope, key);
    }
    const hooks = this.#o.services.hooks as HookRegistry;
    const decided = await hooks.call(
      'beforeStep',
      { ...this.#stepInfo(step, key), input },
      this.#hookFailed(key),
    );
    if (!decided) return undefined;
    if ('skip' in decided) {
      const reason = `beforeStep hook: ${decided.skip}`;
      return this.#finalise(step, key, scope, 0, { status: 'skipped', output: null }, { reason });
    }
    if ('fail' in decided)
      throw new WeftError('hook_failed', `step '${key}': beforeStep hook failed it: ${decided.fail}`);
    if ('input' in decided) this.#hookInputs.set(key, { input: decided.input });
    return undefined;
  }

  /** `afterStep` (may replace the output) and `branch` (composites that took a branch). */
  async #afterStepHooks(
    step: PlanStep,
    key: string,
    attempt: number,
    output: unknown,
    meta: Record<string, unknown> | undefined,
  ): Promise<unknown> {
    const hooks = this.#o.services.hooks as HookRegistry;
    const info = this.#stepInfo(step, key);
    if (hooks.has('branch')) {
      const branch = meta?.branch ?? (step.type === 'fork_join' && output ? Object.keys(output) : undefined);
      if (branch !== undefined) await hooks.call('branch', { ...info, branch }, this.#hookFailed(key));
    }
    if (!hooks.has('afterStep')) return output;
    const decided = await hooks.call('afterStep', { ...info, attempt, output }, this.#hookFailed(key));
    return decided && 'output' in decided ? decided.output : output;
  }

  /** `error`, after the last attempt: may retry the step, skip it, or supply its output. */
  async #errorHook(
    step: PlanStep,
    key: string,
    scope: Scope,
    attempt: number,
    error: WeftError,
    signal: AbortSignal,
  ): Promise<Outcome | undefined> {
    const hooks = this.#o.services.hooks as HookRegistry;
    const context = { ...this.#stepInfo(step, key), attempt, error: error.toInfo() };
    const decided = await hooks.call('error', context, this.#hookFailed(key));
    if (!decided) return undefined;
    if ('retry' in decided) {
      const retries = this.#hookRetries.get(key) ?? 0;
      // A hook that always says retry would loop for ever.
      if (retries >= MAX_HOOK_RETRIES) return undefined;
      this.#hookRetries.set(key, retries + 1);
      return this.#attemptLoop(step, key, scope, signal);
    }
    if ('skip' in decided) {
      const reason = `error hook: ${decided.skip}`;
      return this.#finalise(step, key, scope, attempt, { status: 'skipped', output: null }, { reason });
    }
    if ('output' in decided) {
      const last = this.#last.get(key);
      const now = Date.now();
      this.#put({
        ...(last ?? {
          runId: this.#o.runId,
          stepKey: key,
          stepId: step.id,
          type: step.type,
          startedAt: now,
          input: null,
        }),
        attempt,
        status: 'completed',
        endedAt: now,
        output: decided.output,
        error: error.toInfo(),
        meta: completionMeta(step, scope, { recovered_by: 'error hook' }),
      });
      this.#publish(step, scope, 'completed', decided.output, error.toInfo(), attempt);
      return { status: 'completed', output: decided.output };
    }
    return undefined;
  }
}
