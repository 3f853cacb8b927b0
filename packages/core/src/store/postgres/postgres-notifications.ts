import type { Pool } from 'pg';
import {
  DELAY_COLUMNS,
  DELIVERY_COLUMNS,
  type DelayRow,
  type DeliveryRow,
  toDelay,
  toDelivery,
} from '../notification-rows.js';
import type {
  NewNotificationDelivery,
  NotificationDelay,
  NotificationDelivery,
  NotificationStore,
} from '../notification-types.js';

const Q = {
  add: {
    name: 'weft_notification_add',
    text: `INSERT INTO notification_deliveries
      (run_id, workflow, event, url, attempt, status, http_status, error, created_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
  },
  list: {
    name: 'weft_notification_list',
    text: `SELECT ${DELIVERY_COLUMNS} FROM notification_deliveries
      WHERE ($1::text IS NULL OR run_id = $1) ORDER BY id DESC LIMIT $2`,
  },
  schedule: {
    name: 'weft_notification_schedule',
    text: `INSERT INTO notification_delays (run_id, url, workflow, due_at)
      VALUES ($1, $2, $3, $4) ON CONFLICT (run_id, url) DO NOTHING`,
  },
  due: {
    name: 'weft_notification_due',
    text: `SELECT ${DELAY_COLUMNS} FROM notification_delays WHERE fired_at IS NULL AND due_at <= $1 ORDER BY due_at`,
  },
  claim: {
    name: 'weft_notification_claim',
    text: 'UPDATE notification_delays SET fired_at = $1 WHERE run_id = $2 AND url = $3 AND fired_at IS NULL',
  },
  drop: { name: 'weft_notification_drop', text: 'DELETE FROM notification_delays WHERE run_id = $1' },
} as const;

/** Notification deliveries and `delayed` deadlines in PostgreSQL. */
export class PostgresNotifications implements NotificationStore {
  constructor(
    private readonly pool: Pool,
    private readonly guard: <T>(work: () => Promise<T>) => Promise<T>,
  ) {}

  async addDelivery(d: NewNotificationDelivery): Promise<void> {
    const values = [
      d.runId,
      d.workflow,
      d.event,
      d.url,
      d.attempt,
      d.status,
      d.httpStatus,
      d.error,
      d.createdAt,
    ];
    await this.guard(() => this.pool.query({ ...Q.add, values }));
  }

  async listDeliveries(filter: { runId?: string; limit?: number } = {}): Promise<NotificationDelivery[]> {
    const values = [filter.runId ?? null, filter.limit ?? null];
    const { rows } = await this.guard(() => this.pool.query<DeliveryRow>({ ...Q.list, values }));
    return rows.map(toDelivery);
  }

  async scheduleDelay(delay: Omit<NotificationDelay, 'firedAt'>): Promise<void> {
    const values = [delay.runId, delay.url, delay.workflow, delay.dueAt];
    await this.guard(() => this.pool.query({ ...Q.schedule, values }));
  }

  async dueDelays(now: number): Promise<NotificationDelay[]> {
    const { rows } = await this.guard(() => this.pool.query<DelayRow>({ ...Q.due, values: [now] }));
    return rows.map(toDelay);
  }

  async claimDelay(runId: string, url: string, at: number): Promise<boolean> {
    const result = await this.guard(() => this.pool.query({ ...Q.claim, values: [at, runId, url] }));
    return result.rowCount === 1;
  }

  async dropDelays(runId: string): Promise<void> {
    await this.guard(() => this.pool.query({ ...Q.drop, values: [runId] }));
  }
}
