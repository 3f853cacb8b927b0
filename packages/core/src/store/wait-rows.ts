import { ACTIVE_STATUSES_SQL, type JsonDecoder } from './store-rows.js';
import type { CloudEventRecord, InboxRecord, WaitKind, WaitRecord } from './types.js';

export const WAIT_COLUMNS =
  'run_id, step_key, kind, token, event_type, until_at, created_at, status, outcome, details';
export const INBOX_COLUMNS =
  'id, run_id, step_key, event_id, type, source, time, data, extensions, received_at';

/** The attributes stored in columns of their own; the rest of an event goes to `extensions`. */
const EVENT_ATTRIBUTES = new Set(['id', 'type', 'source', 'time', 'data']);

/**
 * The `event_type` column of a wait: one type as written, several (a state waiting for any of its
 * events) as a JSON array. A single type that starts with `[` is stored as an array too, so a
 * leading `[` always means an array.
 */
export function encodeEventTypes(types: string | readonly string[] | undefined): string | null {
  if (types === undefined) return null;
  const list = typeof types === 'string' ? [types] : [...new Set(types)];
  const [only] = list;
  return list.length === 1 && only !== undefined && !only.startsWith('[') ? only : JSON.stringify(list);
}

/** The event types an `event_type` column holds (see `encodeEventTypes`). */
export function eventTypesOf(column: string | null): string[] {
  if (column === null) return [];
  return column.startsWith('[') ? (JSON.parse(column) as string[]) : [column];
}

/** Open `event` waits of runs that have not ended: who an event sent by type goes to. */
export const OPEN_EVENT_WAITS = `waits AS w JOIN runs AS r ON r.id = w.run_id
  WHERE w.status = 'open' AND w.kind = 'event' AND r.status IN (${ACTIVE_STATUSES_SQL})`;

export interface WaitRow<J> {
  run_id: string;
  step_key: string;
  kind: string;
  token: string;
  event_type: string | null;
  until_at: number | null;
  created_at: number;
  status: string;
  outcome: J | null;
  details: J | null;
}

export interface InboxRow<J> {
  id: number;
  run_id: string;
  step_key: string | null;
  event_id: string;
  type: string;
  source: string;
  time: string;
  data: J | null;
  extensions: J | null;
  received_at: number;
}

export function toWaitRecord<J>(row: WaitRow<J>, decode: JsonDecoder<J>): WaitRecord {
  return {
    runId: row.run_id,
    stepKey: row.step_key,
    kind: row.kind as WaitKind,
    token: row.token,
    eventType: row.event_type,
    until: row.until_at,
    createdAt: row.created_at,
    status: row.status === 'done' ? 'done' : 'open',
    outcome: decode(row.outcome),
    details: decode(row.details) as Record<string, unknown> | null,
  };
}

export function toInboxRecord<J>(row: InboxRow<J>, decode: JsonDecoder<J>): InboxRecord {
  const extensions = (decode(row.extensions) as Record<string, unknown> | null) ?? {};
  return {
    id: row.id,
    runId: row.run_id,
    stepKey: row.step_key,
    event: {
      ...extensions,
      id: row.event_id,
      type: row.type,
      source: row.source,
      time: row.time,
      data: decode(row.data),
    },
    receivedAt: row.received_at,
  };
}

/** The extension attributes of an event (everything but id, type, source, time, data); null if none. */
export function eventExtensions(event: CloudEventRecord): Record<string, unknown> | null {
  const rest = Object.entries(event).filter(([key]) => !EVENT_ATTRIBUTES.has(key));
  return rest.length === 0 ? null : Object.fromEntries(rest);
}
