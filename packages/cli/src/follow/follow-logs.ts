import type { EventRecord, Store } from '@weft/core';

const ENDED = new Set(['completed', 'failed', 'cancelled']);

export interface FollowLogsOptions {
  store: Store;
  runId: string;
  /** Which stored events are log lines. */
  isLog(event: EventRecord): boolean;
  write(event: EventRecord): void;
  /** Between reads of the store; default 500 ms. */
  intervalMs?: number;
  signal?: AbortSignal;
}

/**
 * `weft runs logs --follow`: writes the run's log lines as they are stored, from any process,
 * polling for events after the last one seen, until the run ends (then the last ones).
 */
export async function followLogs(o: FollowLogsOptions): Promise<void> {
  let after = 0;
  for (;;) {
    const run = await o.store.getRun(o.runId);
    for (const event of await o.store.getEvents(o.runId, after)) {
      after = Math.max(after, event.seq);
      if (o.isLog(event)) o.write(event);
    }
    if (!run || ENDED.has(run.status) || o.signal?.aborted) return;
    await new Promise((resolve) => setTimeout(resolve, o.intervalMs ?? 500));
  }
}
