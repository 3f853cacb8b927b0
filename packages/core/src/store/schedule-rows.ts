import type { FireRecord, ScheduleRecord } from './schedule-types.js';

export const SCHEDULE_COLUMNS =
  'name, workflow, kind, spec, tz, input, overlap, max_concurrent, misfire, pause_after_failures, status, pause_reason, consecutive_failures, next_fire_at, created_at, updated_at';
export const FIRE_COLUMNS = 'schedule, fired_at, run_id, status, reason, started_at, ended_at';

export interface ScheduleRow {
  name: string;
  workflow: string;
  kind: string;
  spec: string;
  tz: string | null;
  input: unknown;
  overlap: string;
  max_concurrent: number | string;
  misfire: string;
  pause_after_failures: number | string | null;
  status: string;
  pause_reason: string | null;
  consecutive_failures: number | string;
  next_fire_at: number | string | null;
  created_at: number | string;
  updated_at: number | string;
}

export interface FireRow {
  schedule: string;
  fired_at: number | string;
  run_id: string | null;
  status: string;
  reason: string | null;
  started_at: number | string | null;
  ended_at: number | string | null;
}

const orNull = (value: number | string | null): number | null => (value === null ? null : Number(value));

/** `decode` turns the stored input column into its value (SQLite keeps text, pg parses jsonb). */
export function toSchedule(row: ScheduleRow, decode: (value: unknown) => unknown): ScheduleRecord {
  return {
    name: row.name,
    workflow: row.workflow,
    kind: row.kind as ScheduleRecord['kind'],
    spec: row.spec,
    tz: row.tz,
    input: decode(row.input),
    overlap: row.overlap as ScheduleRecord['overlap'],
    maxConcurrent: Number(row.max_concurrent),
    misfire: row.misfire as ScheduleRecord['misfire'],
    pauseAfterFailures: orNull(row.pause_after_failures),
    status: row.status as ScheduleRecord['status'],
    pauseReason: row.pause_reason,
    consecutiveFailures: Number(row.consecutive_failures),
    nextFireAt: orNull(row.next_fire_at),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export function toFire(row: FireRow): FireRecord {
  return {
    schedule: row.schedule,
    firedAt: Number(row.fired_at),
    runId: row.run_id,
    status: row.status as FireRecord['status'],
    reason: row.reason,
    startedAt: orNull(row.started_at),
    endedAt: orNull(row.ended_at),
  };
}

/** The SQL that counts a finished fire on its schedule (`$failures` is the FailureCount). */
export function failureCountSql(failures: 'increment' | 'reset' | 'keep'): string {
  if (failures === 'increment') return 'consecutive_failures + 1';
  return failures === 'reset' ? '0' : 'consecutive_failures';
}
