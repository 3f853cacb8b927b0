import { WeftError } from '../../errors.js';
import {
  HOOK_POINTS,
  type HookContexts,
  type HookFn,
  type HookPoint,
  type HookResults,
  type HookSet,
} from './hook-types.js';

/** A hook threw or ran out of time: recorded on the run as `hook.failed`. */
export type HookFailure = (point: HookPoint, message: string) => void;

type AnyHook = (context: unknown) => unknown;

export const DEFAULT_HOOK_TIMEOUT_MS = 5_000;

/**
 * The hooks of an engine. `has(point)` is a boolean check so call sites build nothing when no
 * hook is registered; `call` never throws: a failing hook is reported and its result ignored.
 */
export class HookRegistry {
  // Stored untyped: `add` and `call` keep each point's function and context types together.
  readonly #byPoint = new Map<HookPoint, AnyHook[]>();
  readonly #timeoutMs: number;

  constructor(timeoutMs = DEFAULT_HOOK_TIMEOUT_MS) {
    if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
      throw new WeftError(
        'invalid_config',
        `expected hookTimeoutMs to be a positive number (ms), got ${timeoutMs}`,
      );
    }
    this.#timeoutMs = timeoutMs;
  }

  add<P extends HookPoint>(point: P, fn: HookFn<P>): void {
    if (!HOOK_POINTS.includes(point)) {
      throw new WeftError(
        'invalid_config',
        `expected a hook point (${HOOK_POINTS.join(', ')}), got '${String(point)}'`,
      );
    }
    if (typeof fn !== 'function') {
      throw new WeftError('invalid_config', `expected hook '${point}' to be a function, got ${typeof fn}`);
    }
    this.#byPoint.set(point, [...(this.#byPoint.get(point) ?? []), fn as unknown as AnyHook]);
  }

  addSet(set: HookSet, where = 'hooks'): void {
    for (const [point, value] of Object.entries(set)) {
      if (!HOOK_POINTS.includes(point as HookPoint)) {
        throw new WeftError(
          'invalid_config',
          `${where}: unknown hook point '${point}' (expected ${HOOK_POINTS.join(', ')})`,
        );
      }
      for (const fn of Array.isArray(value) ? value : [value])
        this.add(point as HookPoint, fn as unknown as HookFn<HookPoint>);
    }
  }

  has(point: HookPoint): boolean {
    return this.#byPoint.has(point);
  }

  /** Runs the point's hooks in order; the first one that returns something decides. */
  async call<P extends HookPoint>(
    point: P,
    context: HookContexts[P],
    onFailure: HookFailure,
  ): Promise<HookResults[P] | undefined> {
    for (const fn of this.#byPoint.get(point) ?? []) {
      const result = await this.#one(point, fn as unknown as HookFn<P>, context, onFailure);
      if (result !== undefined && result !== null) return result;
    }
    return undefined;
  }

  async #one<P extends HookPoint>(
    point: P,
    fn: HookFn<P>,
    context: HookContexts[P],
    onFailure: HookFailure,
  ): Promise<HookResults[P] | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`hook '${point}' timed out after ${this.#timeoutMs}ms`)),
        this.#timeoutMs,
      );
    });
    try {
      return (await Promise.race([Promise.resolve().then(() => fn(context)), timeout])) ?? undefined;
    } catch (error) {
      onFailure(point, error instanceof Error ? error.message : String(error));
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}
