import type BetterSqlite3 from 'better-sqlite3';
import {
  ACTIVE_STATUSES_SQL,
  DOCUMENT_COLUMNS,
  type DocumentRow,
  EVENT_COLUMNS,
  type EventRow,
  RUN_COLUMNS,
  type RunRow,
  SQLITE_LAST_SEQ,
  SQLITE_RUN_SELECT,
  STEP_COLUMNS,
  type StepRow,
} from '../store-rows.js';
import type { RunFilter, RunPatch } from '../types.js';

type Statement<R = unknown> = BetterSqlite3.Statement<unknown[], R>;

/** Every statement the SQLite store runs, prepared once per schema (after migrate, before first use). */
export interface SqliteStatements {
  insertRun: Statement;
  /** The UPDATE for one patch shape (see `patchShape`); a column not in the patch is not in the SET. */
  patchRun: (shape: number) => Statement;
  runOwner: Statement<string | null>;
  upsertStep: Statement;
  insertEvent: Statement;
  putDocument: Statement;
  getDocument: Statement<DocumentRow>;
  getRun: Statement<RunRow<string>>;
  getSteps: Statement<StepRow<string>>;
  getEvents: Statement<EventRow<string>>;
  claimRun: Statement<RunRow<string>>;
  renewLeases: Statement<string>;
  releaseRun: Statement;
  listInterrupted: Statement<RunRow<string>>;
  listOwners: Statement<string>;
}

const placeholders = (count: number): string => Array.from({ length: count }, () => '?').join(', ');

/** Lease free: nobody holds it, it has expired, or its holder is dead (a JSON array of owners). */
const LEASE_FREE = `(owner IS NULL OR lease_expires_at IS NULL OR lease_expires_at <= ?
  OR owner IN (SELECT value FROM json_each(?)))`;

/**
 * The optional fields of a run patch, in bit order. Each patch shape gets its own UPDATE (at most 32,
 * prepared on first use): leaving `status` out of the SET spares a write of the status index.
 */
export const PATCH_FIELDS = [
  { key: 'status', column: 'status', json: false },
  { key: 'output', column: 'output', json: true },
  { key: 'error', column: 'error', json: true },
  { key: 'startedAt', column: 'started_at', json: false },
  { key: 'endedAt', column: 'ended_at', json: false },
] as const satisfies readonly { key: keyof RunPatch; column: string; json: boolean }[];

export function prepareSqliteStatements(db: BetterSqlite3.Database): SqliteStatements {
  const prepare = <R>(sql: string) => db.prepare<unknown[], R>(sql);
  const patchStatements: Statement[] = [];
  return {
    insertRun: prepare(`INSERT INTO runs (${RUN_COLUMNS}) VALUES (${placeholders(17)})`),
    patchRun: (shape) => {
      let statement = patchStatements[shape];
      if (!statement) {
        const set = PATCH_FIELDS.filter((_, bit) => shape & (1 << bit)).map((f) => `, ${f.column} = ?`);
        statement = prepare(`UPDATE runs SET last_seq = ?${set.join('')} WHERE id = ? AND owner = ?`);
        patchStatements[shape] = statement;
      }
      return statement;
    },
    runOwner: prepare<string | null>('SELECT owner FROM runs WHERE id = ?').pluck(),
    upsertStep: prepare(`INSERT INTO steps (${STEP_COLUMNS}) VALUES (${placeholders(12)})
      ON CONFLICT (run_id, step_key, attempt) DO UPDATE SET step_id = excluded.step_id,
      type = excluded.type, status = excluded.status, started_at = excluded.started_at,
      ended_at = excluded.ended_at, input = excluded.input, output = excluded.output,
      error = excluded.error, meta = excluded.meta`),
    insertEvent: prepare(`INSERT INTO events (${EVENT_COLUMNS}) VALUES (${placeholders(6)})`),
    putDocument: prepare(
      `INSERT INTO documents (${DOCUMENT_COLUMNS}) VALUES (${placeholders(5)}) ON CONFLICT (hash) DO NOTHING`,
    ),
    getDocument: prepare(`SELECT ${DOCUMENT_COLUMNS} FROM documents WHERE hash = ?`),
    getRun: prepare(`SELECT ${SQLITE_RUN_SELECT} FROM runs WHERE id = ?`),
    getSteps: prepare(`SELECT ${STEP_COLUMNS} FROM steps WHERE run_id = ?
      ORDER BY coalesce(started_at, ended_at, 0), step_key, attempt`),
    // LIMIT -1 is "no limit" in SQLite.
    getEvents: prepare(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
    ),
    claimRun: prepare(`UPDATE runs SET owner = ?, lease_expires_at = ?, last_seq = ${SQLITE_LAST_SEQ}
      WHERE id = ? AND status IN (${ACTIVE_STATUSES_SQL}) AND (owner = ? OR ${LEASE_FREE})
      RETURNING ${RUN_COLUMNS}`),
    renewLeases: prepare<string>(`UPDATE runs SET lease_expires_at = ?
      WHERE owner = ? AND status IN (${ACTIVE_STATUSES_SQL}) RETURNING id`).pluck(),
    releaseRun: prepare('UPDATE runs SET owner = NULL, lease_expires_at = NULL WHERE id = ? AND owner = ?'),
    listInterrupted: prepare(`SELECT ${SQLITE_RUN_SELECT} FROM runs
      WHERE status IN (${ACTIVE_STATUSES_SQL}) AND ${LEASE_FREE} ORDER BY created_at, id`),
    listOwners: prepare<string>(`SELECT DISTINCT owner FROM runs
      WHERE owner IS NOT NULL AND status IN (${ACTIVE_STATUSES_SQL}) ORDER BY owner`).pluck(),
  };
}

/** The SQL of `listRuns` for one filter shape (which filters are set, how many statuses). */
export function listRunsSql(filter: RunFilter, statusCount: number): string {
  const where: string[] = [];
  if (filter.workflow !== undefined) where.push('workflow = ?');
  if (statusCount > 0) where.push(`status IN (${placeholders(statusCount)})`);
  if (filter.parentRunId !== undefined) where.push('parent_run_id = ?');
  if (filter.before !== undefined) where.push('created_at < ?');
  const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  return `SELECT ${SQLITE_RUN_SELECT} FROM runs ${clause} ORDER BY created_at DESC, id DESC LIMIT ?`;
}
