import { WeftError } from '../errors.js';
import type { AnyEngineEvent } from '../events/types.js';
import { type Admission, admit, type CallOutcome, type Report, report } from './breaker-logic.js';
import type { BreakerPolicies, BreakerPolicy } from './breaker-policy.js';
import type { BreakerState, BreakerStateStore, VersionedBreakerState } from './breaker-state.js';

export interface CircuitBreakersOptions {
  policies: BreakerPolicies;
  states: BreakerStateStore;
  /** Delivers `breaker.opened | half_opened | closed` (engine-level events). */
  emit(event: AnyEngineEvent): void;
  now?: () => number;
}

/** Compare-and-set rounds before giving up on a contended breaker (many engines, one target). */
const MAX_ROUNDS = 50;

/** Client errors say the target answered: they are not failures of the target. */
const NOT_FAILURES = new Set(['cancelled', 'validation_failed', 'expression_error', 'invalid_input']);

/**
 * Circuit breakers per target, their state shared through a BreakerStateStore (the store or Redis).
 * A target without a policy costs nothing: `guard` just runs the call.
 * @example const body = await breakers.guard('api.example.test', () => fetchOrders(), signal);
 */
export class CircuitBreakers {
  readonly #policies: BreakerPolicies;
  readonly #states: BreakerStateStore;
  readonly #emit: (event: AnyEngineEvent) => void;
  readonly #now: () => number;

  constructor(options: CircuitBreakersOptions) {
    this.#policies = options.policies;
    this.#states = options.states;
    this.#emit = options.emit;
    this.#now = options.now ?? Date.now;
  }

  /** True when no target has a breaker (no `default`, no `targets`). */
  get empty(): boolean {
    return this.#policies.empty;
  }

  policyFor(target: string): BreakerPolicy | undefined {
    return this.#policies.for(target);
  }

  /**
   * Runs `call` through the breaker of `target`. Open: throws `circuit_open` at once, with
   * `retry_after_ms` in its details (a retry policy waits at least that long).
   */
  async guard<T>(target: string | undefined, call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const policy = target === undefined ? undefined : this.#policies.for(target);
    if (!policy || target === undefined) return call();
    const { trial } = await this.enter(target, policy);
    let outcome: CallOutcome = 'none';
    let message: string | undefined;
    try {
      const result = await call();
      outcome = 'success';
      return result;
    } catch (error) {
      outcome = breakerOutcome(error, signal);
      message = describe(error, signal);
      throw error;
    } finally {
      await this.exit(target, policy, { trial, outcome, error: message }).catch((error: unknown) => {
        process.emitWarning(
          `circuit breaker '${target}': the outcome was not recorded: ${(error as Error).message}`,
        );
      });
    }
  }

  /** Admits a call or throws `circuit_open`; a trial's outcome must be reported with `exit`. */
  async enter(target: string, policy: BreakerPolicy): Promise<{ trial: boolean }> {
    const { result, current } = await this.#update(target, (state, now) => admit(state, target, policy, now));
    if (result.allowed) return { trial: result.trial };
    const state = current?.state;
    const halfOpen = state?.status === 'half_open';
    const why = halfOpen
      ? 'half-open, its trial calls are still running'
      : `open after ${state?.reason ?? 'failures'}`;
    throw new WeftError(
      'circuit_open',
      `circuit breaker for '${target}' is ${why}; calls fail at once for the next ${result.retryAfterMs}ms`,
      { details: { target, retry_after_ms: result.retryAfterMs } },
    );
  }

  async exit(
    target: string,
    policy: BreakerPolicy,
    call: { trial: boolean; outcome: CallOutcome; error?: string | undefined },
  ): Promise<void> {
    await this.#update(target, (state, now) => report(state, { target, policy, now, ...call }));
  }

  list(): Promise<BreakerState[]> {
    return this.#states.list();
  }

  /** Closes a breaker by forgetting its state; false when it had none. */
  reset(target: string): Promise<boolean> {
    return this.#states.delete(target);
  }

  async #update<R extends Admission | Report>(
    target: string,
    decide: (state: BreakerState | undefined, now: number) => R,
  ): Promise<{ result: R; current: VersionedBreakerState | undefined }> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const current = await this.#states.get(target);
      const now = this.#now();
      const result = decide(current?.state, now);
      if (!result.next) return { result, current };
      if (await this.#states.put(result.next, current?.version ?? 0)) {
        if (result.transition) this.#announce(result.next, result.transition, now);
        return { result, current: { state: result.next, version: (current?.version ?? 0) + 1 } };
      }
    }
    throw new WeftError(
      'store_error',
      `circuit breaker '${target}': its state kept changing under ${MAX_ROUNDS} attempts to update it`,
    );
  }

  #announce(state: BreakerState, transition: 'opened' | 'half_opened' | 'closed', time: number): void {
    const target = state.target;
    if (transition === 'opened') {
      this.#emit({
        type: 'breaker.opened',
        time,
        data: {
          target,
          reason: state.reason ?? '',
          openUntil: state.openUntil ?? time,
          lastError: state.lastError,
        },
      });
    } else if (transition === 'half_opened') {
      this.#emit({ type: 'breaker.half_opened', time, data: { target } });
    } else {
      this.#emit({ type: 'breaker.closed', time, data: { target } });
    }
  }
}

/**
 * What a failed call says about its target: a timeout, a network error or a 5xx counts against it;
 * a cancelled call, bad input or a 4xx answer (other than 408 and 429) does not.
 */
export function breakerOutcome(error: unknown, signal?: AbortSignal): CallOutcome {
  if (signal?.aborted)
    return WeftError.from(signal.reason, 'cancelled').code === 'timeout' ? 'failure' : 'none';
  const failure = WeftError.from(error);
  if (NOT_FAILURES.has(failure.code)) return 'none';
  if (failure.code === 'http_status') {
    const status = Number(failure.details.status);
    if (status >= 400 && status < 500 && status !== 408 && status !== 429) return 'success';
  }
  return 'failure';
}

function describe(error: unknown, signal?: AbortSignal): string {
  const failure = signal?.aborted ? WeftError.from(signal.reason, 'cancelled') : WeftError.from(error);
  return `${failure.code}: ${failure.message}`.slice(0, 500);
}
