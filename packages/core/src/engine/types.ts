import type { Logger } from 'pino';
import type { McpServerSetting } from '../agents/mcp.js';
import type { AgentDefinition, AgentRegistry } from '../agents/registry.js';
import type { AgentAdapter } from '../agents/types.js';
import type { LogLevel } from '../config/schema.js';
import type { ErrorInfo } from '../errors.js';
import type { EventFilter } from '../events/subscribe.js';
import type { AnyWeftEvent, EngineEvent, EngineEventType, EventType, WeftEvent } from '../events/types.js';
import type { NotificationOptions } from '../notify/notify-types.js';
import type { Registry } from '../registry/registry.js';
import type { DeadLetterQueue } from '../resilience/dead-letter-queue.js';
import type { BreakerAdmin, CacheAdmin } from '../resilience/resilience.js';
import type { ResilienceOptionsInput } from '../resilience/resilience-options.js';
import type { SkillRegistry } from '../skills/registry.js';
import type { AnySkill } from '../skills/types.js';
import type { EventRecord, RunFilter, RunRecord, RunStatus, StepRecord, Store } from '../store/types.js';
import type { Clock } from './clock.js';
import type { HookFn, HookPoint, HookSet } from './hooks/hook-types.js';
import type { RunProgress } from './progress.js';
import type { RerunOptions, RerunResult } from './rerun.js';
import type { ApprovalDecision } from './waits/approval-decision.js';
import type { EventInput } from './waits/cloud-event.js';
import type { SendEventOptions, SendEventResult } from './waits/send-event.js';

/** Where a workflow comes from: a file path, document text, or an already parsed document. */
export type WorkflowRef =
  | string
  /** A registered workflow: its active version, or `version`. */
  | { name: string; version?: number }
  | { source: string; path?: string }
  | { document: Record<string, unknown>; path?: string };

export interface EngineOptions extends ResilienceOptionsInput {
  /** A Store, or a store URL: `sqlite:<path>`, `sqlite::memory:`, `postgres://...`. */
  store: Store | string;
  skills?: AnySkill[];
  /** Agents by name: settings as under `agents:` in weft.config.yaml, or adapters in code (agents/). */
  agents?: Record<string, AgentDefinition | AgentAdapter | Record<string, unknown>>;
  /** MCP servers (`mcp_servers:`): their tools become skills `mcp.<server>.<tool>` (docs/agents.md). */
  mcpServers?: Record<string, McpServerSetting>;
  /** Values for `${ secrets.NAME }`; `WEFT_SECRET_<NAME>` env vars are added. */
  secrets?: Record<string, string>;
  /** Base directory for relative paths and `shell`; default `process.cwd()`. */
  cwd?: string;
  /** Lease length; default 30 s. The owner renews at a third of it. */
  leaseMs?: number;
  /** Identifies this process as a lease owner; default `<host>:<pid>:<random>`. */
  owner?: string;
  /** Skill modules (TS or JS files) to load at start, relative to `cwd`. */
  skillModules?: string[];
  /** Deepest nesting of child runs (`workflow` steps); default 5. Deeper fails with `max_depth_exceeded`. */
  maxDepth?: number;
  /**
   * Runs an `on_complete` chain may hold, the first included; default 10. A start that would make
   * the chain longer is refused with `max_chain_length_exceeded`, recorded on the run that chains.
   */
  maxChainLength?: number;
  /** Longest a run may stay paused; a run paused longer is cancelled (the reason says so). Default: no limit. */
  maxPauseMs?: number;
  /** Dead-letter entries older than this are removed at start and daily (`dlq_retention`); default: kept. */
  dlqRetentionMs?: number;
  /** Time for retry delays and durable timers; default the system clock (tests: `SimulatedClock`). */
  clock?: Clock;
  /** Hooks by point (engine/hooks); `engine.hook(point, fn)` adds more. */
  hooks?: HookSet;
  /** Hook modules (`hooks:` in weft.config.yaml) to load at start, relative to `cwd`. */
  hookModules?: string[];
  /** Longest a hook may take; a slower one is recorded as `hook.failed` and ignored. Default 5 s. */
  hookTimeoutMs?: number;
  /** Global notification sinks and delivery settings (notify/); workflows add their `notify`. */
  notifications?: NotificationOptions;
  /** A pino logger for the engine's structured logs (run id, workflow, step key on every line). */
  logger?: Logger;
  /** Without `logger`: log JSON lines to stderr at this level. Default: no logs. */
  logLevel?: LogLevel;
}

export interface StartOptions {
  /** Overrides `--set key=value` style: merged into the input before validation. */
  runId?: string;
  parentRunId?: string;
  meta?: Record<string, unknown>;
}

export interface RunResult {
  runId: string;
  status: RunStatus;
  output: unknown;
  error: ErrorInfo | null;
}

export interface RunHandle {
  readonly runId: string;
  /** Resolves when the run ends (completed, failed or cancelled). */
  result(): Promise<RunResult>;
}

/** Who asks for a pause, resume or cancel, and why; both are recorded with the run's events. */
export interface ControlOptions {
  by?: string;
  reason?: string;
}

/** Where a pause or cancel took effect. */
export interface ControlResult {
  runId: string;
  /**
   * `here`: this process applied it (it executes the run, or nobody did and it took the run over);
   * `owner`: it is stored for the process executing the run, which applies it within a second.
   */
  appliedBy: 'here' | 'owner';
  /** The process executing the run when `appliedBy` is `owner`, else this one. */
  owner: string | null;
}

/** What `engine.resume` did: un-paused the run, continued it here, or both. */
export interface ResumedRun extends RunHandle {
  /** True when the run was paused and this call resumed it. */
  readonly unpaused: boolean;
  /** True when the run executes in this process; false: `owner` executes it and `result()` follows the store. */
  readonly local: boolean;
  readonly owner: string | null;
}

export interface RunDetails {
  run: RunRecord;
  steps: StepRecord[];
  /** Runs its `workflow` steps started, oldest first (each has `parentRunId` set to this run). */
  children?: RunRecord[];
}

export interface Engine {
  readonly store: Store;
  /** Circuit breaker states, shared through the store or Redis (`weft breakers`). */
  readonly breakers: BreakerAdmin;
  /** Cached step results, in the store or Redis (`weft cache`). */
  readonly cache: CacheAdmin;
  registerSkill(skill: AnySkill): this;
  /** Adds an agent (docs/agents.md): a setting as under `agents:`, or an adapter in code. */
  registerAgent(name: string, agent: AgentDefinition | AgentAdapter | Record<string, unknown>): this;
  /** The agent registry (`weft agents list`). */
  readonly agents: AgentRegistry | undefined;
  /** The skill registry: built-ins, skill modules and `registerSkill` (`skills.names()`). */
  readonly skills: SkillRegistry;
  /** Registers a hook; see docs/hooks.md. */
  hook<P extends HookPoint>(point: P, fn: HookFn<P>): this;
  /** Validates and starts a run; a bad document or input throws WeftError before anything is stored. */
  start(workflow: WorkflowRef, input?: unknown, options?: StartOptions): Promise<RunHandle>;
  /**
   * Resumes a run, from any process sharing the store: a paused run is un-paused (where it
   * executes; `run.resumed` records `by`), and an interrupted run (its process died, or nobody
   * executes it) continues here; completed steps are not executed again. A run that is running and
   * not paused, that ended, or that is being cancelled throws `conflict`; an unknown one `not_found`.
   * @example const run = await engine.resume(runId, { by: 'ada' }); if (run.local) await run.result();
   */
  resume(runId: string, options?: ControlOptions): Promise<ResumedRun>;
  /**
   * Pauses a run, from any process: its running steps finish, no new step starts, its timers are
   * held; status `paused`, `run.paused` with `by`. It stays paused across restarts until resumed or
   * cancelled. A run that ended, is paused or is being cancelled throws `conflict`, the store unchanged.
   * @example await engine.pause(runId, { by: 'ada', reason: 'deploy window' })
   */
  pause(runId: string, options?: ControlOptions): Promise<ControlResult>;
  /**
   * Cancels a run, from any process: running skills get their AbortSignal (shell process groups
   * are killed), steps not started are `cancelled`, child runs are cancelled; status `cancelled`,
   * `run.cancelled` with `reason` and `by`. Resolves once the run has ended when this process
   * applies it, else once the command is stored. Cancelling twice, or a run that ended, throws `conflict`.
   * @example await engine.cancel(runId, { by: 'ada', reason: 'wrong input' })
   */
  cancel(runId: string, options?: ControlOptions): Promise<ControlResult>;
  /** Resumes every interrupted run in the store; paused runs stay paused (one paused past `maxPauseMs` is cancelled). */
  recover(): Promise<RunHandle[]>;
  /**
   * Starts a new run of an ended run's document (same stored hash) that reuses the recorded results
   * of every step that does not depend on `from` (through `needs`, list order and expressions), and
   * executes `from` and everything downstream. `dryRun` only says which steps would run again and
   * which are reused. An unknown run or step key throws `not_found`, a run not ended `conflict`.
   * @example const { execute, reuse, run } = await engine.rerun(runId, { from: 'charge' });
   */
  rerun(runId: string, options: RerunOptions): Promise<RerunResult>;
  /** The dead-letter queue: steps that failed for good, to list, replay, delete or purge. */
  readonly dlq: DeadLetterQueue;
  /**
   * Registered workflows: push versions, list, diff, roll back, change status (registry/).
   * @example await engine.workflows.push(source, { message: 'retry the upload' }); await engine.start({ name: 'deploy' });
   */
  readonly workflows: Registry;
  getRun(runId: string): Promise<RunDetails | undefined>;
  listRuns(filter?: RunFilter): Promise<RunRecord[]>;
  getEvents(runId: string, afterSeq?: number): Promise<EventRecord[]>;
  /**
   * Sends a CloudEvent (SPEC section 2, `event`). With `runId` it is kept for that run until a
   * matching step takes it; with `token`, for the step waiting with that token; with neither, it
   * goes to every step waiting for its type at this moment, in any process sharing the store.
   * `id` defaults to a UUID, `source` to `weft`, `time` to now. A missing `type`, or `data` that is
   * not JSON or over 256 KiB, throws `invalid_input`; an unknown run `not_found`, an ended one `conflict`.
   * @example await engine.sendEvent({ type: 'payment.received', data: { order_id: 'A-1' } }, { runId })
   */
  sendEvent(event: EventInput, options?: SendEventOptions): Promise<SendEventResult>;
  /**
   * Decides the approval step `stepKey` of `runId` is waiting for, from any process. `data` must
   * match the step's `form` (else `invalid_input`); a step not waiting for an approval throws
   * `not_found`, one already decided (or a run that ended) `conflict`.
   * @example await engine.approve(runId, 'sign_off', { approved: true, by: 'ada', comment: 'ship it' })
   */
  approve(runId: string, stepKey: string, decision: ApprovalDecision): Promise<void>;
  on<T extends EventType>(type: T, listener: (event: WeftEvent<T>) => void): () => void;
  /** Engine-level events (`breaker.opened`, ...): only typed listeners get them, not `'*'`. */
  on<T extends EngineEventType>(type: T, listener: (event: EngineEvent<T>) => void): () => void;
  on(type: '*', listener: (event: AnyWeftEvent) => void): () => void;
  /**
   * Listens to the run events matching `filter` (type or types, workflow, run), in this process;
   * returns the unsubscribe function. Events carry run id, step key, seq, time and redacted data.
   * @example const off = engine.subscribe({ runId, type: 'step.completed' }, (e) => console.log(e.stepKey));
   */
  subscribe(filter: EventFilter, listener: (event: AnyWeftEvent) => void): () => void;
  /**
   * Percent done (steps finished over steps known so far), the steps running now and an ETA from
   * the median duration of recent completed runs of the same document; unknown run: `not_found`.
   * @example const { percent, running, etaMs } = await engine.progress(runId);
   */
  progress(runId: string): Promise<RunProgress>;
  /**
   * Waits for in-flight commits, releases leases of runs still going, closes the store. With
   * `graceMs`, first lets running steps finish for up to that long while no new step starts
   * (a graceful shutdown); the runs are then released, to be resumed by another process.
   */
  close(options?: CloseOptions): Promise<void>;
}

export interface CloseOptions {
  /** How long running steps may take to finish before they are interrupted; default 0. */
  graceMs?: number;
}
