import type { Plan } from '../engine/plan-types.js';
import { WeftError } from '../errors.js';
import type { AnyEngineEvent } from '../events/types.js';
import type { RunRecord, Store } from '../store/types.js';
import { BreakerPolicies, type CircuitBreakerSettings } from './breaker-policy.js';
import { CircuitBreakers } from './breakers.js';
import { StepCache } from './cache.js';
import { keyText } from './cache-key.js';
import { RunGate, type RunSlot } from './concurrency-gate.js';
import { type LimitSettings, slotKeys } from './concurrency-policy.js';
import { ConcurrencySlots } from './concurrency-slots.js';
import { RedisBreakers } from './redis/redis-breakers.js';
import { RedisCache } from './redis/redis-cache.js';
import type { RedisConnection } from './redis/redis-connection.js';
import { RunResilience } from './run-resilience.js';

/** What `createEngine` passes on from its options (weft.config.yaml: circuit_breakers, limits, redis). */
export interface ResilienceSettings {
  circuitBreakers?: CircuitBreakerSettings;
  limits?: LimitSettings;
  /** Breaker states and the cache go here instead of the store; closed with the engine. */
  redis?: RedisConnection;
  /** How often a queued step or run asks the store again; default 200 ms. */
  slotPollMs?: number;
}

export interface ResilienceOptions extends ResilienceSettings {
  store: Store;
  owner: string;
  leaseMs: number;
  emit(event: AnyEngineEvent): void;
  /** `on_conflict: cancel_running`: cancels a run wherever it executes. */
  cancelRun(runId: string, reason: string): Promise<void>;
  /** The engine's clock: cache expiry and breaker periods follow it. */
  now?: () => number;
}

/**
 * Circuit breakers, the step cache and concurrency slots of one engine (SPEC section 4).
 * Runs get a RunResilience (`forRun`); nothing here costs a store call unless a feature is used.
 */
export class Resilience {
  readonly breakers: CircuitBreakers;
  readonly cache: StepCache;
  readonly slots: ConcurrencySlots;
  readonly limits: LimitSettings;
  readonly #o: ResilienceOptions;
  readonly #userSteps = new WeakMap<Plan, string | null>();

  constructor(options: ResilienceOptions) {
    this.#o = options;
    const { store, redis } = options;
    this.limits = options.limits ?? {};
    this.breakers = new CircuitBreakers({
      policies: new BreakerPolicies(options.circuitBreakers ?? {}),
      states: redis ? new RedisBreakers(redis) : store.breakers,
      emit: options.emit,
      now: options.now,
    });
    this.cache = new StepCache({ store: redis ? new RedisCache(redis) : store.cache, now: options.now });
    this.slots = new ConcurrencySlots({
      store: store.slots,
      owner: options.owner,
      leaseMs: options.leaseMs,
      pollMs: options.slotPollMs,
    });
  }

  /** Refuses a run that cannot work as written: a step caching per user, and no user in the run's meta. */
  checkStart(plan: Plan, meta: Record<string, unknown> | undefined): void {
    const step = this.#userCachedStep(plan);
    if (step === null || typeof meta?.user === 'string') return;
    throw new WeftError(
      'invalid_input',
      `workflow '${plan.name}': ${step}.cache.scope is user, so a run needs a user: start it with meta { user: '<id>' }`,
    );
  }

  /**
   * The slots a run must hold (its workflow's `concurrency`, `limits.running_runs`), or undefined
   * when none applies. `input` is the run's input, for the key expression.
   */
  gate(plan: Plan, run: RunRecord, input: unknown): RunGate | undefined {
    const needs: RunSlot[] = [];
    const own = plan.concurrency;
    if (own) {
      let key: string | undefined;
      if (own.key) {
        const scope = {
          inputs: input ?? {},
          context: plan.context,
          run: { id: run.id, workflow: run.workflow },
        };
        try {
          key = keyText(own.key.evaluate(scope));
        } catch (error) {
          const failure = WeftError.from(error, 'expression_error');
          throw new WeftError(failure.code, `workflow '${plan.name}': concurrency.key: ${failure.message}`, {
            cause: error,
          });
        }
      }
      needs.push({ key: slotKeys.workflow(plan.name, key), limit: own.limit, onConflict: own.onConflict });
    }
    // Child runs do not count: a parent waiting for its child must not hold the slot the child needs.
    if (this.limits.runningRuns !== undefined && run.parentRunId === null) {
      needs.push({ key: slotKeys.runs, limit: this.limits.runningRuns, onConflict: 'queue' });
    }
    if (needs.length === 0) return undefined;
    return new RunGate({ slots: this.slots, runId: run.id, needs, cancelRun: this.#o.cancelRun });
  }

  forRun(run: RunRecord): RunResilience {
    const user = typeof run.meta.user === 'string' ? run.meta.user : undefined;
    return new RunResilience(this, { workflow: run.workflow, user });
  }

  async close(): Promise<void> {
    await this.slots.close();
    await this.#o.redis?.close();
  }

  #userCachedStep(plan: Plan): string | null {
    let found = this.#userSteps.get(plan);
    if (found === undefined) {
      found = null;
      for (const step of plan.steps.values()) {
        if (step.cache?.scope === 'user') {
          found = step.path;
          break;
        }
      }
      this.#userSteps.set(plan, found);
    }
    return found;
  }
}

/** `engine.breakers`: the states of every breaker, and reset. */
export type BreakerAdmin = Pick<CircuitBreakers, 'list' | 'reset'>;

/** `engine.cache`: cached step results by key prefix. */
export type CacheAdmin = Pick<StepCache, 'list' | 'clear'>;
