import type { PlanStep, StepList } from '../engine/plan-types.js';
import type { Evaluable, Scope } from '../expr/index.js';
import type { SkillRegistry } from '../skills/registry.js';
import type { SkillLogger } from '../skills/types.js';

/** Given to a step type while a plan is compiled. */
export interface CompileContext {
  /** Where the step stands (`steps[2]`), for messages. */
  path: string;
  skills: SkillRegistry;
  /** Compiles a nested list of step definitions (for composite types). */
  compileList(definitions: readonly Record<string, unknown>[], path: string): StepList;
  value(value: unknown, field: string): Evaluable;
  condition(value: unknown, field: string): Evaluable<boolean>;
}

/** What a finished step produced. */
export interface StepResult {
  output: unknown;
  meta?: Record<string, unknown>;
}

/** Given to a step type while it executes one attempt. */
export interface StepContext {
  readonly runId: string;
  readonly workflow: string;
  readonly stepKey: string;
  readonly attempt: number;
  /** Fires on timeout, cancel and lost lease; its reason is the WeftError to fail with. */
  readonly signal: AbortSignal;
  readonly scope: Scope;
  readonly cwd: string;
  readonly logger: SkillLogger;
  /** Evaluates an expression; a failure becomes `expression_error` naming this step. */
  evaluate<T>(value: Evaluable<T>): T;
  /** Records the resolved inputs of this attempt (secrets are redacted before storing). */
  recordInput(input: unknown): void;
  /** Runs a skill with this attempt's context (signal, idempotency key, logger). */
  runSkill(name: string, input: unknown): Promise<unknown>;
  /** Writes run variables (`${ vars.x }`). */
  setVars(values: Record<string, unknown>): void;
  /**
   * Runs a nested list through the run's executor (composite types). Step keys are
   * `keyPrefix + id` (`each[3].`, `quotes.fast.`). `signal` (default: this step's) stops the list:
   * steps not started yet are `cancelled`, running ones see their AbortSignal fire.
   */
  runList(
    list: StepList,
    options: { keyPrefix: string; scope?: Scope; signal?: AbortSignal },
  ): Promise<ListResult>;
  /**
   * Waits durably (timer, event, approval): the wait is stored, survives restarts, and a resumed
   * run waits for the same deadline again. The step shows as `waiting` meanwhile.
   */
  wait(request: WaitRequest): Promise<WaitOutcome>;
  /**
   * Keeps the run going until `work` settles, after this step has ended (parallel `wait_for: none`).
   * `work` gets the enclosing list's signal; a rejection fails the run once everything else has ended.
   */
  background(work: (signal: AbortSignal) => Promise<unknown>): void;
}

/** Given to `replay`: a composite can restart work that outlived its recorded result. */
export type ReplayContext = Pick<StepContext, 'stepKey' | 'scope' | 'setVars' | 'runList' | 'background'>;

/** A CloudEvents-shaped event (SPEC section 2, `event`). */
export interface CloudEvent {
  id: string;
  type: string;
  source: string;
  time: string;
  data: unknown;
  [extension: string]: unknown;
}

export interface WaitRequest {
  kind: 'timer' | 'event' | 'approval';
  /** For people: shown in `weft runs show` and the `step.waiting` event. */
  reason: string;
  /**
   * When a timer fires, or when an event or approval wait gives up (ms since the epoch).
   * The first request's value is kept: a resumed step waits for the same moment.
   */
  until?: number;
  /** `event`: the CloudEvent type waited for. */
  eventType?: string;
  /** `event`: whether an event of that type is the one (SPEC `match`). */
  match?: (event: CloudEvent) => boolean;
  /** `approval`: what the person is asked, and the JSON Schema of extra fields. */
  approval?: { prompt: string; form?: Record<string, unknown> };
  /** Called once the wait is stored (again on resume) with its token and the deadline kept. */
  onWaiting?(info: { token: string; until: number | undefined }): void;
}

export type WaitOutcome =
  | { kind: 'timer' }
  | { kind: 'timeout' }
  | { kind: 'event'; event: CloudEvent }
  | {
      kind: 'approval';
      approved: boolean;
      by: string | null;
      comment: string | null;
      data: unknown;
      at: number;
    };

/** Provided by the engine's durable-wait module; absent, `ctx.wait` fails with `not_supported`. */
export interface WaitService {
  wait(
    request: WaitRequest & { runId: string; workflow: string; stepKey: string },
    signal: AbortSignal,
  ): Promise<WaitOutcome>;
}

export interface ListResult {
  /** The output of the last step (document order) that completed; null when none did. */
  lastOutput: unknown;
  /** The unhandled failure of the list, if any. */
  error: import('../errors.js').WeftError | undefined;
}

/**
 * One step type: one file under steps/, one line in the registry. The engine never branches on
 * a type's name; what differs between types lives here.
 */
export interface StepType<C = unknown> {
  readonly type: string;
  /** Composite steps schedule children and take no parallelism slot themselves. */
  readonly composite?: boolean;
  /** Whether `retry` and per-attempt `timeout` apply (skill, agent, workflow). */
  readonly attempts?: boolean;
  /** The type reads `timeout` itself (how long a wait lasts): the engine does not enforce it. */
  readonly ownsTimeout?: boolean;
  compile(definition: Record<string, unknown>, ctx: CompileContext): C;
  execute(step: PlanStep<C>, ctx: StepContext): Promise<StepResult>;
  /** Re-applies the effect of a recorded result on recovery (e.g. `set` writes vars again). */
  replay?(step: PlanStep<C>, output: unknown, ctx: ReplayContext): void;
}
