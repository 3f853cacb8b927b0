import type { ErrorInfo } from '../errors.js';
import type { AnyWeftEvent, EventType, WeftEvent } from '../events/types.js';
import type { AnySkill } from '../skills/types.js';
import type { EventRecord, RunFilter, RunRecord, RunStatus, StepRecord, Store } from '../store/types.js';
import type { ApprovalDecision } from './waits/approval-decision.js';
import type { EventInput } from './waits/cloud-event.js';
import type { SendEventOptions, SendEventResult } from './waits/send-event.js';

/** Where a workflow comes from: a file path, document text, or an already parsed document. */
export type WorkflowRef =
  | string
  | { source: string; path?: string }
  | { document: Record<string, unknown>; path?: string };

export interface EngineOptions {
  /** A Store, or a store URL: `sqlite:<path>`, `sqlite::memory:`, `postgres://...`. */
  store: Store | string;
  skills?: AnySkill[];
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

export interface RunDetails {
  run: RunRecord;
  steps: StepRecord[];
  /** Runs its `workflow` steps started, oldest first (each has `parentRunId` set to this run). */
  children?: RunRecord[];
}

export interface Engine {
  readonly store: Store;
  registerSkill(skill: AnySkill): this;
  /** Validates and starts a run; a bad document or input throws WeftError before anything is stored. */
  start(workflow: WorkflowRef, input?: unknown, options?: StartOptions): Promise<RunHandle>;
  /** Continues an interrupted run (its process died); completed steps are not executed again. */
  resume(runId: string): Promise<RunHandle>;
  /** Resumes every interrupted run in the store. */
  recover(): Promise<RunHandle[]>;
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
  on(type: '*', listener: (event: AnyWeftEvent) => void): () => void;
  /** Waits for in-flight commits, releases leases of runs still going, closes the store. */
  close(): Promise<void>;
}
