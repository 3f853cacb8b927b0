import type { Pool } from 'pg';
import { COMMAND_COLUMNS, type CommandRow, toCommandRecord } from '../command-rows.js';
import { ACTIVE_STATUSES_SQL } from '../store-rows.js';
import type { NewRunCommand, RunCommandRecord } from '../types.js';

const Q = {
  // UNIQUE (run_id, prev_id) refuses a second command after the same one, in any transaction.
  add: {
    name: 'weft_add_run_command',
    text: `INSERT INTO run_commands (run_id, prev_id, kind, requested_by, reason, created_at)
      SELECT id, $2, $3, $4, $5, $6 FROM runs WHERE id = $1 AND status IN (${ACTIVE_STATUSES_SQL})
      ON CONFLICT (run_id, prev_id) DO NOTHING RETURNING ${COMMAND_COLUMNS}`,
  },
  last: {
    name: 'weft_last_run_command',
    text: `SELECT ${COMMAND_COLUMNS} FROM run_commands WHERE run_id = $1 ORDER BY id DESC LIMIT 1`,
  },
  pending: {
    name: 'weft_pending_run_commands',
    text: `SELECT ${COMMAND_COLUMNS} FROM run_commands
      WHERE applied_at IS NULL AND run_id = ANY($1::text[]) ORDER BY id`,
  },
  markApplied: {
    name: 'weft_mark_run_commands_applied',
    text: 'UPDATE run_commands SET applied_at = $1 WHERE run_id = $2 AND id <= $3 AND applied_at IS NULL',
  },
} as const;

/** The run-control part of the PostgreSQL store. */
export const postgresCommands = {
  async add(pool: Pool, command: NewRunCommand, after: number): Promise<RunCommandRecord | undefined> {
    const { runId, kind, by, reason, createdAt } = command;
    const { rows } = await pool.query<CommandRow>({
      ...Q.add,
      values: [runId, after, kind, by, reason, createdAt],
    });
    return rows[0] && toCommandRecord(rows[0]);
  },

  async last(pool: Pool, runId: string): Promise<RunCommandRecord | undefined> {
    const { rows } = await pool.query<CommandRow>({ ...Q.last, values: [runId] });
    return rows[0] && toCommandRecord(rows[0]);
  },

  async pending(pool: Pool, runIds: readonly string[]): Promise<RunCommandRecord[]> {
    if (runIds.length === 0) return [];
    const { rows } = await pool.query<CommandRow>({ ...Q.pending, values: [runIds] });
    return rows.map(toCommandRecord);
  },

  async markApplied(pool: Pool, runId: string, upToId: number, at: number): Promise<void> {
    await pool.query({ ...Q.markApplied, values: [at, runId, upToId] });
  },
};
