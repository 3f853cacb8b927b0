import { beforeEach, describe, expect, it } from 'vitest';
import type { NewNotificationDelivery } from './notification-types.js';
import type { Store } from './types.js';

const T0 = 1_700_000_000_000;

function delivery(
  runId: string,
  attempt: number,
  status: 'delivered' | 'failed' = 'failed',
): NewNotificationDelivery {
  return {
    runId,
    workflow: 'wf',
    event: 'completed',
    url: 'http://127.0.0.1:1/hook',
    attempt,
    status,
    httpStatus: status === 'delivered' ? 200 : null,
    error: status === 'delivered' ? null : 'connection refused',
    createdAt: T0 + attempt,
  };
}

/** Notification deliveries and `delayed` deadlines; `store` is migrated. */
export function describeNotificationsConformance(getStore: () => Store): void {
  describe('notifications', () => {
    let store: Store;
    beforeEach(async () => {
      store = getStore();
      await store.migrate();
    });

    it('records every delivery attempt and lists them newest first, by run', async () => {
      await store.notifications.addDelivery(delivery('r1', 1));
      await store.notifications.addDelivery(delivery('r1', 2, 'delivered'));
      await store.notifications.addDelivery(delivery('r2', 1, 'delivered'));
      const all = await store.notifications.listDeliveries();
      expect(all.map((d) => [d.runId, d.attempt])).toEqual([
        ['r2', 1],
        ['r1', 2],
        ['r1', 1],
      ]);
      expect(await store.notifications.listDeliveries({ runId: 'r1', limit: 1 })).toEqual([
        { ...delivery('r1', 2, 'delivered'), id: expect.any(Number) },
      ]);
    });

    it('keeps a delayed deadline until it is claimed once or the run drops it', async () => {
      const n = store.notifications;
      await n.scheduleDelay({ runId: 'r1', workflow: 'wf', url: 'u', dueAt: T0 + 10 });
      await n.scheduleDelay({ runId: 'r1', workflow: 'wf', url: 'u', dueAt: T0 + 99 });
      await n.scheduleDelay({ runId: 'r2', workflow: 'wf', url: 'u', dueAt: T0 + 20 });
      expect(await n.dueDelays(T0)).toEqual([]);
      expect(await n.dueDelays(T0 + 10)).toEqual([
        { runId: 'r1', workflow: 'wf', url: 'u', dueAt: T0 + 10, firedAt: null },
      ]);
      expect(await n.claimDelay('r1', 'u', T0 + 11)).toBe(true);
      expect(await n.claimDelay('r1', 'u', T0 + 12)).toBe(false);
      expect((await n.dueDelays(T0 + 30)).map((d) => d.runId)).toEqual(['r2']);
      await n.dropDelays('r2');
      expect(await n.dueDelays(T0 + 30)).toEqual([]);
    });
  });
}
