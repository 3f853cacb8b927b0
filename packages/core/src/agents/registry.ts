import { Semaphore } from '../engine/semaphore.js';
import { WeftError } from '../errors.js';
import { didYouMean } from '../util/did-you-mean.js';
import { a2aAgent } from './a2a.js';
import { commandAgent } from './command.js';
import { type AgentSetting, type Pricing, registrySettingSchema } from './config.js';
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
  /** Prices per million tokens: each invocation's cost is recorded beside its tokens. */
  pricing?: Pricing;
  /** Ask for streamed answers (adapters that can stream: openai). */
  stream?: boolean;
  /** What a question in the middle of a task waits for (a2a `input-required`). */
  input?: Partial<InputPolicy>;
}

/** What `AgentCallContext.askInput` waits for. */
export interface InputPolicy {
  via: 'event' | 'approval' | 'fail';
  /** The CloudEvent type that answers (`via: event`). */
  event: string;
  timeoutMs: number | undefined;
}

/** Lends a concurrency slot shared by every engine on the store (resilience/concurrency-slots.ts). */
export type SlotLender = (
  key: string,
  limit: number,
  wait: { signal: AbortSignal; onQueued?(reason: string): void },
) => Promise<() => void>;

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
  pricing: Pricing | undefined;
  stream: boolean;
  input: InputPolicy;
  /** In-process queue under `max_concurrency`, used when the engine has no shared slots. */
  readonly slots: Semaphore | undefined;
}

const DEFAULT_INPUT: InputPolicy = { via: 'event', event: 'agent.input', timeoutMs: undefined };

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
    case 'a2a':
      return a2aAgent(name, setting, secrets);
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
  #lend: SlotLender | undefined;

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
        pricing: undefined,
        stream: false,
        input: DEFAULT_INPUT,
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
        pricing: def.pricing,
        stream: def.stream === true,
        input: { ...DEFAULT_INPUT, ...def.input },
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
        pricing: setting.pricing,
        stream: setting.stream === true,
        input: {
          via: setting.on_input_required ?? DEFAULT_INPUT.via,
          event: setting.input_event ?? DEFAULT_INPUT.event,
          timeoutMs: setting.input_timeout,
        },
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

  /** `max_concurrency` counts across every engine sharing the store: slots `agent:<name>`. */
  useSlots(lend: SlotLender): void {
    this.#lend = lend;
  }

  /**
   * Waits for a slot under the agent's `max_concurrency` (shared through the store when the
   * engine gave its slots, else in this process); resolves with its release (idempotent).
   */
  async acquire(
    agent: RegisteredAgent,
    wait: { signal: AbortSignal; onQueued?(reason: string): void },
  ): Promise<() => void> {
    const limit = agent.maxConcurrency;
    if (limit === undefined) return () => {};
    let release: () => void;
    if (this.#lend) {
      release = await this.#lend(`agent:${agent.name}`, limit, wait);
    } else {
      const slots = agent.slots!;
      await slots.acquire();
      release = () => slots.release();
    }
    let released = false;
    return () => {
      if (!released) release();
      released = true;
    };
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
