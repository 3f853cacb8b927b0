import type { PlanStep } from '../engine/plan-types.js';
import { WeftError } from '../errors.js';
import type { Evaluable } from '../expr/index.js';
import { breakerTargetOf } from './breaker-targets.js';
import { keyText } from './cache-key.js';
import { slotKeys } from './concurrency-policy.js';
import type { SlotWait } from './concurrency-slots.js';
import type { Resilience } from './resilience.js';

/** One skill call of a step, as the step runner hands it over. */
export interface SkillCall {
  step: PlanStep;
  stepKey: string;
  name: string;
  input: unknown;
  signal: AbortSignal;
  evaluate<T>(value: Evaluable<T>): T;
  invoke(): Promise<unknown>;
  /** false: the step's `cache:` does not apply (an agent's tool calls); default true. */
  useCache?: boolean;
  /** The result came from the cache (`hit`), or was just stored in it (`miss`). */
  onCache(outcome: 'hit' | 'miss', key: string): void;
  /** Called once if the call waits for a slot of `limits.skills`, then once it has one. */
  onQueued(reason: string): void;
  onAdmitted(): void;
}

/**
 * What resilience does around one run's steps: concurrency slots before an attempt; cache, per-skill
 * limit and circuit breaker around a skill call. Every check is a field test when nothing applies.
 */
export class RunResilience {
  readonly #r: Resilience;
  readonly #run: { workflow: string; user: string | undefined };

  constructor(resilience: Resilience, run: { workflow: string; user: string | undefined }) {
    this.#r = resilience;
    this.#run = run;
  }

  /**
   * Before an attempt: a slot of the step's `concurrency` key and, for leaf steps, one of
   * `limits.running_steps`. Undefined when none applies; else resolves with their release.
   */
  enterStep(
    step: PlanStep,
    leaf: boolean,
    evaluate: <T>(value: Evaluable<T>) => T,
    wait: SlotWait,
  ): Promise<() => void> | undefined {
    const own = step.concurrency;
    const global = leaf ? this.#r.limits.runningSteps : undefined;
    if (!own && global === undefined) return undefined;
    return this.#enter(
      own && { key: slotKeys.step(keyText(evaluate(own.key))), limit: own.limit },
      global,
      wait,
    );
  }

  async callSkill(call: SkillCall): Promise<unknown> {
    const policy = call.useCache === false ? undefined : call.step.cache;
    const limit = this.#r.limits.skills?.[call.name];
    const breakers = this.#r.breakers;
    if (!policy && limit === undefined && breakers.empty) return call.invoke();
    const { workflow, user } = this.#run;
    const key =
      policy &&
      this.#r.cache.keyFor(policy, {
        workflow,
        user,
        name: call.name,
        input: call.input,
        stepKey: call.stepKey,
        evaluate: call.evaluate,
      });
    if (key !== undefined) {
      const hit = await this.#r.cache.get(key).catch(warn(`cache read of '${key}'`));
      if (hit) {
        call.onCache('hit', key);
        return hit.value;
      }
    }
    let queued = false;
    const onQueued = (reason: string) => {
      queued = true;
      call.onQueued(reason);
    };
    const release =
      limit === undefined
        ? undefined
        : await this.#r.slots.lend(slotKeys.skill(call.name), limit, { signal: call.signal, onQueued });
    if (queued) call.onAdmitted();
    try {
      const target = breakers.empty ? undefined : breakerTargetOf(call.name, call.input);
      const output = await breakers.guard(target, call.invoke, call.signal);
      if (key !== undefined && policy) {
        await this.#r.cache.put(key, output, policy.ttlMs).catch(warn(`cache write of '${key}'`));
        call.onCache('miss', key);
      }
      return output;
    } finally {
      release?.();
    }
  }

  /**
   * Work that is not a skill call (an agent's invocation) through the step's `cache:` only: a hit
   * skips it; its result is stored. Limits and breakers are the caller's.
   */
  async cached(
    call: Pick<SkillCall, 'step' | 'stepKey' | 'name' | 'input' | 'evaluate' | 'invoke' | 'onCache'>,
  ): Promise<unknown> {
    const policy = call.step.cache;
    if (!policy) return call.invoke();
    const { workflow, user } = this.#run;
    const key = this.#r.cache.keyFor(policy, { ...call, workflow, user });
    if (key === undefined) return call.invoke();
    const hit = await this.#r.cache.get(key).catch(warn(`cache read of '${key}'`));
    if (hit) {
      call.onCache('hit', key);
      return hit.value;
    }
    const output = await call.invoke();
    await this.#r.cache.put(key, output, policy.ttlMs).catch(warn(`cache write of '${key}'`));
    call.onCache('miss', key);
    return output;
  }

  async #enter(
    own: { key: string; limit: number } | undefined,
    global: number | undefined,
    wait: SlotWait,
  ): Promise<() => void> {
    const releases: (() => void)[] = [];
    const releaseAll = () => {
      for (const release of releases.splice(0).reverse()) release();
    };
    try {
      // Always in this order (step key, then global), so two steps never wait for each other's slot.
      if (own) releases.push(await this.#r.slots.lend(own.key, own.limit, wait));
      if (global !== undefined) releases.push(await this.#r.slots.lend(slotKeys.steps, global, wait));
    } catch (error) {
      releaseAll();
      throw error;
    }
    return releaseAll;
  }
}

/** The cache is an optimisation: when it fails, the call goes on without it (and says so). */
function warn(what: string): (error: unknown) => undefined {
  return (error) => {
    process.emitWarning(`${what} failed: ${WeftError.from(error, 'store_error').message}`);
    return undefined;
  };
}
