import type { ErrorInfo } from '../errors.js';
import type { BreakerStateStore } from '../resilience/breaker-state.js';
import type { CacheStore } from '../resilience/cache-store.js';
import type { SlotStore } from '../resilience/concurrency-store.js';
import type { DeadLetterFilter, DeadLetterRecord, ReopenRun } from './dead-letter-types.js';
import type { DefinitionStore } from './definition-types.js';
import type { NotificationStore } from './notification-types.js';
import type { ScheduleStore } from './schedule-types.js';

export type { DeadLetterFilter, DeadLetterRecord, ReopenRun } from './dead-letter-types.js';

export type RunStatus = 'pending' | 'running' | 'paused' | 'completed' | 'failed' | 'cancelled';
export type StepStatus =
  | 'pending'
  | 'blocked'
  | 'running'
  | 'waiting'
  | 'completed'
  | 'failed'
  | 'skipped'
  | 'cancelled'
  | 'compensated';

export const TERMINAL_RUN_STATUSES: ReadonlySet<RunStatus> = new Set(['completed', 'failed', 'cancelled']);

/** A workflow document, stored once by content hash and referenced by runs. */
export interface DocumentRecord {
  hash: string;
  name: string;
  /** The document text as written (YAML or JSON). */
  source: string;
  /** Where it was loaded from, for relative paths and messages; null when given as text. */
  path: string | null;
  createdAt: number;
}

export interface RunRecord {
  id: string;
  workflow: string;
  version: number | null;
  documentHash: string;
  status: RunStatus;
  input: unknown;
  output: unknown;
  error: ErrorInfo | null;
  parentRunId: string | null;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
  /** Absolute run deadline (ms since epoch) from `limits.timeout`; survives restarts. */
  deadlineAt: number | null;
  owner: string | null;
  leaseExpiresAt: number | null;
  /** Highest event sequence number committed for this run. */
  lastSeq: number;
  /** Free-form run metadata (cwd, labels). */
  meta: Record<string, unknown>;
}

/** Fields of a run that change after it is created. `lastSeq` is always written. */
export interface RunPatch {
  id: string;
  lastSeq: number;
  status?: RunStatus;
  output?: unknown;
  error?: ErrorInfo | null;
  startedAt?: number | null;
  endedAt?: number | null;
}

/** One attempt of one step execution; keyed by (runId, stepKey, attempt). */
export interface StepRecord {
  runId: string;
  stepKey: string;
  /** 1-based; 0 for records that are not attempts (skipped, blocked). */
  attempt: number;
  stepId: string;
  type: string;
  status: StepStatus;
  startedAt: number | null;
  endedAt: number | null;
  /** Resolved inputs, secrets redacted. */
  input: unknown;
  output: unknown;
  error: ErrorInfo | null;
  /** Type-specific extras (branch taken, skip reason, token usage...). */
  meta: Record<string, unknown> | null;
}

export interface EventRecord {
  runId: string;
  seq: number;
  type: string;
  time: number;
  stepKey: string | null;
  data: unknown;
}

/**
 * Everything one turn of the event loop produced, committed in one transaction.
 * Per run, the patch is applied only while `owner` still holds the run's lease (a fence):
 * a run whose lease was lost has none of its records written and is reported in `lostRuns`.
 */
export interface WriteBatch {
  owner: string;
  newRuns: RunRecord[];
  runPatches: RunPatch[];
  steps: StepRecord[];
  events: EventRecord[];
  /** Steps that failed for good, written with their final record (run fence as for steps). */
  deadLetters?: DeadLetterRecord[];
}

export interface CommitResult {
  lostRuns: string[];
}

export interface RunFilter {
  workflow?: string;
  status?: RunStatus | RunStatus[];
  parentRunId?: string;
  /** Newest first; default 50. */
  limit?: number;
  /** Runs created strictly before this time (cursor). */
  before?: number;
}

export interface ClaimOptions {
  owner: string;
  leaseMs: number;
  now: number;
  /** Owner strings whose lease may be taken at once (their process is known to be dead). */
  deadOwners?: readonly string[];
}

export interface MigrationState {
  applied: number[];
  pending: number[];
  latest: number;
}

export type WaitKind = 'timer' | 'event' | 'approval';

/** What a step asks for when it starts waiting (see `Store.openWait`). */
export interface NewWait {
  runId: string;
  stepKey: string;
  kind: WaitKind;
  /** Addresses this wait from outside (webhook URL): unique, >= 128 random bits, base64url. */
  token: string;
  /** `event` waits: the CloudEvent type waited for; several as a JSON array (`eventTypesOf`). */
  eventType: string | null;
  /** When the timer fires or the wait gives up; null: never. */
  until: number | null;
  createdAt: number;
  /** For people and approvers: `reason`, and for approvals `prompt` and `form` (JSON Schema). */
  details: Record<string, unknown> | null;
}

/** A durable wait of one step, keyed by (runId, stepKey). It ends once. */
export interface WaitRecord extends NewWait {
  status: 'open' | 'done';
  /** How it ended (the engine's WaitOutcome); null while open. */
  outcome: unknown;
}

export interface WaitFilter {
  runIds?: readonly string[];
  status?: WaitRecord['status'];
  kind?: WaitKind;
  /** Only waits whose `until` is at or before this time. */
  dueBefore?: number;
}

/** A CloudEvents-shaped event as stored: the attributes, `data`, and any extension attributes. */
export interface CloudEventRecord {
  id: string;
  type: string;
  source: string;
  /** RFC 3339 timestamp. */
  time: string;
  data: unknown;
  [extension: string]: unknown;
}

/** Where `Store.putEvent` puts an event. */
export interface InboxTarget {
  /** The run it is for; absent: one copy per open `event` wait of its type, in runs not ended. */
  runId?: string;
  /** With runId: for this waiting step only (sent to its token). */
  stepKey?: string;
  now: number;
}

/** An event kept for a run (or one of its steps) until a step takes it. */
export interface InboxRecord {
  /** Assigned by the store, increasing. */
  id: number;
  runId: string;
  /** The only step that may take it; null: any step of the run. */
  stepKey: string | null;
  event: CloudEventRecord;
  receivedAt: number;
}

export interface InboxFilter {
  runIds: readonly string[];
  types?: readonly string[];
}

export interface TakeEvent {
  /** The inbox id. */
  id: number;
  runId: string;
  stepKey: string;
  /** Stored as the wait's outcome. */
  outcome: unknown;
  now: number;
}

export type RunCommandKind = 'pause' | 'resume' | 'cancel';

/** A run-control request (engine/control), written by any process for the run's owner to apply. */
export interface NewRunCommand {
  runId: string;
  kind: RunCommandKind;
  /** Who asked; null when the engine did (maximum pause reached). */
  by: string | null;
  reason: string | null;
  createdAt: number;
}

export interface RunCommandRecord extends NewRunCommand {
  /** Assigned by the store, increasing; each command follows the previous one of its run. */
  id: number;
  /** When the process executing the run acted on it; null until then. */
  appliedAt: number | null;
}

/**
 * The one persistence interface of Weft. Both backends (sqlite, postgres) pass one conformance
 * suite. All times are milliseconds since the epoch.
 */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Applies every pending migration; idempotent. */
  migrate(): Promise<MigrationState>;
  /** Reverts the last `count` applied migrations (default 1). */
  rollback(count?: number): Promise<MigrationState>;
  migrationStatus(): Promise<MigrationState>;

  putDocument(doc: DocumentRecord): Promise<void>;
  getDocument(hash: string): Promise<DocumentRecord | undefined>;

  /** Atomic; see WriteBatch for the lease fence. */
  commit(batch: WriteBatch): Promise<CommitResult>;

  getRun(id: string): Promise<RunRecord | undefined>;
  listRuns(filter?: RunFilter): Promise<RunRecord[]>;
  /** Every attempt of every step of a run, in (startedAt, stepKey, attempt) order. */
  getSteps(runId: string): Promise<StepRecord[]>;
  /** Events with seq > afterSeq, ascending; default all. */
  getEvents(runId: string, afterSeq?: number, limit?: number): Promise<EventRecord[]>;

  /**
   * Takes ownership of a run that is not terminal when its lease is free, expired, already ours,
   * or held by one of `deadOwners`. Returns the claimed record, or undefined.
   */
  claimRun(runId: string, options: ClaimOptions): Promise<RunRecord | undefined>;
  /** Extends the lease of every run held by `owner`; returns the ids still held. */
  renewLeases(owner: string, leaseMs: number, now: number): Promise<string[]>;
  /** Gives up ownership (lease cleared) when `owner` holds it. */
  releaseRun(runId: string, owner: string): Promise<void>;
  /** Runs that are not terminal and whose lease is empty or expired at `now` (or held by a dead owner). */
  listInterrupted(now: number, deadOwners?: readonly string[]): Promise<RunRecord[]>;
  /** Distinct owners currently holding leases (to find dead local processes). */
  listOwners(): Promise<string[]>;

  /**
   * Stores a wait unless its step has one; returns the stored row either way, so a resumed step
   * keeps its first `until` and token, and finds the outcome if the wait has already ended.
   * @example const wait = await store.openWait({ runId, stepKey: 'paid', kind: 'event', ... });
   */
  openWait(wait: NewWait): Promise<WaitRecord>;
  getWait(runId: string, stepKey: string): Promise<WaitRecord | undefined>;
  getWaitByToken(token: string): Promise<WaitRecord | undefined>;
  /** Waits matching every given filter, in (createdAt, runId, stepKey) order. */
  listWaits(filter?: WaitFilter): Promise<WaitRecord[]>;
  /**
   * Ends an open wait with `outcome` and drops the untaken events addressed to that step only.
   * Returns false, changing nothing, when it is not open (someone else ended it: read it back).
   */
  closeWait(runId: string, stepKey: string, outcome: unknown): Promise<boolean>;
  /**
   * Stores an event for a run that has not ended (with `stepKey`: for that step, while its wait is
   * open), or without `runId` one copy for each open `event` wait of its type. Returns the rows
   * stored: 0 when the run has ended or is unknown, or nobody waits.
   */
  putEvent(event: CloudEventRecord, target: InboxTarget): Promise<number>;
  /** Untaken events of these runs (and types), oldest first. */
  listInbox(filter: InboxFilter): Promise<InboxRecord[]>;
  /**
   * Atomically marks inbox event `id` taken by the step and ends the step's wait with `outcome`.
   * Returns false, changing nothing, when the event was taken or the wait ended first.
   */
  takeEvent(take: TakeEvent): Promise<boolean>;

  /**
   * Stores a run-control command when the run has not ended and its newest command is still the
   * one with id `after` (0: it has none). Returns it, or undefined, changing nothing, when the run
   * is unknown or has ended, or another command came first (read again and decide again).
   * @example const cmd = await store.addRunCommand({ runId, kind: 'pause', by: 'ada', reason: null, createdAt: Date.now() }, 0);
   */
  addRunCommand(command: NewRunCommand, after: number): Promise<RunCommandRecord | undefined>;
  /** The newest command of a run, applied or not. */
  lastRunCommand(runId: string): Promise<RunCommandRecord | undefined>;
  /** Commands of these runs not applied yet, oldest first. */
  listPendingCommands(runIds: readonly string[]): Promise<RunCommandRecord[]>;
  /** Marks the run's commands with id <= `upToId` applied at `at` (those not applied yet). */
  markCommandsApplied(runId: string, upToId: number, at: number): Promise<void>;

  /** Dead-letter entries matching every given filter, newest first. */
  listDeadLetters(filter?: DeadLetterFilter): Promise<DeadLetterRecord[]>;
  getDeadLetter(id: string): Promise<DeadLetterRecord | undefined>;
  /** Deletes one entry; false when there was none. */
  deleteDeadLetter(id: string): Promise<boolean>;
  /** Deletes the entries created before `before` (of `workflow` only, when given); returns how many. */
  purgeDeadLetters(before: number, workflow?: string): Promise<number>;
  /**
   * A failed run goes back to running, owned by `owner`: its error, output and end are cleared,
   * `steps` are written, and its dead-letter entries are deleted, all at once. Returns the run, or
   * undefined, changing nothing, when it is unknown or not `failed`.
   * @example await store.reopenRun({ runId, owner, leaseMs: 30_000, now: Date.now(), deadlineAt: null, steps })
   */
  reopenRun(reopen: ReopenRun): Promise<RunRecord | undefined>;

  /** Circuit breaker states (resilience/breakers.ts), unless Redis keeps them. */
  readonly breakers: BreakerStateStore;
  /** Cached step results (resilience/cache.ts), unless Redis keeps them. */
  readonly cache: CacheStore;
  /** Concurrency slots (resilience/concurrency-slots.ts). */
  readonly slots: SlotStore;
  /** Notification deliveries and `delayed` deadlines (notify/). */
  readonly notifications: NotificationStore;
  /** Versions of workflows and templates (registry/). */
  readonly definitions: DefinitionStore;
  /** Schedules and their fire history (scheduler/). */
  readonly schedules: ScheduleStore;

  close(): Promise<void>;
}
