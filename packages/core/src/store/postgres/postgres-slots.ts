import type { Pool } from 'pg';
import type { SlotGrant, SlotRecord, SlotRequest, SlotStore } from '../../resilience/concurrency-store.js';
import { decideSlot, SLOT_COLUMNS, type SlotRow, toSlotRecord } from '../slot-rows.js';
import { inTransaction } from './postgres-pool.js';

const INSERT = `INSERT INTO slots (key, holder, owner, status, queued_at, acquired_at, lease_expires_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7)`;

const Q = {
  // Serialises acquisitions of one key across every process, for this transaction only.
  lock: {
    name: 'weft_slot_lock',
    text: `SELECT pg_advisory_xact_lock(hashtextextended('weft.slot:' || $1, 0))`,
  },
  dropStale: {
    name: 'weft_slot_drop_stale',
    text: 'DELETE FROM slots WHERE key = $1 AND (lease_expires_at < $2 OR owner = ANY($3::text[]))',
  },
  rowsOf: { name: 'weft_slot_rows', text: `SELECT ${SLOT_COLUMNS} FROM slots WHERE key = $1 ORDER BY seq` },
  insert: { name: 'weft_slot_insert', text: INSERT },
  promote: {
    name: 'weft_slot_promote',
    text: `UPDATE slots SET status = 'held', acquired_at = $1, owner = $2, lease_expires_at = $3
      WHERE key = $4 AND holder = $5`,
  },
  renewOne: {
    name: 'weft_slot_renew_one',
    text: 'UPDATE slots SET owner = $1, lease_expires_at = $2 WHERE key = $3 AND holder = $4',
  },
  release: {
    name: 'weft_slot_release',
    text: 'DELETE FROM slots WHERE key = $1 AND holder = ANY($2::text[])',
  },
  hasWaiters: {
    name: 'weft_slot_has_waiters',
    text: "SELECT 1 FROM slots WHERE key = $1 AND status = 'queued' AND lease_expires_at >= $2 LIMIT 1",
  },
  renew: { name: 'weft_slot_renew', text: 'UPDATE slots SET lease_expires_at = $1 WHERE owner = $2' },
  releaseOwner: { name: 'weft_slot_release_owner', text: 'DELETE FROM slots WHERE owner = $1' },
  listAll: { name: 'weft_slot_list', text: `SELECT ${SLOT_COLUMNS} FROM slots ORDER BY key, seq` },
};

/** Concurrency slots in the `slots` table; `acquire` is one transaction under an advisory lock on the key. */
export class PostgresSlots implements SlotStore {
  constructor(
    private readonly pool: Pool,
    private readonly guard: <T>(work: () => Promise<T>) => Promise<T>,
  ) {}

  acquire(r: SlotRequest): Promise<SlotGrant> {
    return this.guard(() =>
      inTransaction(this.pool, async (client) => {
        await client.query({ ...Q.lock, values: [r.key] });
        await client.query({ ...Q.dropStale, values: [r.key, r.now, r.deadOwners ?? []] });
        const { rows } = await client.query<SlotRow>({ ...Q.rowsOf, values: [r.key] });
        const { grant, write } = decideSlot(rows.map(toSlotRecord), r);
        const lease = r.now + r.leaseMs;
        if (write === 'renew')
          await client.query({ ...Q.renewOne, values: [r.owner, lease, r.key, r.holder] });
        else if (write === 'promote')
          await client.query({ ...Q.promote, values: [r.now, r.owner, lease, r.key, r.holder] });
        else if (write === 'insert_held')
          await client.query({
            ...Q.insert,
            values: [r.key, r.holder, r.owner, 'held', r.now, r.now, lease],
          });
        else if (write === 'insert_queued')
          await client.query({
            ...Q.insert,
            values: [r.key, r.holder, r.owner, 'queued', r.now, null, lease],
          });
        return grant;
      }),
    );
  }

  async release(key: string, holders: readonly string[]): Promise<void> {
    if (holders.length === 0) return;
    await this.guard(() => this.pool.query({ ...Q.release, values: [key, [...holders]] }));
  }

  async hasWaiters(key: string, now: number): Promise<boolean> {
    const { rows } = await this.guard(() => this.pool.query({ ...Q.hasWaiters, values: [key, now] }));
    return rows.length > 0;
  }

  async renew(owner: string, leaseMs: number, now: number): Promise<void> {
    await this.guard(() => this.pool.query({ ...Q.renew, values: [now + leaseMs, owner] }));
  }

  async releaseOwner(owner: string): Promise<void> {
    await this.guard(() => this.pool.query({ ...Q.releaseOwner, values: [owner] }));
  }

  async list(key?: string): Promise<SlotRecord[]> {
    const query = key === undefined ? { ...Q.listAll, values: [] } : { ...Q.rowsOf, values: [key] };
    const { rows } = await this.guard(() => this.pool.query<SlotRow>(query));
    return rows.map(toSlotRecord);
  }
}
