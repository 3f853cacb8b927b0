import type { SlotGrant, SlotRecord, SlotRequest } from '../resilience/concurrency-store.js';

export const SLOT_COLUMNS = 'seq, key, holder, owner, status, queued_at, acquired_at, lease_expires_at';

export interface SlotRow {
  seq: number;
  key: string;
  holder: string;
  owner: string;
  status: string;
  queued_at: number;
  acquired_at: number | null;
  lease_expires_at: number;
}

export function toSlotRecord(row: SlotRow): SlotRecord {
  return {
    key: row.key,
    holder: row.holder,
    owner: row.owner,
    status: row.status === 'held' ? 'held' : 'queued',
    seq: Number(row.seq),
    queuedAt: Number(row.queued_at),
    acquiredAt: row.acquired_at === null ? null : Number(row.acquired_at),
    leaseExpiresAt: Number(row.lease_expires_at),
  };
}

/** What `acquire` writes: keep the holder's row (lease renewed), make it held, or add one. */
export type SlotWrite = 'renew' | 'promote' | 'insert_held' | 'insert_queued' | 'none';

/**
 * The one rule of slots, for both backends: given the live rows of a key in arrival order, the
 * holder takes a slot when fewer than `limit` are held and no waiter that came before it is queued.
 */
export function decideSlot(
  rows: readonly SlotRecord[],
  request: SlotRequest,
): { grant: SlotGrant; write: SlotWrite } {
  const mine = rows.find((row) => row.holder === request.holder);
  if (mine?.status === 'held') return { grant: { acquired: true }, write: 'renew' };
  const held = rows.filter((row) => row.status === 'held');
  let ahead = 0;
  for (const row of rows) {
    if (row.status === 'queued' && row.holder !== request.holder && (!mine || row.seq < mine.seq)) ahead++;
  }
  if (held.length + ahead < request.limit) {
    return { grant: { acquired: true }, write: mine ? 'promote' : 'insert_held' };
  }
  const grant: SlotGrant = { acquired: false, held, ahead };
  if (!request.queue) return { grant, write: 'none' };
  return { grant, write: mine ? 'renew' : 'insert_queued' };
}
