import type { RunCommandKind, RunCommandRecord } from './types.js';

export const COMMAND_COLUMNS = 'id, run_id, kind, requested_by, reason, created_at, applied_at';

/** A `run_commands` row as both drivers return it (no JSON columns). */
export interface CommandRow {
  id: number;
  run_id: string;
  kind: string;
  requested_by: string | null;
  reason: string | null;
  created_at: number;
  applied_at: number | null;
}

export function toCommandRecord(row: CommandRow): RunCommandRecord {
  return {
    id: row.id,
    runId: row.run_id,
    kind: row.kind as RunCommandKind,
    by: row.requested_by,
    reason: row.reason,
    createdAt: row.created_at,
    appliedAt: row.applied_at,
  };
}
