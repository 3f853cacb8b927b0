import type BetterSqlite3 from 'better-sqlite3';
import { COMMAND_COLUMNS, type CommandRow, toCommandRecord } from '../command-rows.js';
import { ACTIVE_STATUSES_SQL } from '../store-rows.js';
import type { NewRunCommand, RunCommandRecord } from '../types.js';

type Statement<R = unknown> = BetterSqlite3.Statement<unknown[], R>;

function prepare(db: BetterSqlite3.Database) {
  const statement = <R>(sql: string): Statement<R> => db.prepare<unknown[], R>(sql);
  return {
    // One statement: the run must not have ended, and UNIQUE (run_id, prev_id) refuses a second
    // command after the same one.
    add: statement<CommandRow>(`INSERT INTO run_commands (run_id, prev_id, kind, requested_by, reason, created_at)
      SELECT id, @after, @kind, @by, @reason, @createdAt FROM runs
      WHERE id = @runId AND status IN (${ACTIVE_STATUSES_SQL})
      ON CONFLICT (run_id, prev_id) DO NOTHING RETURNING ${COMMAND_COLUMNS}`),
    last: statement<CommandRow>(
      `SELECT ${COMMAND_COLUMNS} FROM run_commands WHERE run_id = ? ORDER BY id DESC LIMIT 1`,
    ),
    pending: statement<CommandRow>(`SELECT ${COMMAND_COLUMNS} FROM run_commands
      WHERE applied_at IS NULL AND run_id IN (SELECT value FROM json_each(?)) ORDER BY id`),
    markApplied: statement(
      'UPDATE run_commands SET applied_at = ? WHERE run_id = ? AND id <= ? AND applied_at IS NULL',
    ),
  };
}

/** The run-control part of the SQLite store; every method runs synchronously on one connection. */
export class SqliteCommands {
  readonly #s: ReturnType<typeof prepare>;

  /** Prepares its statements: call after the schema is current. */
  constructor(db: BetterSqlite3.Database) {
    this.#s = prepare(db);
  }

  add(command: NewRunCommand, after: number): RunCommandRecord | undefined {
    const row = this.#s.add.get({ ...command, after });
    return row && toCommandRecord(row);
  }

  last(runId: string): RunCommandRecord | undefined {
    const row = this.#s.last.get(runId);
    return row && toCommandRecord(row);
  }

  pending(runIds: readonly string[]): RunCommandRecord[] {
    if (runIds.length === 0) return [];
    return this.#s.pending.all(JSON.stringify(runIds)).map(toCommandRecord);
  }

  markApplied(runId: string, upToId: number, at: number): void {
    this.#s.markApplied.run(at, runId, upToId);
  }
}
