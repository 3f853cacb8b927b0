import { z } from 'zod';
import type { BreakerPolicySettings, CircuitBreakerSettings } from '../resilience/breaker-policy.js';
import type { LimitSettings } from '../resilience/concurrency-policy.js';
import type { RedisSettings } from '../resilience/redis/redis-connection.js';
import { parseDuration } from '../util/duration.js';

function shown(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'a list' : 'a mapping';
}

/** An integer >= 1 (limits, thresholds, call counts). */
const count = z.unknown().transform((value, ctx) => {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1) return value;
  ctx.addIssue({ code: 'custom', message: `expected an integer >= 1, got ${shown(value)}` });
  return z.NEVER;
});

const fraction = z.unknown().transform((value, ctx) => {
  if (typeof value === 'number' && value > 0 && value <= 1) return value;
  ctx.addIssue({
    code: 'custom',
    message: `expected a fraction of calls above 0 and at most 1 (0.5 is half), got ${shown(value)}`,
  });
  return z.NEVER;
});

/** A duration longer than zero, in ms. */
const span = z.unknown().transform((value, ctx) => {
  try {
    const ms = parseDuration(value);
    if (ms > 0) return ms;
    ctx.addIssue({ code: 'custom', message: `expected a duration longer than 0, got ${shown(value)}` });
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
  return z.NEVER;
});

const breakerPolicy = z
  .strictObject({
    failure_threshold: count,
    failure_rate: fraction,
    window: span,
    min_calls: count,
    open_for: span,
    half_open_max_calls: count,
  })
  .partial()
  .transform(
    (p): BreakerPolicySettings =>
      defined({
        failureThreshold: p.failure_threshold,
        failureRate: p.failure_rate,
        windowMs: p.window,
        minCalls: p.min_calls,
        openForMs: p.open_for,
        halfOpenMaxCalls: p.half_open_max_calls,
      }),
  );

/** `circuit_breakers: { default: {...}, targets: { <host or agent>: {...} } }` (docs/config.md). */
export const circuitBreakersSetting = z
  .strictObject({ default: breakerPolicy, targets: z.record(z.string().min(1), breakerPolicy) })
  .partial()
  .transform((c): CircuitBreakerSettings => defined({ default: c.default, targets: c.targets }));

/** `limits: { running_runs, running_steps, skills: { <skill>: n } }`. */
export const limitsSetting = z
  .strictObject({ running_runs: count, running_steps: count, skills: z.record(z.string().min(1), count) })
  .partial()
  .transform(
    (l): LimitSettings =>
      defined({ runningRuns: l.running_runs, runningSteps: l.running_steps, skills: l.skills }),
  );

const REDIS_URL = /^rediss?:\/\//;

/** `redis: redis://host:6379` or `redis: { url, key_prefix }`. */
export const redisSetting = z.unknown().transform((value, ctx): RedisSettings => {
  const fields = typeof value === 'string' ? { url: value } : (value as Record<string, unknown> | null);
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a redis:// URL or a mapping { url, key_prefix }, got ${shown(value)}`,
    });
    return z.NEVER;
  }
  const unknown = Object.keys(fields).filter((key) => key !== 'url' && key !== 'key_prefix');
  if (unknown.length > 0)
    ctx.addIssue({ code: 'custom', message: `unknown key '${unknown[0]}' (expected url, key_prefix)` });
  const { url, key_prefix: keyPrefix } = fields as { url?: unknown; key_prefix?: unknown };
  if (typeof url !== 'string' || !REDIS_URL.test(url)) {
    ctx.addIssue({ code: 'custom', message: `expected a redis:// or rediss:// URL, got ${shown(url)}` });
  }
  if (keyPrefix !== undefined && (typeof keyPrefix !== 'string' || keyPrefix === '')) {
    ctx.addIssue({
      code: 'custom',
      message: `key_prefix: expected a non-empty string, got ${shown(keyPrefix)}`,
    });
  }
  return defined({ url: String(url), keyPrefix: keyPrefix as string | undefined });
});

/** Drops keys whose value is undefined, so parsed settings compare equal to what was written. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
