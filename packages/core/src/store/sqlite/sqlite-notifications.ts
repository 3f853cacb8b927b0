import type BetterSqlite3 from 'better-sqlite3';
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

function prepare(db: BetterSqlite3.Database) {
  const statement = <R = unknown>(sql: string) => db.prepare<unknown[], R>(sql);
  return {
    add: statement(`INSERT INTO notification_deliveries
      (run_id, workflow, event, url, attempt, status, http_status, error, created_at)
      VALUES (@runId, @workflow, @event, @url, @attempt, @status, @httpStatus, @error, @createdAt)`),
    list: statement<DeliveryRow>(`SELECT ${DELIVERY_COLUMNS} FROM notification_deliveries
      WHERE (@runId IS NULL OR run_id = @runId) ORDER BY id DESC LIMIT @limit`),
    schedule: statement(`INSERT INTO notification_delays (run_id, url, workflow, due_at)
      VALUES (?, ?, ?, ?) ON CONFLICT (run_id, url) DO NOTHING`),
    due: statement<DelayRow>(`SELECT ${DELAY_COLUMNS} FROM notification_delays
      WHERE fired_at IS NULL AND due_at <= ? ORDER BY due_at`),
    claim: statement(
      'UPDATE notification_delays SET fired_at = ? WHERE run_id = ? AND url = ? AND fired_at IS NULL',
    ),
    drop: statement('DELETE FROM notification_delays WHERE run_id = ?'),
  };
}

/** Notification deliveries and `delayed` deadlines in SQLite. */
export class SqliteNotifications implements NotificationStore {
  #s: ReturnType<typeof prepare> | undefined;

  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly guard: <T>(work: () => T) => T,
  ) {}

  // Prepared on first use: the tables exist only once the store is migrated.
  get #q(): ReturnType<typeof prepare> {
    this.#s ??= prepare(this.db);
    return this.#s;
  }

  async addDelivery(delivery: NewNotificationDelivery): Promise<void> {
    this.guard(() => this.#q.add.run(delivery));
  }

  async listDeliveries(filter: { runId?: string; limit?: number } = {}): Promise<NotificationDelivery[]> {
    const rows = this.guard(() =>
      this.#q.list.all({ runId: filter.runId ?? null, limit: filter.limit ?? -1 }),
    );
    return rows.map(toDelivery);
  }

  async scheduleDelay(delay: Omit<NotificationDelay, 'firedAt'>): Promise<void> {
    this.guard(() => this.#q.schedule.run(delay.runId, delay.url, delay.workflow, delay.dueAt));
  }

  async dueDelays(now: number): Promise<NotificationDelay[]> {
    return this.guard(() => this.#q.due.all(now)).map(toDelay);
  }

  async claimDelay(runId: string, url: string, at: number): Promise<boolean> {
    return this.guard(() => this.#q.claim.run(at, runId, url).changes === 1);
  }

  async dropDelays(runId: string): Promise<void> {
    this.guard(() => this.#q.drop.run(runId));
  }
}
