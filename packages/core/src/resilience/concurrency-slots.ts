import { deadLocalOwners } from '../engine/owner.js';
import { WeftError } from '../errors.js';
import type { SlotGrant, SlotRecord, SlotStore } from './concurrency-store.js';

export interface ConcurrencySlotsOptions {
  store: SlotStore;
  /** This engine's lease owner: every row it writes carries it, and it renews them. */
  owner: string;
  leaseMs: number;
  /** How often a waiter asks the store again (releases in this process wake it at once); default 200. */
  pollMs?: number;
  /** How long a step slot stays with this process after its step ended, for the next step; default 50. */
  lingerMs?: number;
}

export interface SlotWait {
  signal: AbortSignal;
  /** Called once, when the first try finds no free slot and the caller starts waiting. */
  onQueued?(reason: string): void;
}

/** How long a "nobody else waits" answer is trusted before a kept slot is lent again. */
const QUIET_MS = 5;

/** Slots of one key that this process holds for its steps. */
interface Pool {
  /** Rows held and not lent: the next step takes one without a transaction. */
  idle: string[];
  /** Steps of this process waiting in the key's queue. */
  waiting: number;
  usedAt: number;
  /** When the store last said nobody else waits for the key. */
  quietAt: number;
  linger: NodeJS.Timeout | undefined;
}

/**
 * Concurrency slots across processes (rows in the store, see SlotStore), with two uses:
 * `lend` for steps, `hold` for runs. A step slot is held by this process and lent to one step at a
 * time: when a step ends it is kept for `lingerMs` and the next step takes it without a
 * transaction, unless someone queued for the key meanwhile (then it goes back). A run slot is held
 * by the run itself, so the process that resumes a run keeps its slot.
 */
export class ConcurrencySlots {
  readonly #store: SlotStore;
  readonly #owner: string;
  readonly #leaseMs: number;
  readonly #pollMs: number;
  readonly #lingerMs: number;
  readonly #pools = new Map<string, Pool>();
  /** Wake-ups of waiters, by key. */
  readonly #sleepers = new Map<string, Set<() => void>>();
  readonly #renewal: NodeJS.Timeout;
  /** Rows of this owner in the store (held, lent, idle or queued): renewed while there are any. */
  #rows = 0;
  #next = 0;
  #closed = false;

  constructor(options: ConcurrencySlotsOptions) {
    this.#store = options.store;
    this.#owner = options.owner;
    this.#leaseMs = options.leaseMs;
    this.#pollMs = options.pollMs ?? 200;
    this.#lingerMs = options.lingerMs ?? 50;
    this.#renewal = setInterval(() => void this.#renew(), Math.max(50, Math.floor(options.leaseMs / 3)));
    this.#renewal.unref();
  }

  /**
   * Lends a slot of `key` to one step; resolves with the function that gives it back (call it once).
   * @example const done = await slots.lend('step:tenant-7', 2, { signal }); try { ... } finally { done(); }
   */
  async lend(key: string, limit: number, wait: SlotWait): Promise<() => void> {
    const pool = this.#pool(key);
    if (pool.idle.length > 0) {
      // Asked at most every QUIET_MS: a waiter elsewhere gets the slot that much later at worst.
      const now = Date.now();
      const quiet = now - pool.quietAt < QUIET_MS || !(await this.#store.hasWaiters(key, now));
      if (quiet) {
        if (pool.quietAt <= now - QUIET_MS) pool.quietAt = now;
        const holder = pool.idle.pop();
        if (holder !== undefined) return this.#lent(key, pool, holder);
      } else {
        pool.quietAt = 0;
        await this.#give(key, pool.idle.splice(0));
      }
    }
    const holder = `${this.#owner}#${++this.#next}`;
    pool.waiting++;
    try {
      await this.#take({ key, limit, holder, queue: true }, wait);
    } finally {
      pool.waiting--;
    }
    return this.#lent(key, pool, holder);
  }

  /**
   * Takes a slot of `key` for `holder` (a run id). With `queue: false`, one try: false when none
   * is free. `onFull` hears of the holders once, when the first try finds the key full.
   */
  async hold(
    key: string,
    limit: number,
    holder: string,
    options: SlotWait & { queue: boolean; once?: boolean; onFull?(held: SlotRecord[]): Promise<void> | void },
  ): Promise<boolean> {
    return this.#take({ key, limit, holder, queue: options.queue }, options);
  }

  /** Gives up a run's slot or its place in the queue. */
  async unhold(key: string, holder: string): Promise<void> {
    await this.#give(key, [holder]);
  }

  /** Stops renewing and deletes every row of this owner (queued places included). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#renewal);
    for (const pool of this.#pools.values()) if (pool.linger) clearTimeout(pool.linger);
    for (const sleepers of this.#sleepers.values()) for (const wake of sleepers) wake();
    if (this.#rows > 0) await this.#store.releaseOwner(this.#owner).catch(() => {});
    this.#rows = 0;
  }

  /** The acquire loop: one transaction per try; waits for a local release, the poll, or the signal. */
  async #take(
    slot: { key: string; limit: number; holder: string; queue: boolean },
    wait: SlotWait & { once?: boolean; onFull?(held: SlotRecord[]): Promise<void> | void },
  ): Promise<boolean> {
    let queued = false;
    let dead: string[] | undefined;
    let full = false;
    try {
      for (;;) {
        if (wait.signal.aborted) throw WeftError.from(wait.signal.reason, 'cancelled');
        if (this.#closed) throw new WeftError('cancelled', 'the engine was closed');
        const grant: SlotGrant = await this.#store.acquire({
          ...slot,
          owner: this.#owner,
          now: Date.now(),
          leaseMs: this.#leaseMs,
          deadOwners: dead,
        });
        if (grant.acquired) {
          if (!queued) this.#rows++;
          return true;
        }
        if (slot.queue && !queued) {
          queued = true;
          this.#rows++;
        }
        // Holders whose process is gone (same host) give their slots up now, not at lease expiry.
        const gone = deadLocalOwners([...new Set(grant.held.map((row) => row.owner))], this.#owner);
        if (gone.length > 0 && gone.some((owner) => !dead?.includes(owner))) {
          dead = [...new Set([...(dead ?? []), ...gone])];
          continue;
        }
        if (!full) {
          full = true;
          await wait.onFull?.(grant.held);
          if (!slot.queue) return false;
          wait.onQueued?.(
            `waiting for a concurrency slot of '${slot.key}' (limit ${slot.limit}: ${grant.held.length} taken, ${grant.ahead} waiting before)`,
          );
        }
        // `once`: the place in the queue is kept, and the caller waits later.
        if (!slot.queue || wait.once) return false;
        await this.#sleep(slot.key, wait.signal);
      }
    } catch (error) {
      if (queued) await this.#give(slot.key, [slot.holder]).catch(() => {});
      throw error;
    }
  }

  #lent(key: string, pool: Pool, holder: string): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      pool.usedAt = Date.now();
      if (pool.waiting > 0 || this.#closed) {
        // Steps of this process wait in the key's queue: the slot goes back, in arrival order.
        void this.#give(key, [holder]).catch(() => {});
        return;
      }
      pool.idle.push(holder);
      this.#linger(key, pool);
    };
  }

  /** Gives idle slots back once nothing in this process used the key for `lingerMs`. */
  #linger(key: string, pool: Pool): void {
    if (pool.linger) return;
    const check = () => {
      const quiet = Date.now() - pool.usedAt;
      if (quiet < this.#lingerMs) {
        pool.linger = setTimeout(check, this.#lingerMs - quiet);
        pool.linger.unref();
        return;
      }
      pool.linger = undefined;
      void this.#give(key, pool.idle.splice(0)).catch(() => {});
    };
    pool.linger = setTimeout(check, this.#lingerMs);
    pool.linger.unref();
  }

  async #give(key: string, holders: string[]): Promise<void> {
    if (holders.length === 0) return;
    this.#rows = Math.max(0, this.#rows - holders.length);
    try {
      await this.#store.release(key, holders);
    } finally {
      for (const wake of this.#sleepers.get(key) ?? []) wake();
    }
  }

  #sleep(key: string, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const set = this.#sleepers.get(key) ?? new Set<() => void>();
      this.#sleepers.set(key, set);
      const wake = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', wake);
        set.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, this.#pollMs);
      signal.addEventListener('abort', wake, { once: true });
      set.add(wake);
    });
  }

  #pool(key: string): Pool {
    let pool = this.#pools.get(key);
    if (!pool) {
      pool = { idle: [], waiting: 0, usedAt: 0, quietAt: 0, linger: undefined };
      this.#pools.set(key, pool);
    }
    return pool;
  }

  async #renew(): Promise<void> {
    if (this.#rows === 0 || this.#closed) return;
    try {
      await this.#store.renew(this.#owner, this.#leaseMs, Date.now());
    } catch (error) {
      process.emitWarning(`concurrency slot renewal failed: ${(error as Error).message}`);
    }
  }
}
