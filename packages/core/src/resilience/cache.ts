import { WeftError } from '../errors.js';
import type { Evaluable } from '../expr/index.js';
import { defaultCacheKey, keyText } from './cache-key.js';
import type { CachePolicy } from './cache-policy.js';
import type { CacheEntry, CacheStore } from './cache-store.js';

export interface CacheCall {
  workflow: string;
  /** `user` of the run's meta, for `scope: user`. */
  user: string | undefined;
  /** The skill or agent called, and its resolved inputs (the default key). */
  name: string;
  input: unknown;
  stepKey: string;
  evaluate<T>(value: Evaluable<T>): T;
}

/** Expired entries are swept at most this often, on a write. */
const SWEEP_EVERY_MS = 3_600_000;

/**
 * Step results by key, in a CacheStore (the store or Redis). Keys are scoped:
 * `global:<key>`, `workflow:<workflow name>:<key>`, `user:<user>:<key>`.
 * @example const key = cache.keyFor(step.cache, call); const hit = key && (await cache.get(key));
 */
export class StepCache {
  readonly #store: CacheStore;
  readonly #now: () => number;
  #sweptAt = 0;

  constructor(options: { store: CacheStore; now?: () => number }) {
    this.#store = options.store;
    this.#now = options.now ?? Date.now;
  }

  /** The full key of this call, or undefined when the policy's `when` is false. */
  keyFor(policy: CachePolicy, call: CacheCall): string | undefined {
    if (policy.when && call.evaluate(policy.when) !== true) return undefined;
    const key = policy.key ? keyText(call.evaluate(policy.key)) : defaultCacheKey(call.name, call.input);
    switch (policy.scope) {
      case 'global':
        return `global:${key}`;
      case 'user':
        if (call.user === undefined) {
          throw new WeftError(
            'invalid_input',
            `step '${call.stepKey}' caches per user (cache.scope: user) but the run has no user in its meta`,
          );
        }
        return `user:${call.user}:${key}`;
      default:
        return `workflow:${call.workflow}:${key}`;
    }
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    return this.#store.get(key, this.#now());
  }

  async put(key: string, value: unknown, ttlMs: number | undefined): Promise<void> {
    const now = this.#now();
    await this.#store.put({
      key,
      value: value === undefined ? null : value,
      createdAt: now,
      expiresAt: ttlMs === undefined ? null : now + ttlMs,
    });
    if (now - this.#sweptAt >= SWEEP_EVERY_MS) {
      this.#sweptAt = now;
      await this.#store.clear({ expiredAt: now });
    }
  }

  list(prefix?: string, limit?: number): Promise<CacheEntry[]> {
    return this.#store.list({ prefix, now: this.#now(), limit });
  }

  clear(prefix?: string): Promise<number> {
    return this.#store.clear({ prefix });
  }
}
