/** One row of a concurrency key: a slot held, or a place in its queue. */
export interface SlotRecord {
  key: string;
  /** Who holds or waits: a run id (run slots) or `<owner>#<n>` (step slots, lent to one step at a time). */
  holder: string;
  /** The lease owner (process) that renews it; the row goes when its lease expires. */
  owner: string;
  status: 'held' | 'queued';
  /** Arrival order: increasing, assigned by the store. */
  seq: number;
  queuedAt: number;
  acquiredAt: number | null;
  leaseExpiresAt: number;
}

export interface SlotRequest {
  key: string;
  holder: string;
  owner: string;
  /** At most this many holders of `key` at once. */
  limit: number;
  now: number;
  leaseMs: number;
  /** Keep a place in the queue when no slot is free (false: ask once, leave no row). */
  queue: boolean;
  /** Owners known to be dead (their process is gone): their rows are dropped first. */
  deadOwners?: readonly string[];
}

export type SlotGrant =
  | { acquired: true }
  | {
      acquired: false;
      /** The slots taken, oldest first (cancel_running cancels from the front). */
      held: SlotRecord[];
      /** Waiters ahead of this one. */
      ahead: number;
    };

/**
 * Concurrency slots as rows, shared by every process on one store. `acquire` is one transaction
 * (SQLite BEGIN IMMEDIATE; PostgreSQL under an advisory lock on the key): expired rows go, then the
 * holder takes a slot when fewer than `limit` are held and no earlier waiter is still queued.
 * @example const grant = await slots.acquire({ key: 'step:tenant-7', holder, owner, limit: 2, now, leaseMs, queue: true });
 */
export interface SlotStore {
  acquire(request: SlotRequest): Promise<SlotGrant>;
  /** Drops these rows (held or queued) of `key`. */
  release(key: string, holders: readonly string[]): Promise<void>;
  /** True when a live row of `key` is queued: a slot kept for reuse must be given back. */
  hasWaiters(key: string, now: number): Promise<boolean>;
  /** Extends the lease of every row of `owner`. */
  renew(owner: string, leaseMs: number, now: number): Promise<void>;
  /** Drops every row of `owner` (its engine closes). */
  releaseOwner(owner: string): Promise<void>;
  /** Rows by key, then arrival; of one key when given. */
  list(key?: string): Promise<SlotRecord[]>;
}
