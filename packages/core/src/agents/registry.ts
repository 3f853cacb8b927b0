import { Semaphore } from '../engine/semaphore.js';
import { WeftError } from '../errors.js';
import { didYouMean } from '../util/did-you-mean.js';
import { commandAgent } from './command.js';
import { type AgentSetting, registrySettingSchema } from './config.js';
import { jsonrpcAgent } from './jsonrpc.js';
import { openaiAgent } from './openai.js';
import type { AgentAdapter } from './types.js';

/** An adapter written in code, with the registry settings that apply around it. */
export interface AgentDefinition {
  adapter: AgentAdapter;
  system?: string;
  /** Skills the agent may call as tools; undefined: none. */
  tools?: string[];
  /** Invocations at once in this process; more wait in arrival order. */
  maxConcurrency?: number;
  /** Per invocation (ms); the step's `guardrails.timeout` wins. */
  timeout?: number;
  /** The `retry` (SPEC section 4 shape) of agent steps that set none. */
  retry?: Record<string, unknown>;
}

/** A registered agent. Holds no secret in a readable field: keys live inside the adapter. */
export interface RegisteredAgent {
  name: string;
  type: string;
  adapter: AgentAdapter;
  system: string | undefined;
  tools: readonly string[];
  maxConcurrency: number | undefined;
  timeout: number | undefined;
  retry: Record<string, unknown> | undefined;
  /** Shown by `weft agents list`: model / URL / command, never the key. */
  target: string;
  readonly slots: Semaphore | undefined;
}

/** Builds an adapter from a config setting (`agents:` in weft.config.yaml). */
export function adapterFor(
  name: string,
  setting: AgentSetting,
  secrets: Readonly<Record<string, string>>,
): AgentAdapter {
  switch (setting.type) {
    case 'openai':
      return openaiAgent(name, setting, secrets);
    case 'jsonrpc':
      return jsonrpcAgent(name, setting, secrets);
    case 'command':
      return commandAgent(name, setting);
  }
}

function targetOf(setting: AgentSetting): string {
  if (setting.command) return setting.command.join(' ');
  return [setting.model, setting.base_url ?? setting.url].filter(Boolean).join(' @ ');
}

/** Runs `work` through the circuit breaker of `target` (the engine's `CircuitBreakers.guard`). */
export type BreakerGuard = <T>(target: string, work: () => Promise<T>, signal: AbortSignal) => Promise<T>;

// Guardrail violations say nothing about the agent's health: they do not trip its breaker.
const GUARDRAIL_CODES = new Set(['max_iterations_exceeded', 'max_tokens_exceeded']);

/**
 * The agents an engine can invoke, by name.
 * @example registry.register('reviewer', { type: 'openai', base_url, model, api_key: '${ secrets.OPENAI }' })
 */
export class AgentRegistry {
  readonly #agents = new Map<string, RegisteredAgent>();
  readonly #secrets: Readonly<Record<string, string>>;
  #breakers: BreakerGuard | undefined;

  constructor(secrets: Readonly<Record<string, string>> = {}) {
    this.#secrets = secrets;
  }

  /** Adds an agent from a config setting or an adapter in code; a taken name throws `invalid_config`. */
  register(name: string, agent: AgentDefinition | AgentAdapter | Record<string, unknown>): this {
    if (this.#agents.has(name)) {
      throw new WeftError(
        'invalid_config',
        `agent '${name}' is already registered; agent names must be unique`,
      );
    }
    let entry: Omit<RegisteredAgent, 'slots'>;
    if ('invoke' in agent && typeof agent.invoke === 'function') {
      const adapter = agent as AgentAdapter;
      entry = {
        name,
        type: adapter.type,
        adapter,
        system: undefined,
        tools: [],
        maxConcurrency: undefined,
        timeout: undefined,
        retry: undefined,
        target: '(code)',
      };
    } else if ('adapter' in agent) {
      const def = agent as AgentDefinition;
      entry = {
        name,
        type: def.adapter.type,
        adapter: def.adapter,
        system: def.system,
        tools: def.tools ?? [],
        maxConcurrency: def.maxConcurrency,
        timeout: def.timeout,
        retry: def.retry,
        target: '(code)',
      };
    } else {
      const parsed = registrySettingSchema.safeParse(agent);
      if (!parsed.success) {
        const why = parsed.error.issues
          .map((i) => `${i.path.join('.') || '(agent)'}: ${i.message}`)
          .join('; ');
        throw new WeftError('invalid_config', `agent '${name}': ${why}`);
      }
      const setting = parsed.data;
      entry = {
        name,
        type: setting.type,
        adapter: adapterFor(name, setting, this.#secrets),
        system: setting.system,
        tools: setting.tools ?? [],
        maxConcurrency: setting.max_concurrency,
        timeout: setting.timeout,
        retry: setting.retry,
        target: targetOf(setting),
      };
    }
    const slots = entry.maxConcurrency === undefined ? undefined : new Semaphore(entry.maxConcurrency);
    this.#agents.set(name, { ...entry, slots });
    return this;
  }

  get(name: string): RegisteredAgent | undefined {
    return this.#agents.get(name);
  }

  /** The agent, or `not_found` with the closest name when it is probably a typo. */
  require(name: string): RegisteredAgent {
    const agent = this.#agents.get(name);
    if (agent) return agent;
    throw new WeftError('not_found', `unknown agent '${name}'${didYouMean(name, this.#agents.keys())}`, {
      details: { agent: name },
    });
  }

  /** Agents become circuit breaker targets by name (`circuit_breakers.targets.<agent>`). */
  useBreakers(guard: BreakerGuard): void {
    this.#breakers = guard;
  }

  /** Runs one invocation of `agent` through its breaker, when breakers are in use. */
  async guard<T>(agent: string, work: () => Promise<T>, signal: AbortSignal): Promise<T> {
    const breakers = this.#breakers;
    if (!breakers) return work();
    const outcome = await breakers(
      agent,
      async () => {
        try {
          return { value: await work() };
        } catch (error) {
          if (error instanceof WeftError && GUARDRAIL_CODES.has(error.code)) return { guardrail: error };
          throw error;
        }
      },
      signal,
    );
    if ('guardrail' in outcome) throw outcome.guardrail;
    return outcome.value;
  }

  names(): ReadonlySet<string> {
    return new Set(this.#agents.keys());
  }

  list(): RegisteredAgent[] {
    return [...this.#agents.values()];
  }
}
