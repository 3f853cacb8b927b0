import { WeftError } from '../errors.js';
import type { Evaluable } from '../expr/index.js';
import { parseDuration } from '../util/duration.js';

export type CacheScope = 'global' | 'workflow' | 'user';

/** A step's `cache:` compiled (SPEC section 4). */
export interface CachePolicy {
  /** undefined: a hash of the skill (or agent) name and its resolved inputs. */
  key: Evaluable | undefined;
  /** undefined: kept until cleared. */
  ttlMs: number | undefined;
  scope: CacheScope;
  /** Evaluated before the call: false skips the cache (no lookup, nothing stored). */
  when: Evaluable<boolean> | undefined;
}

export interface CachePolicyCompiler {
  value(value: unknown, field: string): Evaluable;
  condition(value: unknown, field: string): Evaluable<boolean>;
}

/** Compiles `cache: { key, ttl, scope, when }`; expressions go through the step's compile context. */
export function compileCachePolicy(
  definition: unknown,
  path: string,
  ctx: CachePolicyCompiler,
): CachePolicy | undefined {
  if (definition === undefined) return undefined;
  const cache = (definition ?? {}) as Record<string, unknown>;
  let ttlMs: number | undefined;
  if (cache.ttl !== undefined) {
    try {
      ttlMs = parseDuration(cache.ttl);
    } catch (error) {
      throw new WeftError('invalid_document', `${path}.cache.ttl: ${(error as Error).message}`);
    }
    if (ttlMs <= 0)
      throw new WeftError('invalid_document', `${path}.cache.ttl: expected a duration longer than 0`);
  }
  return {
    key: cache.key === undefined ? undefined : ctx.value(cache.key, 'cache.key'),
    ttlMs,
    scope: (cache.scope as CacheScope | undefined) ?? 'workflow',
    when: cache.when === undefined ? undefined : ctx.condition(cache.when, 'cache.when'),
  };
}
