import { WeftError } from '../errors.js';
import type { SkillRegistry } from '../skills/registry.js';
import type { RegisteredAgent } from './registry.js';
import type { AgentAnswer, AgentCallContext, AgentQuestion, AgentUsage } from './types.js';
import { costOf } from './usage.js';

export interface CallContextOptions {
  agent: RegisteredAgent;
  skills: SkillRegistry;
  /** Tools allowed by both the agent's `tools` and the step's `allowed_tools`. */
  allowed: ReadonlySet<string>;
  maxIterations: number | undefined;
  maxTokens: number | undefined;
  /** Per invocation (ms): `guardrails.timeout`, else the agent's `timeout`. */
  timeoutMs: number | undefined;
  /** The step's signal (engine timeout, cancel). */
  signal: AbortSignal;
  cwd: string;
  runSkill(name: string, input: unknown): Promise<unknown>;
  warn(message: string): void;
  /** Streamed text of the answer (`step.progress`). */
  progress(text: string): void;
  /** What the adapter saved in this attempt before its process stopped. */
  saved: Record<string, unknown> | undefined;
  save(state: Record<string, unknown>): void;
  /** Waits for the answer to a question (the step's durable wait). */
  askInput(question: AgentQuestion): Promise<AgentAnswer>;
}

/** One step attempt's guardrails and accounting around an adapter; `meta()` is the step's record meta. */
export class GuardedCall {
  readonly usage: AgentUsage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
  iterations = 0;
  readonly toolCalls: { tool: string; refused?: string; error?: string }[] = [];
  readonly #controller = new AbortController();
  readonly #o: CallContextOptions;
  #timer: NodeJS.Timeout | undefined;
  /** Time left of `timeoutMs` when the timer was stopped for a question. */
  #left: number | undefined;
  #deadline = 0;
  readonly #onAbort = () => this.#controller.abort(this.#o.signal.reason);

  constructor(options: CallContextOptions) {
    this.#o = options;
    if (options.signal.aborted) this.#onAbort();
    else options.signal.addEventListener('abort', this.#onAbort, { once: true });
    if (options.timeoutMs !== undefined) this.#arm(options.timeoutMs);
  }

  #arm(ms: number): void {
    this.#deadline = Date.now() + ms;
    this.#timer = setTimeout(() => {
      const message = `agent '${this.#o.agent.name}' did not finish within ${this.#o.timeoutMs}ms (guardrails.timeout)`;
      this.#controller.abort(new WeftError('timeout', message));
    }, ms);
  }

  /** Runs `work` (a wait for a person or an event) with the timeout stopped: waiting is not working. */
  async paused<T>(work: () => Promise<T>): Promise<T> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#left = Math.max(0, this.#deadline - Date.now());
    }
    try {
      return await work();
    } finally {
      if (this.#left !== undefined && !this.#controller.signal.aborted) this.#arm(this.#left);
      this.#left = undefined;
    }
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The context handed to the adapter. */
  context(): AgentCallContext {
    const o = this.#o;
    const name = o.agent.name;
    return {
      signal: this.#controller.signal,
      cwd: o.cwd,
      turn: () => {
        this.iterations++;
        if (o.maxIterations !== undefined && this.iterations > o.maxIterations) {
          const message = `agent '${name}' needed more than ${o.maxIterations} model turns (guardrails.max_iterations)`;
          throw new WeftError('max_iterations_exceeded', message, {
            details: { usage: { ...this.usage }, iterations: this.iterations - 1 },
          });
        }
      },
      usage: (reported) => {
        const p = Number(reported.prompt_tokens) || 0;
        const c = Number(reported.completion_tokens) || 0;
        this.usage.prompt_tokens += p;
        this.usage.completion_tokens += c;
        this.usage.total_tokens += Number(reported.total_tokens) || p + c;
        if (o.maxTokens !== undefined && this.usage.total_tokens > o.maxTokens) {
          const message = `agent '${name}' used ${this.usage.total_tokens} tokens, more than ${o.maxTokens} (guardrails.max_tokens)`;
          throw new WeftError('max_tokens_exceeded', message, { details: { usage: { ...this.usage } } });
        }
      },
      callTool: async (tool, args) => {
        const known = o.skills.get(tool) !== undefined;
        if (!o.allowed.has(tool) || !known) {
          this.toolCalls.push({ tool, refused: 'tool_not_allowed' });
          o.warn(`agent '${name}' asked for tool '${tool}': refused`);
          const message = known
            ? `tool '${tool}' is not allowed for this step`
            : `there is no tool '${tool}'`;
          return { error: { code: 'tool_not_allowed', message } };
        }
        try {
          const result = await o.runSkill(tool, args ?? {});
          this.toolCalls.push({ tool });
          return result === undefined ? null : result;
        } catch (error) {
          if (this.#controller.signal.aborted) throw error;
          // A tool that throws is reported to the model, which may try another way.
          const failure = WeftError.from(error, 'skill_error');
          this.toolCalls.push({ tool, error: failure.code });
          return { error: { code: failure.code, message: failure.message } };
        }
      },
      progress: (text) => {
        if (text) o.progress(text);
      },
      saved: o.saved,
      save: (state) => o.save(state),
      askInput: (question) => this.paused(() => o.askInput(question)),
    };
  }

  /** What the step record's meta holds: usage stays out of the output. */
  meta(): Record<string, unknown> {
    const pricing = this.#o.agent.pricing;
    return {
      agent: this.#o.agent.name,
      usage: { ...this.usage },
      ...(pricing ? { cost: costOf(this.usage, pricing) } : {}),
      ...(pricing?.currency ? { currency: pricing.currency } : {}),
      iterations: this.iterations,
      ...(this.toolCalls.length > 0 ? { tool_calls: this.toolCalls } : {}),
    };
  }

  /** The error to fail with: the abort reason when the signal fired, with the usage so far. */
  failure(error: unknown): WeftError {
    const signal = this.#controller.signal;
    const failure = WeftError.from(signal.aborted ? (signal.reason ?? error) : error, 'agent_error');
    if (failure.details.usage === undefined) failure.details.usage = { ...this.usage };
    return failure;
  }

  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#o.signal.removeEventListener('abort', this.#onAbort);
  }
}
