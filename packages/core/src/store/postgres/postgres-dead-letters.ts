import type { Pool, PoolClient } from 'pg';
import {
  DEAD_LETTER_COLUMNS,
  DEAD_LETTER_LIMIT,
  DEAD_LETTER_ORDER,
  type DeadLetterRow,
  toDeadLetterRecord,
} from '../dead-letter-rows.js';
import type { DeadLetterFilter, DeadLetterRecord, ReopenRun } from '../dead-letter-types.js';
import { POSTGRES_RUN_SELECT, type RunRow, toRunRecord } from '../store-rows.js';
import type { RunRecord } from '../types.js';
import { inTransaction } from './postgres-pool.js';
import { PG_STATEMENTS } from './postgres-sql.js';

const DEAD_LETTER_RECORD = `id text, workflow text, version integer, "runId" text, "stepKey" text,
  "stepId" text, attempt integer, input jsonb, error jsonb, attempts integer, "createdAt" bigint`;

/** pg has already parsed jsonb columns. */
const parsed = (value: unknown): unknown => value;

const Q = {
  // Fenced like a step record: written only while the batch's owner holds the run.
  insert: {
    name: 'weft_insert_dead_letters',
    text: `INSERT INTO dlq (${DEAD_LETTER_COLUMNS})
      SELECT d.id, d.workflow, d.version, d."runId", d."stepKey", d."stepId", d.attempt,
        nullif(d.input, 'null'), d.error, d.attempts, d."createdAt"
      FROM jsonb_to_recordset($1::jsonb) AS d(${DEAD_LETTER_RECORD})
      WHERE EXISTS (SELECT 1 FROM runs WHERE runs.id = d."runId" AND runs.owner = $2)
      ON CONFLICT (run_id, step_key, attempt) DO NOTHING`,
  },
  // A filter that is NULL does not apply.
  list: {
    name: 'weft_list_dead_letters',
    text: `SELECT ${DEAD_LETTER_COLUMNS} FROM dlq
      WHERE ($1::text IS NULL OR workflow = $1) AND ($2::text IS NULL OR run_id = $2)
        AND ($3::bigint IS NULL OR created_at >= $3) AND ($4::bigint IS NULL OR created_at < $4)
      ${DEAD_LETTER_ORDER} LIMIT $5`,
  },
  get: { name: 'weft_get_dead_letter', text: `SELECT ${DEAD_LETTER_COLUMNS} FROM dlq WHERE id = $1` },
  delete: { name: 'weft_delete_dead_letter', text: 'DELETE FROM dlq WHERE id = $1' },
  purge: {
    name: 'weft_purge_dead_letters',
    text: 'DELETE FROM dlq WHERE created_at < $1 AND ($2::text IS NULL OR workflow = $2)',
  },
  deleteOfRun: { name: 'weft_delete_run_dead_letters', text: 'DELETE FROM dlq WHERE run_id = $1' },
  reopen: {
    name: 'weft_reopen_run',
    text: `UPDATE runs SET status = 'running', output = NULL, error = NULL, ended_at = NULL,
        deadline_at = $2, owner = $3, lease_expires_at = $4
      WHERE id = $1 AND status = 'failed' RETURNING ${POSTGRES_RUN_SELECT}`,
  },
} as const;

/** The dead-letter part of the PostgreSQL store. */
export const postgresDeadLetters = {
  /** Inside the commit's transaction. */
  async insert(client: PoolClient, entries: readonly DeadLetterRecord[], owner: string): Promise<void> {
    await client.query({ ...Q.insert, values: [JSON.stringify(entries), owner] });
  },

  async list(pool: Pool, filter: DeadLetterFilter): Promise<DeadLetterRecord[]> {
    const { rows } = await pool.query<DeadLetterRow<unknown>>({
      ...Q.list,
      values: [
        filter.workflow ?? null,
        filter.runId ?? null,
        filter.since ?? null,
        filter.before ?? null,
        filter.limit ?? DEAD_LETTER_LIMIT,
      ],
    });
    return rows.map((row) => toDeadLetterRecord(row, parsed));
  },

  async get(pool: Pool, id: string): Promise<DeadLetterRecord | undefined> {
    const { rows } = await pool.query<DeadLetterRow<unknown>>({ ...Q.get, values: [id] });
    return rows[0] && toDeadLetterRecord(rows[0], parsed);
  },

  async delete(pool: Pool, id: string): Promise<boolean> {
    return ((await pool.query({ ...Q.delete, values: [id] })).rowCount ?? 0) > 0;
  },

  async purge(pool: Pool, before: number, workflow: string | undefined): Promise<number> {
    return (await pool.query({ ...Q.purge, values: [before, workflow ?? null] })).rowCount ?? 0;
  },

  reopen(pool: Pool, reopen: ReopenRun): Promise<RunRecord | undefined> {
    const { runId, owner, now, leaseMs, deadlineAt } = reopen;
    return inTransaction(pool, async (client) => {
      const { rows } = await client.query<RunRow<unknown>>({
        ...Q.reopen,
        values: [runId, deadlineAt, owner, now + leaseMs],
      });
      if (!rows[0]) return undefined;
      const steps = reopen.steps.map((step) => ({ ...step, runId }));
      if (steps.length > 0) {
        await client.query({ ...PG_STATEMENTS.upsertSteps, values: [JSON.stringify(steps)] });
      }
      await client.query({ ...Q.deleteOfRun, values: [runId] });
      return toRunRecord(rows[0], parsed);
    });
  },
};
