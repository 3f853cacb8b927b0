import { WeftError } from '../errors.js';
import type { Evaluable, Scope } from '../expr/index.js';
import type { StepRecord } from '../store/types.js';
import type { HookRegistry } from './hooks/hook-registry.js';
import type { Outcome } from './list-runner.js';
import type { PlanStep } from './plan-types.js';
import { completionMeta } from './saga-scope.js';
import type { StepRunnerOptions } from './step-services.js';

/** Retries an `error` hook may ask for, per step. */
const MAX_HOOK_RETRIES = 10;

/** What the hook points need of the step runner to act on a hook's decision. */
export interface HookActions {
  evaluate<T>(value: Evaluable<T>, scope: Scope, key: string): T;
  /** Records a step that ends without an attempt of its own (here: skipped by a hook). */
  finalise(
    step: PlanStep,
    key: string,
    scope: Scope,
    attempt: number,
    outcome: Outcome,
    meta: Record<string, unknown>,
  ): Outcome;
  /** Runs the step's attempts again (an `error` hook said retry). */
  retry(step: PlanStep, key: string, scope: Scope, signal: AbortSignal): Promise<Outcome>;
  last(key: string): StepRecord | undefined;
  put(record: StepRecord): void;
  publish(
    step: PlanStep,
    scope: Scope,
    status: string,
    output: unknown,
    error: StepRecord['error'],
    attempts: number,
  ): void;
  /** A `beforeStep` hook replaced the step's resolved inputs. */
  replaceInput(key: string, input: unknown): void;
}

/**
 * The hook points around one step (engine/hooks): `beforeStep`, `afterStep`, `branch` and
 * `error`. A hook that throws or times out is recorded as `hook.failed` and changes nothing.
 */
export class StepHooks {
  readonly #o: StepRunnerOptions;
  readonly #hooks: HookRegistry;
  readonly #h: HookActions;
  readonly #retries = new Map<string, number>();

  constructor(options: StepRunnerOptions, hooks: HookRegistry, actions: HookActions) {
    this.#o = options;
    this.#hooks = hooks;
    this.#h = actions;
  }

  has(point: Parameters<HookRegistry['has']>[0]): boolean {
    return this.#hooks.has(point);
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
  async beforeStep(step: PlanStep, key: string, scope: Scope): Promise<Outcome | undefined> {
    const inputs = (step.compiled as { inputs?: unknown } | null)?.inputs;
    let input: unknown;
    if (inputs && typeof (inputs as { evaluate?: unknown }).evaluate === 'function') {
      input = this.#h.evaluate(inputs as Evaluable, scope, key);
    }
    const hooks = this.#hooks;
    const decided = await hooks.call(
      'beforeStep',
      { ...this.#stepInfo(step, key), input },
      this.#hookFailed(key),
    );
    if (!decided) return undefined;
    if ('skip' in decided) {
      const reason = `beforeStep hook: ${decided.skip}`;
      return this.#h.finalise(step, key, scope, 0, { status: 'skipped', output: null }, { reason });
    }
    if ('fail' in decided)
      throw new WeftError('hook_failed', `step '${key}': beforeStep hook failed it: ${decided.fail}`);
    if ('input' in decided) this.#h.replaceInput(key, decided.input);
    return undefined;
  }

  /** `afterStep` (may replace the output) and `branch` (composites that took a branch). */
  async afterStep(
    step: PlanStep,
    key: string,
    attempt: number,
    output: unknown,
    meta: Record<string, unknown> | undefined,
  ): Promise<unknown> {
    const hooks = this.#hooks;
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
  async onError(
    step: PlanStep,
    key: string,
    scope: Scope,
    attempt: number,
    error: WeftError,
    signal: AbortSignal,
  ): Promise<Outcome | undefined> {
    const hooks = this.#hooks;
    const context = { ...this.#stepInfo(step, key), attempt, error: error.toInfo() };
    const decided = await hooks.call('error', context, this.#hookFailed(key));
    if (!decided) return undefined;
    if ('retry' in decided) {
      const retries = this.#retries.get(key) ?? 0;
      // A hook that always says retry would loop for ever.
      if (retries >= MAX_HOOK_RETRIES) return undefined;
      this.#retries.set(key, retries + 1);
      return this.#h.retry(step, key, scope, signal);
    }
    if ('skip' in decided) {
      const reason = `error hook: ${decided.skip}`;
      return this.#h.finalise(step, key, scope, attempt, { status: 'skipped', output: null }, { reason });
    }
    if ('output' in decided) {
      const last = this.#h.last(key);
      const now = Date.now();
      this.#h.put({
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
      this.#h.publish(step, scope, 'completed', decided.output, error.toInfo(), attempt);
      return { status: 'completed', output: decided.output };
    }
    return undefined;
  }
}
