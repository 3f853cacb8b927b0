import type { CircuitBreakerSettings } from './breaker-policy.js';
import { checkBreakerSettings } from './breaker-policy.js';
import { checkLimitSettings, type LimitSettings } from './concurrency-policy.js';
import { connectRedis, type RedisSettings } from './redis/redis-connection.js';
import type { ResilienceSettings } from './resilience.js';

/** The resilience part of `EngineOptions` (weft.config.yaml: circuit_breakers, limits, redis). */
export interface ResilienceOptionsInput {
  circuitBreakers?: CircuitBreakerSettings;
  limits?: LimitSettings;
  redis?: RedisSettings | string;
  slotPollMs?: number;
}

/** Throws `invalid_config` for bad numbers, before anything is opened. */
export function checkResilienceOptions(options: ResilienceOptionsInput): void {
  if (options.circuitBreakers) checkBreakerSettings(options.circuitBreakers);
  if (options.limits) checkLimitSettings(options.limits);
}

/** Connects to Redis when it is configured (ioredis is loaded only then). */
export async function openResilience(options: ResilienceOptionsInput): Promise<ResilienceSettings> {
  const redis =
    options.redis === undefined
      ? undefined
      : await connectRedis(typeof options.redis === 'string' ? { url: options.redis } : options.redis);
  return {
    circuitBreakers: options.circuitBreakers,
    limits: options.limits,
    redis,
    slotPollMs: options.slotPollMs,
  };
}
