import type { ErrorInfo } from '../errors.js';

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

  close(): Promise<void>;
}
