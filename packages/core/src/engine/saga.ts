import { type ErrorInfo, WeftError } from '../errors.js';
import type { EventPayloads, EventType } from '../events/types.js';
import type { Scope } from '../expr/index.js';
import { extendScope } from '../steps/support/scope.js';
import type { EventRecord, StepRecord } from '../store/types.js';
import { abortError } from './abort.js';
import type { ListOutcome } from './list-runner.js';
import type { Plan, PlanStep, StepList } from './plan-types.js';
import { compensationTargets, latestRecords } from './saga-order.js';
import { stepEntry } from './saga-scope.js';

export interface SagaOptions {
  plan: Plan;
  runId: string;
  /** The run's scope (inputs, vars, steps published so far...). */
  scope: Scope;
  /** Everything recorded for the run, read once the writer has committed what is pending. */
  history(): Promise<{ steps: StepRecord[]; events: EventRecord[] }>;
  record(step: StepRecord): void;
  emit<T extends EventType>(type: T, stepKey: string | null, data: EventPayloads[T]): void;
  runList(list: StepList, keyPrefix: string, scope: Scope, signal: AbortSignal): Promise<ListOutcome>;
  /** Stops the run's steps: a step with `on_error: rollback` failed. */
  abortRun(reason: WeftError): void;
}

/** What a rollback did, on the run's error as `details.compensation`. */
export interface CompensationOutcome {
  /** Step keys undone, in the order their compensations ran. */
  ran: string[];
  failed: { step: string; error: ErrorInfo }[];
}

/**
 * Rollback with compensations (SPEC section 4): a step with `on_error: rollback` that fails for
 * good, or any unhandled failure of a run whose `on_error` is `rollback`, fails the run, and the
 * `compensate` steps of its completed steps run, newest completion first. Each compensation is a
 * step list keyed `<undone key>.compensate.<id>`, so a rollback resumed after a crash replays the
 * compensations that finished and runs the rest.
 */
export class Saga {
  readonly #o: SagaOptions;
  /** The failure of a step with `on_error: rollback` (the first one). */
  #requested: WeftError | undefined;
  /** Compensations keep running when the run's own signal fired; only detaching stops them. */
  #controller: AbortController | undefined;
  #detached: WeftError | undefined;

  constructor(options: SagaOptions) {
    this.#o = options;
  }

  /** A step failed for good: with `on_error: rollback`, the run stops and rolls back. */
  stepFailed(step: PlanStep, key: string, error: WeftError): void {
    if (step.onError !== 'rollback' || this.#requested) return;
    this.#requested = error;
    this.#o.abortRun(
      new WeftError('cancelled', `run ${this.#o.runId} is rolling back: step '${key}' failed`, {
        cause: error,
      }),
    );
  }

  /** The run's failure: a rollback request wins over what stopping the other steps caused. */
  cause(error: WeftError | undefined): WeftError | undefined {
    return this.#requested ?? error;
  }

  /** Stops compensations (the run detaches from this process). */
  detach(reason: WeftError): void {
    this.#detached ??= reason;
    if (this.#controller && !this.#controller.signal.aborted) this.#controller.abort(reason);
  }

  /**
   * Rolls back when the run's failure calls for it; resolves with the error to fail the run
   * with (carrying `details.compensation` when compensations were looked for).
   */
  async settle(error: WeftError): Promise<WeftError> {
    if (!this.#possible()) return error;
    const { steps, events } = await this.#o.history();
    const cause = this.#requested ?? requestedBefore(this.#o.plan, steps);
    if (!cause && this.#o.plan.onError !== 'rollback') return error;
    const failure = cause ?? error;
    const outcome = await this.#compensate(failure, steps, events);
    return new WeftError(failure.code, failure.message, {
      details: { ...failure.details, compensation: outcome },
      cause: failure,
    });
  }

  /** Whether any failure of this plan can roll back: otherwise a failure costs no store read. */
  #possible(): boolean {
    const { plan } = this.#o;
    if (this.#requested || plan.onError === 'rollback') return true;
    for (const step of plan.steps.values()) if (step.onError === 'rollback') return true;
    return false;
  }

  async #compensate(
    cause: WeftError,
    steps: readonly StepRecord[],
    events: readonly EventRecord[],
  ): Promise<CompensationOutcome> {
    const { plan, emit } = this.#o;
    const targets = compensationTargets(plan, steps, events);
    emit('run.compensating', null, { cause: cause.toInfo(), steps: targets.map((t) => t.stepKey) });
    const outcome: CompensationOutcome = { ran: [], failed: [] };
    this.#controller ??= new AbortController();
    if (this.#detached) this.#controller.abort(this.#detached);
    const signal = this.#controller.signal;
    for (const target of targets) {
      const step = plan.steps.get(target.stepId)!;
      const scope = this.#scopeFor(target, steps, cause);
      const result = await this.#o.runList(step.compensate!, `${target.stepKey}.compensate.`, scope, signal);
      if (signal.aborted) throw abortError(signal);
      if (result.error) {
        const error = result.error.toInfo();
        outcome.failed.push({ step: target.stepKey, error });
        emit('step.compensation_failed', target.stepKey, { stepId: step.id, type: step.type, error });
        continue;
      }
      outcome.ran.push(target.stepKey);
      if (target.status !== 'compensated') this.#o.record({ ...target, status: 'compensated' });
      emit('step.compensated', target.stepKey, { stepId: step.id, type: step.type });
    }
    return outcome;
  }

  /**
   * What a compensation sees: the run's names, the steps of the undone step's own list instance
   * (its loop iteration...) as recorded, the names bound around it (`loop`, its alias), and
   * `error`: the failure that caused the rollback.
   */
  #scopeFor(target: StepRecord, steps: readonly StepRecord[], cause: WeftError): Scope {
    const prefix = instancePrefix(target.stepKey);
    const published = { ...(this.#o.scope.steps as Record<string, unknown>) };
    const inScope = latestRecords(steps)
      .filter((record) => prefix.startsWith(instancePrefix(record.stepKey)))
      .filter((record) => record.status === 'completed' || record.status === 'compensated')
      .sort((a, b) => instancePrefix(a.stepKey).length - instancePrefix(b.stepKey).length);
    for (const record of inScope) published[record.stepId] = stepEntry(record);
    published[target.stepId] = stepEntry({ ...target, status: 'completed' });
    const bindings = (target.meta?.bindings ?? {}) as Record<string, unknown>;
    return extendScope(this.#o.scope, { ...bindings, steps: published, error: cause.toInfo() });
  }
}

/**
 * A rollback asked for before this process took the run over: the record of the first step with
 * `on_error: rollback` that failed for good.
 */
function requestedBefore(plan: Plan, steps: readonly StepRecord[]): WeftError | undefined {
  const failed = latestRecords(steps)
    .filter((record) => record.status === 'failed' && record.meta?.final === true && record.error)
    .filter((record) => plan.steps.get(record.stepId)?.onError === 'rollback')
    .sort((a, b) => (a.endedAt ?? 0) - (b.endedAt ?? 0))[0];
  if (!failed?.error) return undefined;
  const { code, message, ...details } = failed.error;
  return new WeftError(code, message, { details });
}

/** `each[2].` for `each[2].charge`; `` for a top-level key. */
function instancePrefix(key: string): string {
  return key.slice(0, key.length - (/[A-Za-z_][A-Za-z0-9_]*$/.exec(key)?.[0].length ?? 0));
}
