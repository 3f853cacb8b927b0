import { connectMcpServers, type McpConnections } from '../agents/mcp.js';
import { AgentRegistry } from '../agents/registry.js';
import { WeftError } from '../errors.js';
import type { NotificationOptions } from '../notify/notify-types.js';
import type { ResilienceSettings } from '../resilience/resilience.js';
import { checkResilienceOptions, openResilience } from '../resilience/resilience-options.js';
import { builtinSkills } from '../skills/builtin/index.js';
import { loadSkillModules } from '../skills/load-modules.js';
import { SkillRegistry } from '../skills/registry.js';
import { createAgentStep } from '../steps/agent.js';
import { StepTypeRegistry } from '../steps/registry.js';
import type { StepType } from '../steps/types.js';
import { openStore } from '../store/open-store.js';
import { DEFAULT_MAX_CHAIN_LENGTH } from './chaining.js';
import { WeftEngine } from './engine.js';
import { HookRegistry } from './hooks/hook-registry.js';
import { loadHookModules } from './hooks/load-hook-modules.js';
import { engineLogger } from './log/engine-logger.js';
import { newOwnerId } from './owner.js';
import type { EngineOptions } from './types.js';

const SECRET_PREFIX = 'WEFT_SECRET_';

function secretsFromEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith(SECRET_PREFIX) && value !== undefined) out[key.slice(SECRET_PREFIX.length)] = value;
  }
  return out;
}

/**
 * Creates an engine on a store (migrating it to the current schema).
 * @example
 * const engine = await createEngine({ store: 'sqlite:.weft/weft.db' });
 * const run = await engine.start('examples/hello.yaml', { name: 'Ada' });
 * console.log(await run.result()); // { runId, status: 'completed', output, error: null }
 * await engine.close();
 */
export async function createEngine(options: EngineOptions): Promise<WeftEngine> {
  const cwd = options.cwd ?? process.cwd();
  const leaseMs = options.leaseMs ?? 30_000;
  if (!Number.isFinite(leaseMs) || leaseMs < 100) {
    throw new WeftError('invalid_config', `expected leaseMs to be at least 100 (ms), got ${leaseMs}`);
  }
  const maxDepth = options.maxDepth ?? 5;
  if (!Number.isInteger(maxDepth) || maxDepth < 1) {
    throw new WeftError('invalid_config', `expected maxDepth to be an integer >= 1, got ${maxDepth}`);
  }
  const maxChainLength = options.maxChainLength ?? DEFAULT_MAX_CHAIN_LENGTH;
  if (!Number.isInteger(maxChainLength) || maxChainLength < 1) {
    throw new WeftError(
      'invalid_config',
      `expected maxChainLength to be an integer >= 1, got ${maxChainLength}`,
    );
  }
  const { maxPauseMs } = options;
  if (maxPauseMs !== undefined && !(Number.isFinite(maxPauseMs) && maxPauseMs > 0)) {
    throw new WeftError(
      'invalid_config',
      `expected maxPauseMs to be a positive number (ms), got ${maxPauseMs}`,
    );
  }
  checkResilienceOptions(options);
  const skills = new SkillRegistry(builtinSkills);
  for (const skill of options.skills ?? []) skills.register(skill);
  if (options.skillModules?.length) {
    for (const skill of await loadSkillModules(options.skillModules, { cwd })) skills.register(skill);
  }
  const hooks = new HookRegistry(options.hookTimeoutMs);
  if (options.hooks) hooks.addSet(options.hooks);
  if (options.hookModules?.length) {
    const sets = await loadHookModules(options.hookModules, { cwd });
    for (const [index, set] of sets.entries())
      hooks.addSet(set, `hook module '${options.hookModules[index]}'`);
  }
  const secrets = { ...secretsFromEnv(process.env), ...options.secrets };
  const agents = new AgentRegistry(secrets);
  for (const [name, agent] of Object.entries(options.agents ?? {})) agents.register(name, agent);
  const stepTypes = new StepTypeRegistry().register(createAgentStep(agents, skills) as StepType);
  const store = typeof options.store === 'string' ? await openStore(options.store, { cwd }) : options.store;
  try {
    await store.migrate();
  } catch (error) {
    if (typeof options.store === 'string') await store.close().catch(() => {});
    throw WeftError.from(error, 'store_error');
  }
  let resilience: ResilienceSettings;
  try {
    resilience = await openResilience(options);
  } catch (error) {
    if (typeof options.store === 'string') await store.close().catch(() => {});
    throw error;
  }
  let mcp: McpConnections;
  try {
    mcp = await connectMcpServers(options.mcpServers ?? {}, { cwd });
    for (const skill of mcp.skills) skills.register(skill);
  } catch (error) {
    if (typeof options.store === 'string') await store.close().catch(() => {});
    throw error;
  }
  return new WeftEngine({
    mcp,
    store,
    skills,
    stepTypes,
    agents,
    secrets,
    cwd,
    leaseMs,
    owner: options.owner ?? newOwnerId(),
    maxDepth,
    maxChainLength,
    maxPauseMs,
    clock: options.clock,
    dlqRetentionMs: checkRetention(options.dlqRetentionMs),
    resilience,
    hooks,
    notifications: withSecret(options, secrets),
    logger: engineLogger(options),
  });
}

/** Notifications are signed with `notifications.secret`, else the secret `NOTIFY_SECRET`. */
function withSecret(options: EngineOptions, secrets: Record<string, string>): NotificationOptions {
  const secret = options.notifications?.secret ?? secrets.NOTIFY_SECRET;
  return secret === undefined ? { ...options.notifications } : { ...options.notifications, secret };
}

function checkRetention(ms: number | undefined): number | undefined {
  if (ms !== undefined && !(Number.isFinite(ms) && ms > 0)) {
    throw new WeftError('invalid_config', `expected dlqRetentionMs to be a positive number (ms), got ${ms}`);
  }
  return ms;
}
