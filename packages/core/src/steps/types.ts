import type { PlanStep, StepList } from '../engine/plan-types.js';
import type { ErrorInfo } from '../errors.js';
import type { EventPayloads, EventType } from '../events/types.js';
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
  /** The directory relative child workflows resolve against: the document's, else the engine's cwd. */
  readonly baseDir: string;
  /**
   * Declares a workflow this step runs (`workflow` steps): the loader loads it with the document,
   * so a missing file, a version pin that does not match, or a cycle is refused at load.
   */
  dependsOn(workflow: { ref: string; path: string; version: number | undefined }): void;
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
  /**
   * Runs a skill with this attempt's context (signal, idempotency key, logger). `cache: false`:
   * the step's `cache:` does not apply (an agent's tool calls; the agent's answer is what is cached).
   */
  runSkill(name: string, input: unknown, options?: { cache?: boolean }): Promise<unknown>;
  /**
   * Runs `work` through the step's `cache:` (default key: a hash of `name` and `input`): a hit
   * returns the stored value without calling it, and is recorded as a hit. For steps whose call is
   * not one skill (agent). Without `cache:` it just runs `work`.
   */
  cached(name: string, input: unknown, work: () => Promise<unknown>): Promise<unknown>;
  /**
   * The items a skill yields (`stream` sources): its `iterate`, else what `run` returns (an async
   * iterable or an array). `signal` (default: this step's) stops it.
   */
  iterateSkill(name: string, input: unknown, signal?: AbortSignal): AsyncIterable<unknown>;
  /** Writes run variables (`${ vars.x }`). */
  setVars(values: Record<string, unknown>): void;
  /** Records a typed run event on this step's key (a state machine's `state.transition`). */
  emit<T extends EventType>(type: T, data: EventPayloads[T]): void;
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
   * Runs another workflow as a child run of this one and waits for it to end (`workflow` steps).
   * The child's id is derived from (run, step key, attempt): a resumed step finds its child. The
   * step shows as `waiting` meanwhile, with `child_run_id` in its meta; when this step's signal
   * fires, the child is cancelled with its reason.
   */
  runWorkflow(request: ChildRunRequest): Promise<ChildRunOutcome>;
  /**
   * What this step saved with `saveCheckpoint` in an attempt that was interrupted (its process
   * stopped); undefined the first time. Lets a long step (stream) go on where it stopped.
   */
  readonly checkpoint: unknown;
  /** Saves progress on this attempt's record (meta `checkpoint`), committed before later records. */
  saveCheckpoint(value: unknown): void;
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
  /** `event`: the CloudEvent type waited for, or several (the first event of any of them ends it). */
  eventType?: string | readonly string[];
  /** `event`: whether an event of that type is the one (SPEC `match`). */
  match?: (event: CloudEvent) => boolean;
  /** `approval`: what the person is asked, and the JSON Schema of extra fields. */
  approval?: { prompt: string; form?: Record<string, unknown> };
  /** Called once the wait is stored (again on resume) with its token and the deadline kept. */
  onWaiting?(info: { token: string; until: number | undefined }): void;
  /**
   * For a step that waits more than once (a stream's event source): the key the wait is stored
   * under instead of the step's own (`ingest[3]`), so each wait keeps its own row and outcome.
   */
  key?: string;
  /** Stops the wait (default: the step's signal). */
  signal?: AbortSignal;
  /** Kept on the stored wait beside the reason (an agent's remote task ids), for people and tools. */
  details?: Record<string, unknown>;
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

/** What a `workflow` step asks for: the child's document, version pin and input. */
export interface ChildRunRequest {
  /** Absolute path of the child's document. */
  workflow: string;
  /** The `version` the child document must have. */
  version?: number | undefined;
  input: unknown;
}

/** How a child run ended. */
export interface ChildRunOutcome {
  runId: string;
  status: 'completed' | 'failed' | 'cancelled';
  output: unknown;
  error: ErrorInfo | null;
}

/** Provided by the engine (engine/child-runs); absent, `ctx.runWorkflow` fails with `not_supported`. */
export interface ChildRunService {
  /** The child run id of (parent run, step key, attempt): the same every time. */
  childRunId(target: ChildRunTarget): string;
  /** Starts the child, or finds it (resumed parent): ended -> its result; interrupted -> resumed. */
  run(
    request: ChildRunRequest & ChildRunTarget & { cwd: string },
    signal: AbortSignal,
  ): Promise<ChildRunOutcome>;
}

/** Which step attempt a child run belongs to. */
export interface ChildRunTarget {
  parentRunId: string;
  stepKey: string;
  attempt: number;
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
  /** The `retry` a step without its own gets before the document's defaults (an agent's configured `retry`). */
  defaultRetry?(definition: Record<string, unknown>): Record<string, unknown> | undefined;
  compile(definition: Record<string, unknown>, ctx: CompileContext): C;
  execute(step: PlanStep<C>, ctx: StepContext): Promise<StepResult>;
  /** Re-applies the effect of a recorded result on recovery (e.g. `set` writes vars again). */
  replay?(step: PlanStep<C>, output: unknown, ctx: ReplayContext): void;
}
