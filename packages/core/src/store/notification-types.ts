/** One attempt to deliver a notification (notify/), as `weft notifications list` shows it. */
export interface NotificationDelivery {
  id: number;
  runId: string;
  workflow: string;
  /** `completed`, `failed`, `cancelled` or `delayed`. */
  event: string;
  url: string;
  attempt: number;
  /** `delivered` (2xx), or `failed` (another status, or no answer: see `error`). */
  status: 'delivered' | 'failed';
  httpStatus: number | null;
  error: string | null;
  createdAt: number;
}

export type NewNotificationDelivery = Omit<NotificationDelivery, 'id'>;

/** A `delayed` notification due at `dueAt` unless the run ends first; kept so a restart keeps it. */
export interface NotificationDelay {
  runId: string;
  workflow: string;
  url: string;
  dueAt: number;
  firedAt: number | null;
}

/** Deliveries and `delayed` deadlines of notifications, in the store. */
export interface NotificationStore {
  addDelivery(delivery: NewNotificationDelivery): Promise<void>;
  /** Newest first; of one run when `runId` is given. */
  listDeliveries(filter?: { runId?: string; limit?: number }): Promise<NotificationDelivery[]>;
  /** Stores a deadline; one already stored for the same run and URL is kept. */
  scheduleDelay(delay: Omit<NotificationDelay, 'firedAt'>): Promise<void>;
  /** Deadlines not fired yet, due at or before `now`, oldest first. */
  dueDelays(now: number): Promise<NotificationDelay[]>;
  /** Claims a deadline to fire it: false when another process (or an earlier call) fired it. */
  claimDelay(runId: string, url: string, at: number): Promise<boolean>;
  /** Drops the deadlines of a run that ended (fired or not). */
  dropDelays(runId: string): Promise<void>;
}
