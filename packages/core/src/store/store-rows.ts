import type { ErrorInfo } from '../errors.js';
import {
  type DocumentRecord,
  type EventRecord,
  type RunRecord,
  type RunStatus,
  type StepRecord,
  type StepStatus,
  TERMINAL_RUN_STATUSES,
} from './types.js';

const RUN_STATUSES: Record<RunStatus, true> = {
  pending: true,
  running: true,
  paused: true,
  completed: true,
  failed: true,
  cancelled: true,
};

/**
 * `'pending', 'paused', 'running'`: the statuses of runs that are not over, for `status IN (...)`
 * in both dialects (an IN list can use the status index; NOT IN cannot).
 */
export const ACTIVE_STATUSES_SQL = (Object.keys(RUN_STATUSES) as RunStatus[])
  .filter((status) => !TERMINAL_RUN_STATUSES.has(status))
  .map((status) => `'${status}'`)
  .join(', ');

export const RUN_COLUMNS =
  'id, workflow, version, document_hash, status, input, output, error, parent_run_id, created_at, ' +
  'started_at, ended_at, deadline_at, owner, lease_expires_at, last_seq, meta';
/**
 * A run's `lastSeq` is the highest event sequence committed for it. SQLite commits that only
 * advance it do not rewrite the run row (a page write per commit on the hot path), so both
 * backends read it back as the larger of the column and the run's newest event.
 */
export const SQLITE_LAST_SEQ =
  'max(last_seq, coalesce((SELECT max(seq) FROM events WHERE events.run_id = runs.id), 0))';
export const SQLITE_RUN_SELECT = RUN_COLUMNS.replace('last_seq', `${SQLITE_LAST_SEQ} AS last_seq`);
export const POSTGRES_RUN_SELECT = RUN_COLUMNS.replace(
  'last_seq',
  'greatest(last_seq, coalesce((SELECT max(seq) FROM events WHERE events.run_id = runs.id), 0)) AS last_seq',
);
export const STEP_COLUMNS =
  'run_id, step_key, attempt, step_id, type, status, started_at, ended_at, input, output, error, meta';
export const EVENT_COLUMNS = 'run_id, seq, type, time, step_key, data';
export const DOCUMENT_COLUMNS = 'hash, name, source, path, created_at';

/**
 * Rows as the drivers return them. `J` is a JSON column: TEXT in SQLite (a string to parse),
 * jsonb in PostgreSQL (already parsed by pg).
 */
export interface RunRow<J> {
  id: string;
  workflow: string;
  version: number | null;
  document_hash: string;
  status: string;
  input: J | null;
  output: J | null;
  error: J | null;
  parent_run_id: string | null;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  deadline_at: number | null;
  owner: string | null;
  lease_expires_at: number | null;
  last_seq: number;
  meta: J | null;
}

export interface StepRow<J> {
  run_id: string;
  step_key: string;
  attempt: number;
  step_id: string;
  type: string;
  status: string;
  started_at: number | null;
  ended_at: number | null;
  input: J | null;
  output: J | null;
  error: J | null;
  meta: J | null;
}

export interface EventRow<J> {
  run_id: string;
  seq: number;
  type: string;
  time: number;
  step_key: string | null;
  data: J | null;
}

export interface DocumentRow {
  hash: string;
  name: string;
  source: string;
  path: string | null;
  created_at: number;
}

/** Turns a JSON column into a value; SQL NULL is null. */
export type JsonDecoder<J> = (value: J | null) => unknown;

export function toRunRecord<J>(row: RunRow<J>, decode: JsonDecoder<J>): RunRecord {
  return {
    id: row.id,
    workflow: row.workflow,
    version: row.version,
    documentHash: row.document_hash,
    status: row.status as RunStatus,
    input: decode(row.input),
    output: decode(row.output),
    error: decode(row.error) as ErrorInfo | null,
    parentRunId: row.parent_run_id,
    createdAt: row.created_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    deadlineAt: row.deadline_at,
    owner: row.owner,
    leaseExpiresAt: row.lease_expires_at,
    lastSeq: row.last_seq,
    meta: (decode(row.meta) as Record<string, unknown> | null) ?? {},
  };
}

export function toStepRecord<J>(row: StepRow<J>, decode: JsonDecoder<J>): StepRecord {
  return {
    runId: row.run_id,
    stepKey: row.step_key,
    attempt: row.attempt,
    stepId: row.step_id,
    type: row.type,
    status: row.status as StepStatus,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    input: decode(row.input),
    output: decode(row.output),
    error: decode(row.error) as ErrorInfo | null,
    meta: decode(row.meta) as Record<string, unknown> | null,
  };
}

export function toEventRecord<J>(row: EventRow<J>, decode: JsonDecoder<J>): EventRecord {
  return {
    runId: row.run_id,
    seq: row.seq,
    type: row.type,
    time: row.time,
    stepKey: row.step_key,
    data: decode(row.data),
  };
}

export function toDocumentRecord(row: DocumentRow): DocumentRecord {
  return { hash: row.hash, name: row.name, source: row.source, path: row.path, createdAt: row.created_at };
}

/** A value for a JSON TEXT column: undefined and null are SQL NULL. */
export function encodeJson(value: unknown): string | null {
  return value === undefined || value === null ? null : (JSON.stringify(value) ?? null);
}

/** Reads a JSON TEXT column; SQL NULL is null. */
export function decodeJson(text: string | null): unknown {
  return text === null ? null : JSON.parse(text);
}
