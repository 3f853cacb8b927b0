import { WeftError } from '../errors.js';
import type { Evaluable, Scope } from '../expr/index.js';
import type { SkillLogger } from '../skills/types.js';
import type { ChildRunOutcome, ChildRunRequest, WaitOutcome, WaitRequest } from '../steps/types.js';
import type { StepRecord } from '../store/types.js';
import type { PlanStep } from './plan-types.js';
import type { StepRunnerOptions } from './step-services.js';

/** What the calls need of the step runner: its latest records and its evaluation rules. */
export interface StepLedger {
  /** The latest record written for a step key. */
  last(key: string): StepRecord | undefined;
  put(record: StepRecord): void;
  evaluate<T>(value: Evaluable<T>, scope: Scope, key: string): T;
}

/**
 * What a step does outside its own attempt: durable waits, child runs, skill calls through the
 * run's cache, limits and breakers, queueing for a slot, and its logger. Each keeps the step's
 * record in step (`waiting`, `pending`, back to `running`).
 */
export class StepCalls {
  readonly #o: StepRunnerOptions;
  readonly #h: StepLedger;

  constructor(options: StepRunnerOptions, ledger: StepLedger) {
    this.#o = options;
    this.#h = ledger;
  }

  /** A durable wait (engine/waits): the step shows `waiting` until it returns. */
  async wait(key: string, request: WaitRequest, signal: AbortSignal): Promise<WaitOutcome> {
    const waits = this.#o.services.waits;
    if (!waits) throw new WeftError('not_supported', `step '${key}': this engine has no durable waits`);
    const last = this.#h.last(key);
    if (last) this.#h.put({ ...last, status: 'waiting' });
    this.#o.emit('step.waiting', key, {
      stepId: last?.stepId ?? key,
      type: last?.type ?? '',
      reason: request.reason,
    });
    const outcome = await waits.wait(
      { ...request, runId: this.#o.runId, workflow: this.#o.workflow, stepKey: request.key ?? key },
      request.signal ?? signal,
    );
    const current = this.#h.last(key);
    if (current?.status === 'waiting') this.#h.put({ ...current, status: 'running' });
    return outcome;
  }

  /** A child run (`workflow` step): the step waits for it, its id in the record's meta. */
  async runWorkflow(
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
    this.#h.put({ ...(this.#h.last(key) ?? base), meta: base.meta, status: 'waiting' });
    this.#o.emit('step.waiting', key, {
      stepId: base.stepId,
      type: base.type,
      reason: `waiting for child run ${childRunId}`,
    });
    const outcome = await children.run({ ...request, ...target, cwd: this.#o.services.cwd }, signal);
    const current = this.#h.last(key);
    if (current?.status === 'waiting') this.#h.put({ ...current, status: 'running' });
    return outcome;
  }

  /**
   * Concurrency slots of an attempt (resilience/): its `concurrency` key and `limits.running_steps`.
   * Returns their release, or the error that ended the wait (cancelled, a bad key expression).
   */
  async enterSlots(
    step: PlanStep,
    key: string,
    at: { attempt: number; scope: Scope; leaf: boolean; signal: AbortSignal },
  ): Promise<(() => void) | WeftError | undefined> {
    const resilience = this.#o.services.resilience;
    if (!resilience) return undefined;
    try {
      return await resilience.enterStep(step, at.leaf, (value) => this.#h.evaluate(value, at.scope, key), {
        signal: at.signal,
        onQueued: (reason) => this.queued(step, key, at.attempt, reason),
      });
    } catch (error) {
      return WeftError.from(error, 'cancelled');
    }
  }

  /** A skill call through the run's cache, per-skill limit and circuit breaker (resilience/). */
  runSkill(call: {
    step: PlanStep;
    key: string;
    attempt: number;
    scope: Scope;
    base: StepRecord;
    name: string;
    input: unknown;
    signal: AbortSignal;
    invoke: () => Promise<unknown>;
    /** false: the step's `cache:` does not apply to this call. */
    cache?: boolean | undefined;
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
      useCache: call.cache !== false,
      evaluate: (value) => this.#h.evaluate(value, call.scope, key),
      onCache: (outcome, cacheKey) => this.#onCache(step, key, base, outcome, cacheKey),
      onQueued: (reason) => this.queued(step, key, call.attempt, reason),
      onAdmitted: () => {
        const last = this.#h.last(key);
        if (last?.status === 'pending') this.#h.put({ ...last, status: 'running', meta: base.meta });
      },
    });
  }

  /** Work that is not a skill call (an agent's invocation) through the step's `cache:`. */
  cached(call: {
    step: PlanStep;
    key: string;
    scope: Scope;
    base: StepRecord;
    name: string;
    input: unknown;
    signal: AbortSignal;
    invoke: () => Promise<unknown>;
  }): Promise<unknown> {
    const resilience = this.#o.services.resilience;
    if (!resilience || !call.step.cache) return call.invoke();
    const { step, key, base } = call;
    return resilience.cached({
      step,
      stepKey: key,
      name: call.name,
      input: call.input,
      invoke: call.invoke,
      evaluate: (value) => this.#h.evaluate(value, call.scope, key),
      onCache: (outcome, cacheKey) => this.#onCache(step, key, base, outcome, cacheKey),
    });
  }

  #onCache(step: PlanStep, key: string, base: StepRecord, outcome: 'hit' | 'miss', cacheKey: string): void {
    base.meta = { ...base.meta, cache: outcome, cache_key: cacheKey };
    const data = { stepId: step.id, type: step.type, key: cacheKey };
    this.#o.emit(outcome === 'hit' ? 'step.cache_hit' : 'step.cache_miss', key, data);
  }

  /** A step waiting for a concurrency slot: `pending` with the reason in its meta, and `step.waiting`. */
  queued(step: PlanStep, key: string, attempt: number, reason: string): void {
    const last = this.#h.last(key);
    this.#h.put(
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

  logger(key: string): SkillLogger {
    const log =
      (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, data?: Record<string, unknown>) =>
        this.#o.emit('step.log', key, data === undefined ? { level, message } : { level, message, data });
    return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  }
}
