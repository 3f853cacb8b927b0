import type { Engine, EventRecord, RunRecord } from '@weft/core';
import { describe, expect, it } from 'vitest';
import type { EventHub } from './event-hub.js';
import type { HubEvent } from './journal.js';
import type { StreamEventJson, StreamSink } from './stream-sink.js';
import { Subscription } from './subscription.js';

class MemorySink implements StreamSink {
  closed = false;
  readonly events: StreamEventJson[] = [];
  readonly notes: string[] = [];
  send(event: StreamEventJson): void {
    this.events.push(event);
  }
  reset(reason: string): void {
    this.notes.push(`reset ${reason}`);
  }
  async drained(): Promise<void> {}
  close(reason: string, message: string): void {
    this.closed = true;
    this.notes.push(`close ${reason}: ${message}`);
  }
}

/** A hub whose events the test pushes by hand. */
function fakeHub() {
  const listeners: ((event: HubEvent) => void)[] = [];
  let n = 0;
  const hub = {
    boot: 'b00t',
    head: 0,
    listen: (listener: (event: HubEvent) => void) => {
      listeners.push(listener);
      return () => {};
    },
    watch: () => () => {},
    since: () => undefined,
    owns: (cursor: string) => cursor.startsWith('b00t.'),
    cursorOf: (i: number) => `b00t.${i}`,
  };
  const push = (record: EventRecord) => {
    const event = { n: ++n, workflow: 'w', record };
    for (const listener of listeners) listener(event);
  };
  return { hub: hub as unknown as EventHub, push };
}

const record = (seq: number): EventRecord => ({
  runId: 'r1',
  seq,
  type: 'step.log',
  time: 0,
  stepKey: null,
  data: null,
});

function engineWith(getEvents: (runId: string, after?: number) => Promise<EventRecord[]>): Engine {
  return { store: { getEvents } } as unknown as Engine;
}

const run = { id: 'r1', workflow: 'w', lastSeq: 0 } as RunRecord;

describe('Subscription', () => {
  it('drops a subscriber when more events wait than the limit (its replay is stuck)', async () => {
    const { hub, push } = fakeHub();
    const sink = new MemorySink();
    const sub = new Subscription(
      engineWith(() => new Promise(() => {})),
      hub,
      { kind: 'run', run, after: 0 },
      sink,
      {
        maxQueue: 3,
      },
    );
    sub.start();
    for (let seq = 1; seq <= 4; seq++) push(record(seq));
    expect(sink.closed).toBe(true);
    expect(sink.notes).toEqual(['close slow_consumer: more than 3 events were waiting to be sent']);
  });

  it('fills a gap between what it replayed and what the hub sends from the store, and skips repeats', async () => {
    const { hub, push } = fakeHub();
    const stored = [1, 2, 3, 4, 5].map(record);
    let reads = 0;
    const engine = engineWith(async (_id, after = 0) => {
      reads++;
      // The first read (the replay) sees only two events; later reads see all.
      return stored.filter((e) => e.seq > after && (reads > 1 || e.seq <= 2));
    });
    const sink = new MemorySink();
    new Subscription(engine, hub, { kind: 'run', run, after: 0 }, sink).start();
    await new Promise((resolve) => setTimeout(resolve, 10));
    push(record(2));
    push(record(5));
    push(record(5));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(sink.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(sink.events[2]?.cursor).toBe('r1:3');
  });

  it('says reset when a workflow cursor cannot be resumed, naming whose cursor it was', () => {
    const { hub } = fakeHub();
    const ours = new MemorySink();
    new Subscription(
      engineWith(async () => []),
      hub,
      { kind: 'all', after: 'b00t.9' },
      ours,
    ).start();
    const theirs = new MemorySink();
    new Subscription(
      engineWith(async () => []),
      hub,
      { kind: 'all', after: 'dead.9' },
      theirs,
    ).start();
    expect(ours.notes).toEqual(['reset cursor_expired']);
    expect(theirs.notes).toEqual(['reset unknown_cursor']);
  });
});
