import type BetterSqlite3 from 'better-sqlite3';
import type { SlotGrant, SlotRecord, SlotRequest, SlotStore } from '../../resilience/concurrency-store.js';
import { decideSlot, SLOT_COLUMNS, type SlotRow, toSlotRecord } from '../slot-rows.js';

function prepare(db: BetterSqlite3.Database) {
  const statement = <R = unknown>(sql: string) => db.prepare<unknown[], R>(sql);
  return {
    dropStale: statement(`DELETE FROM slots WHERE key = ?
      AND (lease_expires_at < ? OR owner IN (SELECT value FROM json_each(?)))`),
    rowsOf: statement<SlotRow>(`SELECT ${SLOT_COLUMNS} FROM slots WHERE key = ? ORDER BY seq`),
    insert:
      statement(`INSERT INTO slots (key, holder, owner, status, queued_at, acquired_at, lease_expires_at)
      VALUES (?, ?, ?, ?, ?, ?, ?)`),
    promote: statement(`UPDATE slots SET status = 'held', acquired_at = ?, owner = ?, lease_expires_at = ?
      WHERE key = ? AND holder = ?`),
    renewOne: statement('UPDATE slots SET owner = ?, lease_expires_at = ? WHERE key = ? AND holder = ?'),
    release: statement('DELETE FROM slots WHERE key = ? AND holder IN (SELECT value FROM json_each(?))'),
    hasWaiters: statement<{ one: number }>(
      "SELECT 1 AS one FROM slots WHERE key = ? AND status = 'queued' AND lease_expires_at >= ? LIMIT 1",
    ),
    renew: statement('UPDATE slots SET lease_expires_at = ? WHERE owner = ?'),
    releaseOwner: statement('DELETE FROM slots WHERE owner = ?'),
    listAll: statement<SlotRow>(`SELECT ${SLOT_COLUMNS} FROM slots ORDER BY key, seq`),
  };
}

/** Concurrency slots in the `slots` table; `acquire` is one BEGIN IMMEDIATE transaction. */
export class SqliteSlots implements SlotStore {
  #s: ReturnType<typeof prepare> | undefined;
  #acquire: ((request: SlotRequest) => SlotGrant) | undefined;

  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly guard: <T>(work: () => T) => T,
  ) {}

  get #q(): ReturnType<typeof prepare> {
    this.#s ??= prepare(this.db);
    return this.#s;
  }

  async acquire(request: SlotRequest): Promise<SlotGrant> {
    if (!this.#acquire) {
      const q = this.#q;
      const tx = this.db.transaction((r: SlotRequest): SlotGrant => {
        q.dropStale.run(r.key, r.now, JSON.stringify(r.deadOwners ?? []));
        const rows = q.rowsOf.all(r.key).map(toSlotRecord);
        const { grant, write } = decideSlot(rows, r);
        const lease = r.now + r.leaseMs;
        if (write === 'renew') q.renewOne.run(r.owner, lease, r.key, r.holder);
        else if (write === 'promote') q.promote.run(r.now, r.owner, lease, r.key, r.holder);
        else if (write === 'insert_held') q.insert.run(r.key, r.holder, r.owner, 'held', r.now, r.now, lease);
        else if (write === 'insert_queued')
          q.insert.run(r.key, r.holder, r.owner, 'queued', r.now, null, lease);
        return grant;
      });
      this.#acquire = (r) => tx.immediate(r);
    }
    const acquire = this.#acquire;
    return this.guard(() => acquire(request));
  }

  async release(key: string, holders: readonly string[]): Promise<void> {
    if (holders.length === 0) return;
    this.guard(() => this.#q.release.run(key, JSON.stringify(holders)));
  }

  async hasWaiters(key: string, now: number): Promise<boolean> {
    return this.guard(() => this.#q.hasWaiters.get(key, now)) !== undefined;
  }

  async renew(owner: string, leaseMs: number, now: number): Promise<void> {
    this.guard(() => this.#q.renew.run(now + leaseMs, owner));
  }

  async releaseOwner(owner: string): Promise<void> {
    this.guard(() => this.#q.releaseOwner.run(owner));
  }

  async list(key?: string): Promise<SlotRecord[]> {
    const rows = this.guard(() => (key === undefined ? this.#q.listAll.all() : this.#q.rowsOf.all(key)));
    return rows.map(toSlotRecord);
  }
}
