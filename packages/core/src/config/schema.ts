import { z } from 'zod';
import { agentsSetting } from '../agents/config.js';
import { mcpServersSetting } from '../agents/mcp.js';
import { eventSourcesSetting } from '../events/sources/source-settings.js';
import { parseDuration } from '../util/duration.js';
import { notificationsSetting } from './notifications-setting.js';
import { circuitBreakersSetting, limitsSetting, redisSetting } from './resilience-settings.js';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Shortest lease accepted: the owner renews at a third of it. */
const MIN_LEASE_MS = 100;

const duration = z.unknown().transform((value, ctx) => {
  try {
    const ms = parseDuration(value);
    if (ms < MIN_LEASE_MS)
      ctx.addIssue({ code: 'custom', message: `expected at least ${MIN_LEASE_MS}ms, got '${value}'` });
    return ms;
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

// YAML reads `KEY: 12345` as a number; a secret is text either way.
const secretValue = z.union([z.string(), z.number(), z.boolean()]).transform(String);

/**
 * The settings of `weft.config.yaml`, as written (snake_case). Every key is optional; unknown keys
 * are errors. A new setting is one line here plus one line in `toConfig` (load-config.ts).
 */
export const configFileSchema = z
  .strictObject({
    store: z.string().min(1),
    skills: z.array(z.string().min(1)),
    secrets: z.record(
      z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a name like API_KEY'),
      secretValue,
    ),
    lease: duration,
    max_pause: duration,
    dlq_retention: duration,
    log_level: z.enum(LOG_LEVELS),
    hooks: z.array(z.string().min(1)),
    hook_timeout: duration,
    notifications: notificationsSetting,
    circuit_breakers: circuitBreakersSetting,
    redis: redisSetting,
    limits: limitsSetting,
    agents: agentsSetting,
    mcp_servers: mcpServersSetting,
    event_sources: eventSourcesSetting,
    workflows: z.string().min(1),
  })
  .partial();

export type ConfigFile = z.output<typeof configFileSchema>;

/** Names of the top-level settings, for did-you-mean on unknown keys. */
export const SETTING_NAMES: readonly string[] = Object.keys(configFileSchema.shape);
