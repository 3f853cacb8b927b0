/** Token counts an adapter reports for one invocation (summed over its model turns). */
export interface AgentUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** A tool the model may call: a Weft skill allowed by the agent's `tools` and the step's guardrails. */
export interface AgentTool {
  name: string;
  description?: string;
  /** JSON Schema of the tool's arguments. */
  parameters: Record<string, unknown>;
}

/** What an agent step asks of an adapter. */
export interface AgentRequest {
  /** The agent's name (registry key), for messages. */
  agent: string;
  /** The agent's default system prompt / instructions. */
  system?: string;
  prompt: string;
  /** Extra structured input (`inputs:` of the step). */
  inputs: unknown;
  /** Set when the step has `output_schema`: the answer must be JSON matching it. */
  outputSchema?: Record<string, unknown>;
  /** The tools the model may call (already filtered by both allow-lists). */
  tools: AgentTool[];
  guardrails: { maxIterations?: number; maxTokens?: number };
  /** Stream the answer (`stream: true` on the step or agent): text goes to `ctx.progress` as it comes. */
  stream?: boolean;
}

/** Services the step gives an adapter for one invocation; guardrails are enforced here. */
export interface AgentCallContext {
  /** Fires on timeout (`timeout`), cancel, or a guardrail the step enforces. */
  readonly signal: AbortSignal;
  /** The directory relative paths resolve against (command agents). */
  readonly cwd: string;
  /** Call before each model turn; throws `max_iterations_exceeded` past the guardrail. */
  turn(): void;
  /** Adds reported usage; throws `max_tokens_exceeded` past the guardrail. */
  usage(usage: Partial<AgentUsage>): void;
  /**
   * Runs a tool the model asked for. A tool that is not allowed or unknown is refused: the result
   * is `{ error: { code: 'tool_not_allowed', message } }`, to be returned to the model. A tool that
   * throws gives `{ error: { code, message } }` too.
   */
  callTool(name: string, args: unknown): Promise<unknown>;
  /** Streamed model output: the next piece of the answer's text, sent on as a `step.progress` event. */
  progress(text: string): void;
  /**
   * What this adapter saved with `save` in this attempt before its process stopped (the step
   * is resumed); undefined otherwise. Lets a durable wait go on with the same remote task.
   */
  readonly saved: Record<string, unknown> | undefined;
  /** Saves state on the step's record (committed with it); see `saved`. */
  save(state: Record<string, unknown>): void;
  /**
   * Pauses the step as `waiting` until an event or an approval answers the agent's question
   * (a2a `input-required`), as the agent's `on_input_required` says. `round` numbers the
   * questions of this attempt from 1; `details` are kept on the wait (task ids). The agent's
   * concurrency slot and its timeout are let go meanwhile. Fails when nothing may answer
   * (`on_input_required: fail`) or the wait times out.
   */
  askInput(question: AgentQuestion): Promise<AgentAnswer>;
}

/** A question an agent asks in the middle of a task. */
export interface AgentQuestion {
  text: string;
  round: number;
  details: Record<string, unknown>;
}

/** The answer to an AgentQuestion: an event's data, or a person's decision. */
export type AgentAnswer =
  | { kind: 'event'; data: unknown; event: { id: string; type: string; source: string } }
  | { kind: 'approval'; approved: boolean; by: string | null; comment: string | null; data: unknown };

/** What an adapter answers: the final text (JSON text when an output schema was asked for). */
export interface AgentResponse {
  text: string;
  /** Already-parsed structured answer (protocols that return JSON); preferred over `text`. */
  json?: unknown;
}

/**
 * One way of reaching an agent (one file per adapter). Throw `WeftError('agent_error', ...)` for
 * protocol failures; `details.retriable: false` marks an answer that a retry will not change.
 */
export interface AgentAdapter {
  readonly type: string;
  invoke(request: AgentRequest, ctx: AgentCallContext): Promise<AgentResponse>;
}
