import type BetterSqlite3 from 'better-sqlite3';
import {
  DEAD_LETTER_COLUMNS,
  DEAD_LETTER_LIMIT,
  DEAD_LETTER_ORDER,
  type DeadLetterRow,
  toDeadLetterRecord,
} from '../dead-letter-rows.js';
import type { DeadLetterFilter, DeadLetterRecord, ReopenRun } from '../dead-letter-types.js';
import {
  decodeJson,
  encodeJson,
  RUN_COLUMNS,
  type RunRow,
  SQLITE_LAST_SEQ,
  STEP_COLUMNS,
  toRunRecord,
} from '../store-rows.js';
import type { RunRecord } from '../types.js';

type Statement<R = unknown> = BetterSqlite3.Statement<unknown[], R>;

function prepare(db: BetterSqlite3.Database) {
  const statement = <R>(sql: string): Statement<R> => db.prepare<unknown[], R>(sql);
  return {
    // Fenced like a step record: written only while the batch's owner holds the run.
    insert: statement(`INSERT INTO dlq (${DEAD_LETTER_COLUMNS})
      SELECT @id, @workflow, @version, @runId, @stepKey, @stepId, @attempt, @input, @error, @attempts,
        @createdAt
      WHERE EXISTS (SELECT 1 FROM runs WHERE id = @runId AND owner = @owner)
      ON CONFLICT (run_id, step_key, attempt) DO NOTHING`),
    // A filter that is NULL does not apply.
    list: statement<DeadLetterRow<string>>(`SELECT ${DEAD_LETTER_COLUMNS} FROM dlq
      WHERE (@workflow IS NULL OR workflow = @workflow) AND (@runId IS NULL OR run_id = @runId)
        AND (@since IS NULL OR created_at >= @since) AND (@before IS NULL OR created_at < @before)
      ${DEAD_LETTER_ORDER} LIMIT @limit`),
    get: statement<DeadLetterRow<string>>(`SELECT ${DEAD_LETTER_COLUMNS} FROM dlq WHERE id = ?`),
    delete: statement('DELETE FROM dlq WHERE id = ?'),
    purge: statement(
      'DELETE FROM dlq WHERE created_at < @before AND (@workflow IS NULL OR workflow = @workflow)',
    ),
    deleteOfRun: statement('DELETE FROM dlq WHERE run_id = ?'),
    reopen: statement<RunRow<string>>(`UPDATE runs SET status = 'running', output = NULL, error = NULL,
        ended_at = NULL, deadline_at = @deadlineAt, owner = @owner, lease_expires_at = @leaseExpiresAt,
        last_seq = ${SQLITE_LAST_SEQ}
      WHERE id = @runId AND status = 'failed' RETURNING ${RUN_COLUMNS}`),
    upsertStep: statement(`INSERT INTO steps (${STEP_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (run_id, step_key, attempt) DO UPDATE SET step_id = excluded.step_id,
      type = excluded.type, status = excluded.status, started_at = excluded.started_at,
      ended_at = excluded.ended_at, input = excluded.input, output = excluded.output,
      error = excluded.error, meta = excluded.meta`),
  };
}

/** The dead-letter part of the SQLite store; every method runs synchronously on one connection. */
export class SqliteDeadLetters {
  readonly #s: ReturnType<typeof prepare>;
  readonly #reopen: (reopen: ReopenRun) => RunRecord | undefined;

  /** Prepares its statements: call after the schema is current. */
  constructor(db: BetterSqlite3.Database) {
    const s = prepare(db);
    this.#s = s;
    const reopenTx = db.transaction((reopen: ReopenRun): RunRecord | undefined => {
      const { runId, owner, now, leaseMs, deadlineAt } = reopen;
      const row = s.reopen.get({ runId, owner, leaseExpiresAt: now + leaseMs, deadlineAt });
      if (!row) return undefined;
      for (const step of reopen.steps) {
        s.upsertStep.run(
          runId,
          step.stepKey,
          step.attempt,
          step.stepId,
          step.type,
          step.status,
          step.startedAt ?? null,
          step.endedAt ?? null,
          encodeJson(step.input),
          encodeJson(step.output),
          encodeJson(step.error),
          encodeJson(step.meta),
        );
      }
      s.deleteOfRun.run(runId);
      return toRunRecord(row, decodeJson);
    });
    this.#reopen = (reopen) => reopenTx.immediate(reopen);
  }

  /** Inside the commit's transaction. */
  insert(entries: readonly DeadLetterRecord[], owner: string): void {
    for (const entry of entries) {
      this.#s.insert.run({
        ...entry,
        input: encodeJson(entry.input),
        error: encodeJson(entry.error),
        owner,
      });
    }
  }

  list(filter: DeadLetterFilter): DeadLetterRecord[] {
    const rows = this.#s.list.all({
      workflow: filter.workflow ?? null,
      runId: filter.runId ?? null,
      since: filter.since ?? null,
      before: filter.before ?? null,
      limit: filter.limit ?? DEAD_LETTER_LIMIT,
    });
    return rows.map((row) => toDeadLetterRecord(row, decodeJson));
  }

  get(id: string): DeadLetterRecord | undefined {
    const row = this.#s.get.get(id);
    return row && toDeadLetterRecord(row, decodeJson);
  }

  delete(id: string): boolean {
    return this.#s.delete.run(id).changes > 0;
  }

  purge(before: number, workflow: string | undefined): number {
    return this.#s.purge.run({ before, workflow: workflow ?? null }).changes;
  }

  reopen(reopen: ReopenRun): RunRecord | undefined {
    return this.#reopen(reopen);
  }
}
