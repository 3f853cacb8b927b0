import { describe, expect, it } from 'vitest';
import type { SlotRequest } from '../resilience/concurrency-store.js';
import type { Store } from './types.js';

const T0 = 1_700_000_000_000;
const LEASE = 30_000;

function ask(key: string, holder: string, overrides: Partial<SlotRequest> = {}): SlotRequest {
  return { key, holder, owner: 'proc-a', limit: 2, now: T0, leaseMs: LEASE, queue: true, ...overrides };
}

/** Concurrency slots (Store.slots): limits, arrival order, leases. */
export function describeSlotsConformance(getStore: () => Store): void {
  describe('concurrency slots', () => {
    it('grants up to the limit, then queues in arrival order', async () => {
      const { slots } = getStore();
      expect(await slots.acquire(ask('k', 'h1'))).toEqual({ acquired: true });
      expect(await slots.acquire(ask('k', 'h2'))).toEqual({ acquired: true });
      const third = await slots.acquire(ask('k', 'h3'));
      expect(third).toMatchObject({ acquired: false, ahead: 0 });
      expect(third.acquired ? [] : third.held.map((s) => s.holder)).toEqual(['h1', 'h2']);
      expect(await slots.acquire(ask('k', 'h4'))).toMatchObject({ acquired: false, ahead: 1 });
      expect(await slots.hasWaiters('k', T0)).toBe(true);
      // Asking again keeps the place; another key is independent.
      expect(await slots.acquire(ask('k', 'h3'))).toMatchObject({ acquired: false, ahead: 0 });
      expect(await slots.acquire(ask('other', 'h9', { limit: 1 }))).toEqual({ acquired: true });
      await slots.release('k', ['h1']);
      // h4 came after h3: it may not jump the queue.
      expect(await slots.acquire(ask('k', 'h4'))).toMatchObject({ acquired: false, ahead: 1 });
      expect(await slots.acquire(ask('k', 'h3'))).toEqual({ acquired: true });
      expect((await slots.list('k')).map((s) => [s.holder, s.status])).toEqual([
        ['h2', 'held'],
        ['h3', 'held'],
        ['h4', 'queued'],
      ]);
      expect(await slots.acquire(ask('k', 'h2'))).toEqual({ acquired: true }); // already held: idempotent
    });

    it('asks once without queueing when told not to queue', async () => {
      const { slots } = getStore();
      await slots.acquire(ask('one', 'a', { limit: 1 }));
      expect(await slots.acquire(ask('one', 'b', { limit: 1, queue: false }))).toMatchObject({
        acquired: false,
      });
      expect((await slots.list('one')).map((s) => s.holder)).toEqual(['a']);
      expect(await slots.hasWaiters('one', T0)).toBe(false);
    });

    it('drops rows whose lease expired, and rows of owners known to be dead', async () => {
      const { slots } = getStore();
      await slots.acquire(ask('e', 'old', { limit: 1, owner: 'gone' }));
      expect(await slots.acquire(ask('e', 'new', { limit: 1, now: T0 + LEASE - 1 }))).toMatchObject({
        acquired: false,
      });
      expect(await slots.acquire(ask('e', 'new', { limit: 1, now: T0 + LEASE + 1 }))).toEqual({
        acquired: true,
      });
      await slots.acquire(ask('d', 'x', { limit: 1, owner: 'dead-proc' }));
      expect(await slots.acquire(ask('d', 'y', { limit: 1, deadOwners: ['dead-proc'] }))).toEqual({
        acquired: true,
      });
    });

    it('renews the leases of an owner, and releases all of its rows', async () => {
      const { slots } = getStore();
      await slots.acquire(ask('r', 'a', { limit: 1 }));
      await slots.acquire(ask('r', 'b', { limit: 1, owner: 'proc-b' }));
      await slots.renew('proc-a', LEASE, T0 + 20_000);
      expect((await slots.list('r')).map((s) => s.leaseExpiresAt)).toEqual([T0 + 20_000 + LEASE, T0 + LEASE]);
      // proc-b's queued row expired: nobody waits any more.
      expect(await slots.hasWaiters('r', T0 + LEASE + 1)).toBe(false);
      await slots.releaseOwner('proc-a');
      expect((await slots.list()).filter((s) => s.key === 'r').map((s) => s.holder)).toEqual(['b']);
    });
  });
}
