import type { Pool } from 'pg';
import { ACTIVE_STATUSES_SQL, encodeJson } from '../store-rows.js';
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
import { inTransaction } from './postgres-pool.js';

// JSON travels as text cast to jsonb: pg would turn a JS array into a PostgreSQL array.
const INSERT_EVENT = `INSERT INTO inbox (run_id, step_key, event_id, type, source, time, data, extensions,
  received_at)`;
/** `$1`..`$7`: event id, type, source, time, data, extensions, received_at. */
const EVENT_VALUES = '$1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::bigint';

const Q = {
  insertWait: {
    name: 'weft_insert_wait',
    text: `INSERT INTO waits (${WAIT_COLUMNS})
      VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', NULL, $8::jsonb) ON CONFLICT (run_id, step_key) DO NOTHING`,
  },
  getWait: {
    name: 'weft_get_wait',
    text: `SELECT ${WAIT_COLUMNS} FROM waits WHERE run_id = $1 AND step_key = $2`,
  },
  getWaitByToken: {
    name: 'weft_get_wait_by_token',
    text: `SELECT ${WAIT_COLUMNS} FROM waits WHERE token = $1`,
  },
  // A filter that is NULL does not apply.
  listWaits: {
    name: 'weft_list_waits',
    text: `SELECT ${WAIT_COLUMNS} FROM waits
      WHERE ($1::text[] IS NULL OR run_id = ANY($1::text[])) AND ($2::text IS NULL OR status = $2)
        AND ($3::text IS NULL OR kind = $3) AND ($4::bigint IS NULL OR until_at <= $4)
      ORDER BY created_at, run_id, step_key`,
  },
  // One statement: the wait ends and the events addressed to that step alone go with it.
  closeWait: {
    name: 'weft_close_wait',
    text: `WITH closed AS (
        UPDATE waits SET status = 'done', outcome = $3::jsonb
        WHERE run_id = $1 AND step_key = $2 AND status = 'open' RETURNING run_id, step_key),
      dropped AS (
        DELETE FROM inbox AS i USING closed AS c
        WHERE i.run_id = c.run_id AND i.step_key = c.step_key AND i.taken_by_step IS NULL)
      SELECT count(*)::int AS closed FROM closed`,
  },
  putRunEvent: {
    name: 'weft_put_run_event',
    text: `${INSERT_EVENT} SELECT id, NULL, ${EVENT_VALUES} FROM runs
      WHERE id = $8 AND status IN (${ACTIVE_STATUSES_SQL})`,
  },
  putStepEvent: {
    name: 'weft_put_step_event',
    text: `${INSERT_EVENT} SELECT w.run_id, w.step_key, ${EVENT_VALUES}
      FROM ${OPEN_EVENT_WAITS} AND w.run_id = $8 AND w.step_key = $9`,
  },
  putTypeEvent: {
    name: 'weft_put_type_event',
    text: `${INSERT_EVENT} SELECT w.run_id, w.step_key, ${EVENT_VALUES}
      FROM ${OPEN_EVENT_WAITS} AND CASE WHEN left(w.event_type, 1) = '['
        THEN w.event_type::jsonb ? $2 ELSE w.event_type = $2 END`,
  },
  listInbox: {
    name: 'weft_list_inbox',
    text: `SELECT ${INBOX_COLUMNS} FROM inbox
      WHERE taken_by_step IS NULL AND run_id = ANY($1::text[]) AND ($2::text[] IS NULL OR type = ANY($2::text[]))
      ORDER BY id`,
  },
  takeEvent: {
    name: 'weft_take_event',
    text: `UPDATE inbox SET taken_by_step = $1, taken_at = $2
      WHERE id = $3 AND run_id = $4 AND taken_by_step IS NULL AND (step_key IS NULL OR step_key = $1)`,
  },
} as const;

class TakeAborted extends Error {}

/** The wait and inbox part of the PostgreSQL store. Errors are the driver's; the store wraps them. */
export const postgresWaits = {
  async openWait(pool: Pool, wait: NewWait): Promise<WaitRecord> {
    const { runId, stepKey } = wait;
    await pool.query({
      ...Q.insertWait,
      values: [
        runId,
        stepKey,
        wait.kind,
        wait.token,
        wait.eventType,
        wait.until,
        wait.createdAt,
        encodeJson(wait.details),
      ],
    });
    return (await postgresWaits.getWait(pool, runId, stepKey))!;
  },

  async getWait(pool: Pool, runId: string, stepKey: string): Promise<WaitRecord | undefined> {
    const { rows } = await pool.query<WaitRow<unknown>>({ ...Q.getWait, values: [runId, stepKey] });
    return rows[0] && toWaitRecord(rows[0], parsed);
  },

  async getWaitByToken(pool: Pool, token: string): Promise<WaitRecord | undefined> {
    const { rows } = await pool.query<WaitRow<unknown>>({ ...Q.getWaitByToken, values: [token] });
    return rows[0] && toWaitRecord(rows[0], parsed);
  },

  async listWaits(pool: Pool, filter: WaitFilter): Promise<WaitRecord[]> {
    const values = [
      filter.runIds ?? null,
      filter.status ?? null,
      filter.kind ?? null,
      filter.dueBefore ?? null,
    ];
    const { rows } = await pool.query<WaitRow<unknown>>({ ...Q.listWaits, values });
    return rows.map((row) => toWaitRecord(row, parsed));
  },

  async closeWait(pool: Pool, runId: string, stepKey: string, outcome: unknown): Promise<boolean> {
    const { rows } = await pool.query<{ closed: number }>({
      ...Q.closeWait,
      values: [runId, stepKey, encodeJson(outcome)],
    });
    return (rows[0]?.closed ?? 0) > 0;
  },

  async putEvent(pool: Pool, event: CloudEventRecord, target: InboxTarget): Promise<number> {
    const values = [
      event.id,
      event.type,
      event.source,
      event.time,
      encodeJson(event.data),
      encodeJson(eventExtensions(event)),
      target.now,
    ];
    const query =
      target.runId === undefined
        ? { ...Q.putTypeEvent, values }
        : target.stepKey === undefined
          ? { ...Q.putRunEvent, values: [...values, target.runId] }
          : { ...Q.putStepEvent, values: [...values, target.runId, target.stepKey] };
    return (await pool.query(query)).rowCount ?? 0;
  },

  async listInbox(pool: Pool, filter: InboxFilter): Promise<InboxRecord[]> {
    if (filter.runIds.length === 0) return [];
    const { rows } = await pool.query<InboxRow<unknown>>({
      ...Q.listInbox,
      values: [filter.runIds, filter.types ?? null],
    });
    return rows.map((row) => toInboxRecord(row, parsed));
  },

  async takeEvent(pool: Pool, take: TakeEvent): Promise<boolean> {
    const { id, runId, stepKey, now } = take;
    try {
      return await inTransaction(pool, async (client) => {
        const taken = await client.query({ ...Q.takeEvent, values: [stepKey, now, id, runId] });
        if (taken.rowCount === 0) return false;
        const closed = await client.query<{ closed: number }>({
          ...Q.closeWait,
          values: [runId, stepKey, encodeJson(take.outcome)],
        });
        // The wait ended first: roll back so the event stays for another step.
        if ((closed.rows[0]?.closed ?? 0) === 0) throw new TakeAborted();
        return true;
      });
    } catch (error) {
      if (error instanceof TakeAborted) return false;
      throw error;
    }
  },
};

/** pg has already parsed jsonb columns. */
function parsed(value: unknown): unknown {
  return value;
}
