import type { NotificationDelay, NotificationDelivery } from './notification-types.js';

export const DELIVERY_COLUMNS =
  'id, run_id, workflow, event, url, attempt, status, http_status, error, created_at';
export const DELAY_COLUMNS = 'run_id, workflow, url, due_at, fired_at';

export interface DeliveryRow {
  id: number | string;
  run_id: string;
  workflow: string;
  event: string;
  url: string;
  attempt: number;
  status: string;
  http_status: number | null;
  error: string | null;
  created_at: number | string;
}

export interface DelayRow {
  run_id: string;
  workflow: string;
  url: string;
  due_at: number | string;
  fired_at: number | string | null;
}

export function toDelivery(row: DeliveryRow): NotificationDelivery {
  return {
    id: Number(row.id),
    runId: row.run_id,
    workflow: row.workflow,
    event: row.event,
    url: row.url,
    attempt: Number(row.attempt),
    status: row.status as NotificationDelivery['status'],
    httpStatus: row.http_status === null ? null : Number(row.http_status),
    error: row.error,
    createdAt: Number(row.created_at),
  };
}

export function toDelay(row: DelayRow): NotificationDelay {
  return {
    runId: row.run_id,
    workflow: row.workflow,
    url: row.url,
    dueAt: Number(row.due_at),
    firedAt: row.fired_at === null ? null : Number(row.fired_at),
  };
}
