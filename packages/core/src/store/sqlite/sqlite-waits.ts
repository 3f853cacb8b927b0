import type BetterSqlite3 from 'better-sqlite3';
import { ACTIVE_STATUSES_SQL, decodeJson, encodeJson } from '../store-rows.js';
import type {
  CloudEventRecord,
  InboxFilter,
  InboxRecord,
  InboxTarget,
  NewWait,
  TakeEvent,
  WaitFilter,
  WaitRecord,
} from '../types.js';
import {
  eventExtensions,
  INBOX_COLUMNS,
  type InboxRow,
  OPEN_EVENT_WAITS,
  toInboxRecord,
  toWaitRecord,
  WAIT_COLUMNS,
  type WaitRow,
} from '../wait-rows.js';

type Statement<R = unknown> = BetterSqlite3.Statement<unknown[], R>;

const INSERT_EVENT = `INSERT INTO inbox (run_id, step_key, event_id, type, source, time, data, extensions,
  received_at)`;
const EVENT_VALUES = '@eventId, @type, @source, @time, @data, @extensions, @now';

function prepare(db: BetterSqlite3.Database) {
  const statement = <R>(sql: string): Statement<R> => db.prepare<unknown[], R>(sql);
  return {
    insertWait: statement(`INSERT INTO waits (${WAIT_COLUMNS})
      VALUES (?, ?, ?, ?, ?, ?, ?, 'open', NULL, ?) ON CONFLICT (run_id, step_key) DO NOTHING`),
    getWait: statement<WaitRow<string>>(
      `SELECT ${WAIT_COLUMNS} FROM waits WHERE run_id = ? AND step_key = ?`,
    ),
    getWaitByToken: statement<WaitRow<string>>(`SELECT ${WAIT_COLUMNS} FROM waits WHERE token = ?`),
    // A filter that is NULL does not apply; run ids travel as one JSON array.
    listWaits: statement<WaitRow<string>>(`SELECT ${WAIT_COLUMNS} FROM waits
      WHERE (@runIds IS NULL OR run_id IN (SELECT value FROM json_each(@runIds)))
        AND (@status IS NULL OR status = @status) AND (@kind IS NULL OR kind = @kind)
        AND (@dueBefore IS NULL OR until_at <= @dueBefore)
      ORDER BY created_at, run_id, step_key`),
    closeWait: statement(`UPDATE waits SET status = 'done', outcome = ?
      WHERE run_id = ? AND step_key = ? AND status = 'open'`),
    dropStepEvents: statement(
      'DELETE FROM inbox WHERE run_id = ? AND step_key = ? AND taken_by_step IS NULL',
    ),
    putRunEvent: statement(`${INSERT_EVENT} SELECT id, NULL, ${EVENT_VALUES} FROM runs
      WHERE id = @runId AND status IN (${ACTIVE_STATUSES_SQL})`),
    putStepEvent: statement(`${INSERT_EVENT} SELECT w.run_id, w.step_key, ${EVENT_VALUES}
      FROM ${OPEN_EVENT_WAITS} AND w.run_id = @runId AND w.step_key = @stepKey`),
    putTypeEvent: statement(`${INSERT_EVENT} SELECT w.run_id, w.step_key, ${EVENT_VALUES}
      FROM ${OPEN_EVENT_WAITS} AND CASE WHEN substr(w.event_type, 1, 1) = '['
        THEN EXISTS (SELECT 1 FROM json_each(w.event_type) WHERE value = @type)
        ELSE w.event_type = @type END`),
    listInbox: statement<InboxRow<string>>(`SELECT ${INBOX_COLUMNS} FROM inbox
      WHERE taken_by_step IS NULL AND run_id IN (SELECT value FROM json_each(@runIds))
        AND (@types IS NULL OR type IN (SELECT value FROM json_each(@types)))
      ORDER BY id`),
    takeEvent: statement(`UPDATE inbox SET taken_by_step = ?, taken_at = ?
      WHERE id = ? AND run_id = ? AND taken_by_step IS NULL AND (step_key IS NULL OR step_key = ?)`),
  };
}

/** The wait and inbox part of the SQLite store; every method runs synchronously on one connection. */
export class SqliteWaits {
  readonly #s: ReturnType<typeof prepare>;
  readonly #close: (runId: string, stepKey: string, outcome: unknown) => boolean;
  readonly #take: (take: TakeEvent) => boolean;

  /** Prepares its statements: call after the schema is current. */
  constructor(db: BetterSqlite3.Database) {
    const s = prepare(db);
    this.#s = s;
    const close = (runId: string, stepKey: string, outcome: unknown): boolean => {
      if (s.closeWait.run(encodeJson(outcome), runId, stepKey).changes === 0) return false;
      s.dropStepEvents.run(runId, stepKey);
      return true;
    };
    const closeTx = db.transaction(close);
    this.#close = (...args) => closeTx.immediate(...args);
    const takeTx = db.transaction((take: TakeEvent): boolean => {
      const { id, runId, stepKey, now } = take;
      if (s.takeEvent.run(stepKey, now, id, runId, stepKey).changes === 0) return false;
      if (close(runId, stepKey, take.outcome)) return true;
      // The wait ended first: give the event back by undoing this transaction.
      throw new TakeAborted();
    });
    this.#take = (take) => {
      try {
        return takeTx.immediate(take);
      } catch (error) {
        if (error instanceof TakeAborted) return false;
        throw error;
      }
    };
  }

  openWait(wait: NewWait): WaitRecord {
    const { runId, stepKey } = wait;
    this.#s.insertWait.run(
      runId,
      stepKey,
      wait.kind,
      wait.token,
      wait.eventType,
      wait.until,
      wait.createdAt,
      encodeJson(wait.details),
    );
    return this.getWait(runId, stepKey)!;
  }

  getWait(runId: string, stepKey: string): WaitRecord | undefined {
    const row = this.#s.getWait.get(runId, stepKey);
    return row && toWaitRecord(row, decodeJson);
  }

  getWaitByToken(token: string): WaitRecord | undefined {
    const row = this.#s.getWaitByToken.get(token);
    return row && toWaitRecord(row, decodeJson);
  }

  listWaits(filter: WaitFilter): WaitRecord[] {
    const runIds = filter.runIds === undefined ? null : JSON.stringify(filter.runIds);
    const rows = this.#s.listWaits.all({
      runIds,
      status: filter.status ?? null,
      kind: filter.kind ?? null,
      dueBefore: filter.dueBefore ?? null,
    });
    return rows.map((row) => toWaitRecord(row, decodeJson));
  }

  closeWait(runId: string, stepKey: string, outcome: unknown): boolean {
    return this.#close(runId, stepKey, outcome);
  }

  putEvent(event: CloudEventRecord, target: InboxTarget): number {
    const values = {
      eventId: event.id,
      type: event.type,
      source: event.source,
      time: event.time,
      data: encodeJson(event.data),
      extensions: encodeJson(eventExtensions(event)),
      now: target.now,
    };
    const { runId, stepKey } = target;
    if (runId === undefined) return this.#s.putTypeEvent.run(values).changes;
    if (stepKey === undefined) return this.#s.putRunEvent.run({ ...values, runId }).changes;
    return this.#s.putStepEvent.run({ ...values, runId, stepKey }).changes;
  }

  listInbox(filter: InboxFilter): InboxRecord[] {
    if (filter.runIds.length === 0) return [];
    const types = filter.types === undefined ? null : JSON.stringify(filter.types);
    const rows = this.#s.listInbox.all({ runIds: JSON.stringify(filter.runIds), types });
    return rows.map((row) => toInboxRecord(row, decodeJson));
  }

  takeEvent(take: TakeEvent): boolean {
    return this.#take(take);
  }
}

class TakeAborted extends Error {}
