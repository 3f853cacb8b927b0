import type { StepList } from '../../engine/plan-types.js';
import { WeftError } from '../../errors.js';
import { LOOP_BINDING, type Scope } from '../../expr/index.js';
import type { StepContext } from '../types.js';
import { type LinkedAbort, linkedAbort } from './abort.js';
import { eachLimited } from './limit.js';
import { extendScope } from './scope.js';

export type LoopOnError = 'stop' | 'continue' | 'collect';

export interface IterationOptions {
  body: StepList;
  as: string | undefined;
  onError: LoopOnError;
}

/**
 * The iterations of one loop execution: their scopes, outputs and failures, and the `on_error`
 * policy (`stop` cancels the iterations in flight at the first failure).
 */
export class Iterations {
  readonly #ctx: StepContext;
  readonly #options: IterationOptions;
  readonly #stop: LinkedAbort;
  readonly #outputs: unknown[] = [];
  readonly #errors: { index: number; error: WeftError }[] = [];
  #failure: WeftError | undefined;
  /** The scope of the last iteration run (sequential), for `while`/`until` and the next iteration. */
  last: Scope | undefined;

  constructor(ctx: StepContext, options: IterationOptions) {
    this.#ctx = ctx;
    this.#options = options;
    this.#stop = linkedAbort(ctx.signal);
  }

  /** Runs one iteration after the previous one; false when the loop must stop. */
  async next(index: number, item: unknown): Promise<boolean> {
    this.last = await this.#run(index, item, this.last ?? this.#ctx.scope);
    return !this.#stopped();
  }

  /** A failure under `stop`, or the loop itself cancelled (timeout, run cancelled): start no more. */
  #stopped(): boolean {
    return this.#failure !== undefined || this.#stop.signal.aborted;
  }

  /** Runs one iteration per item, at most `max` at once; each starts from the loop's scope. */
  async parallel(items: readonly unknown[], max: number | undefined): Promise<void> {
    await eachLimited(
      items.length,
      max,
      async (index) => {
        await this.#run(index, items[index], this.#ctx.scope);
      },
      () => !this.#stopped(),
    );
  }

  async #run(index: number, item: unknown, from: Scope): Promise<Scope> {
    const { body, as } = this.#options;
    const binding: Scope = { steps: { ...(from.steps as Scope) }, [LOOP_BINDING]: { item, index } };
    if (as !== undefined) binding[as] = item;
    const scope = extendScope(this.#ctx.scope, binding);
    const keyPrefix = `${this.#ctx.stepKey}[${index}].`;
    const result = await this.#ctx.runList(body, { keyPrefix, scope, signal: this.#stop.signal });
    this.#outputs[index] = result.error ? null : result.lastOutput;
    if (result.error) this.#failed(index, result.error);
    return scope;
  }

  #failed(index: number, error: WeftError): void {
    const { onError } = this.#options;
    if (onError === 'continue') return;
    if (onError === 'collect') {
      this.#errors.push({ index, error });
      return;
    }
    if (this.#failure) return; // an iteration cancelled because another one failed
    this.#failure = error;
    const reason = `step '${this.#ctx.stepKey}': iteration ${index} failed (on_error: stop)`;
    this.#stop.abort(new WeftError('cancelled', reason));
  }

  /** The loop's output, or the error it fails with (`stop`: the first; `collect`: all of them). */
  result(): unknown[] {
    if (this.#failure) throw this.#failure;
    if (this.#errors.length > 0) throw this.#collected();
    return Array.from(this.#outputs, (output) => output ?? null);
  }

  #collected(): WeftError {
    const errors = [...this.#errors].sort((a, b) => a.index - b.index);
    const first = errors[0]!.error;
    const list = errors.map(({ index, error }) => `[${index}] ${error.message}`).join('; ');
    const count = `${errors.length} of ${this.#outputs.length} iterations failed`;
    return new WeftError(first.code, `step '${this.#ctx.stepKey}': ${count}: ${list}`, {
      details: { errors: errors.map(({ index, error }) => ({ ...error.toInfo(), index })) },
    });
  }

  dispose(): void {
    this.#stop.dispose();
  }
}
