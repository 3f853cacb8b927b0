import type { Engine, RunRecord } from '@weft/core';
import { eventJson } from '../runs/run-json.js';
import type { EventHub } from './event-hub.js';
import type { HubEvent } from './journal.js';
import type { StreamEventJson, StreamSink } from './stream-sink.js';

/** What a subscription follows; `after` is where the client is (a seq for a run, a cursor otherwise). */
export type StreamTarget =
  | { kind: 'run'; run: RunRecord; after: number }
  | { kind: 'workflow'; workflow: string; after: string | undefined }
  | { kind: 'all'; after: string | undefined };

export interface SubscriptionOptions {
  /** Events waiting to be written before the client is dropped as too slow; default 10,000. */
  maxQueue?: number;
}

const PAGE = 500;

/**
 * One client's view of the events: replay what it missed, then live, in order, each event once.
 * A run subscription replays from the store by seq (gapless by construction); workflow and
 * all-runs subscriptions replay from the hub's journal, or say `reset` when it cannot.
 */
export class Subscription {
  readonly #queue: HubEvent[] = [];
  readonly #maxQueue: number;
  #lastSeq = 0;
  #lastN = 0;
  #replayed = false;
  #busy = false;
  #stopped = false;
  #unlisten: (() => void) | undefined;
  #unwatch: (() => void) | undefined;

  constructor(
    private readonly engine: Engine,
    private readonly hub: EventHub,
    private readonly target: StreamTarget,
    private readonly sink: StreamSink,
    options: SubscriptionOptions = {},
  ) {
    this.#maxQueue = options.maxQueue ?? 10_000;
  }

  start(): void {
    const { target } = this;
    this.#unlisten = this.hub.listen((event) => this.#onEvent(event));
    if (target.kind === 'run') {
      this.#lastSeq = target.after;
      this.#unwatch = this.hub.watch(target.run.id, target.run.workflow, target.run.lastSeq);
    }
    void this.#drain();
  }

  stop(): void {
    this.#stopped = true;
    this.#queue.length = 0;
    this.#unlisten?.();
    this.#unwatch?.();
  }

  #onEvent(event: HubEvent): void {
    if (this.#stopped || !this.#matches(event)) return;
    if (this.#queue.length >= this.#maxQueue) {
      this.sink.close('slow_consumer', `more than ${this.#maxQueue} events were waiting to be sent`);
      this.stop();
      return;
    }
    this.#queue.push(event);
    void this.#drain();
  }

  #matches(event: HubEvent): boolean {
    const { target } = this;
    if (target.kind === 'run') return event.record.runId === target.run.id;
    return target.kind === 'all' || event.workflow === target.workflow;
  }

  async #drain(): Promise<void> {
    if (this.#busy || this.#stopped) return;
    this.#busy = true;
    try {
      if (!this.#replayed) {
        await this.#replay();
        this.#replayed = true;
      }
      while (this.#queue.length > 0 && this.#live()) {
        const event = this.#queue.shift() as HubEvent;
        if (this.target.kind !== 'run') {
          if (event.n > this.#lastN) this.#send(event);
          continue;
        }
        if (event.record.seq <= this.#lastSeq) continue;
        // The hub started on this run after the point replay reached: read the gap from the store.
        if (event.record.seq > this.#lastSeq + 1) await this.#readRun();
        if (event.record.seq === this.#lastSeq + 1) this.#send(event);
      }
    } catch (error) {
      this.sink.close('internal_error', `the event stream failed: ${(error as Error).message}`);
      this.stop();
    } finally {
      this.#busy = false;
    }
    if (this.#queue.length > 0 && this.#live()) void this.#drain();
  }

  async #replay(): Promise<void> {
    const { target, hub } = this;
    if (target.kind === 'run') return this.#readRun();
    const missed = target.after === undefined ? undefined : hub.since(target.after);
    if (!missed) {
      this.#lastN = hub.head;
      if (target.after !== undefined) this.#reset(hub.owns(target.after));
      return;
    }
    this.#lastN = missed.n;
    for (const [i, event] of missed.events.entries()) {
      if (!this.#live()) return;
      if (this.#matches(event)) this.#send(event);
      else this.#lastN = event.n;
      if (i % PAGE === PAGE - 1) await this.sink.drained();
    }
  }

  #reset(ours: boolean): void {
    const what = ours
      ? 'the events after this cursor are no longer kept'
      : 'this cursor was not made by this server process (did it restart?)';
    this.sink.reset(
      ours ? 'cursor_expired' : 'unknown_cursor',
      `${what}; reload the state you need, then follow from the cursor given here`,
      this.hub.cursorOf(this.hub.head),
    );
  }

  /** Everything of the run after #lastSeq that is in the store. */
  async #readRun(): Promise<void> {
    if (this.target.kind !== 'run') return;
    const { run } = this.target;
    for (;;) {
      const rows = await this.engine.store.getEvents(run.id, this.#lastSeq, PAGE);
      for (const record of rows) {
        if (!this.#live()) return;
        if (record.seq === this.#lastSeq + 1) this.#send({ n: 0, workflow: run.workflow, record });
      }
      if (rows.length < PAGE) return;
      await this.sink.drained();
    }
  }

  #send(event: HubEvent): void {
    const { record } = event;
    const run = this.target.kind === 'run';
    const cursor = run ? `${record.runId}:${record.seq}` : this.hub.cursorOf(event.n);
    if (run) this.#lastSeq = record.seq;
    else this.#lastN = event.n;
    const out: StreamEventJson = { cursor, workflow: event.workflow, ...eventJson(record) };
    this.sink.send(out);
  }

  #live(): boolean {
    if (this.sink.closed) this.stop();
    return !this.#stopped;
  }
}
