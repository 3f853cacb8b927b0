import { randomBytes } from 'node:crypto';
import type { AnyWeftEvent, Engine, EventRecord } from '@weft/core';
import { type HubEvent, Journal } from './journal.js';

export interface EventHubOptions {
  /** Events kept for reconnecting workflow/all subscribers; default 10,000. */
  journalSize?: number;
  /**
   * How often runs followed by a subscriber are read from the store, and, while workflow/all
   * subscribers listen, how often the store is asked for runs other processes execute; default 1 s.
   */
  pollMs?: number;
  /** How long the journal keeps recording after the last subscriber left, so it can reconnect; default 60 s. */
  lingerMs?: number;
}

interface Feed {
  runId: string;
  workflow: string;
  /** Highest seq published. */
  fetched: number;
  /** Highest seq announced on the engine's bus (it may not be committed yet). */
  wanted: number;
  fetching: boolean;
  again: boolean;
  timer: NodeJS.Timeout | undefined;
  retries: number;
  watchers: number;
  ended: boolean;
}

const PAGE = 500;
/** Runs looked at per discovery: the active ones, and the newest (runs that began and ended between two polls). */
const DISCOVER_ACTIVE = 500;
const DISCOVER_RECENT = 100;
/** Runs whose published position is remembered, so a feed made again never publishes twice. */
const REMEMBERED = 20_000;
const TERMINAL = new Set(['run.completed', 'run.failed', 'run.cancelled']);
const MAX_RETRIES = 10;

/**
 * Publishes committed events, in per-run order, to the server's subscribers. The engine's bus
 * only says that a run has news; the events themselves are read from the store, so a subscriber
 * never sees an event that is not durable, and live events look exactly like replayed ones.
 */
export class EventHub {
  /** Identifies this process's journal in cursors: a cursor of another process is not resumable. */
  readonly boot = randomBytes(4).toString('hex');
  readonly #journal: Journal;
  readonly #feeds = new Map<string, Feed>();
  readonly #listeners = new Set<(event: HubEvent) => void>();
  readonly #poll: NodeJS.Timeout;
  readonly #lingerMs: number;
  #linger: NodeJS.Timeout | undefined;
  #off: (() => void) | undefined;
  #closed = false;
  /** Highest seq published per run (also after its feed is gone), oldest runs forgotten first. */
  readonly #published = new Map<string, number>();
  /** When the bus was last followed from; runs created since are published from their first event. */
  #listeningSince = 0;
  #discovering = false;

  constructor(
    private readonly engine: Engine,
    options: EventHubOptions = {},
  ) {
    this.#journal = new Journal(options.journalSize ?? 10_000);
    this.#lingerMs = options.lingerMs ?? 60_000;
    this.#poll = setInterval(() => {
      this.#pollWatched();
      void this.#discover();
    }, options.pollMs ?? 1000);
    this.#poll.unref();
  }

  /** Receives every event published from now on; the engine's bus is followed only while someone listens. */
  listen(listener: (event: HubEvent) => void): () => void {
    this.#listeners.add(listener);
    clearTimeout(this.#linger);
    this.#linger = undefined;
    if (!this.#off) {
      this.#listeningSince = Date.now();
      this.#off = this.engine.on('*', (event) => this.#onBus(event));
    }
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size > 0 || this.#linger || this.#closed) return;
      this.#linger = setTimeout(() => this.#detach(), this.#lingerMs);
      this.#linger.unref();
    };
  }

  #detach(): void {
    this.#linger = undefined;
    if (this.#listeners.size > 0 || !this.#off) return;
    this.#off();
    this.#off = undefined;
    // Events from now on are not journaled: no position reached so far can be resumed.
    this.#journal.invalidate();
    this.#published.clear();
    for (const feed of this.#feeds.values()) this.#forget(feed);
  }

  /** Journaled events after a cursor of this hub, or undefined when they cannot all be given. */
  since(cursor: string): { n: number; events: HubEvent[] } | undefined {
    const [boot, n] = cursor.split('.');
    if (boot !== this.boot || n === undefined || !/^\d{1,15}$/.test(n)) return undefined;
    const events = this.#journal.after(Number(n));
    return events && { n: Number(n), events };
  }

  /** True when a cursor was made by this hub (this process), even if no longer resumable. */
  owns(cursor: string): boolean {
    return cursor.startsWith(`${this.boot}.`);
  }

  /** The cursor of a journal position. */
  cursorOf(n: number): string {
    return `${this.boot}.${n}`;
  }

  /** Position of the newest published event: a subscriber starting now goes on after it. */
  get head(): number {
    return this.#journal.next - 1;
  }

  /** Also reads a run from the store every poll, for runs whose events come from other processes. */
  watch(runId: string, workflow: string, fromSeq: number): () => void {
    const feed = this.#feed(runId, workflow, fromSeq);
    feed.watchers++;
    this.#schedule(feed, 0);
    return () => {
      feed.watchers--;
      this.#forget(feed);
    };
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#poll);
    clearTimeout(this.#linger);
    this.#off?.();
    this.#off = undefined;
    for (const feed of this.#feeds.values()) clearTimeout(feed.timer);
    this.#feeds.clear();
    this.#listeners.clear();
  }

  #onBus(event: AnyWeftEvent): void {
    const feed = this.#feed(event.runId, event.workflow, event.seq - 1);
    if (event.seq > feed.wanted) feed.wanted = event.seq;
    feed.retries = 0;
    this.#schedule(feed, 0);
  }

  #feed(runId: string, workflow: string, fromSeq: number): Feed {
    let feed = this.#feeds.get(runId);
    if (!feed) {
      const from = Math.max(fromSeq, this.#published.get(runId) ?? 0);
      feed = {
        ...{ runId, workflow, fetched: from, wanted: from },
        ...{ fetching: false, again: false, timer: undefined, retries: 0, watchers: 0, ended: false },
      };
      this.#feeds.set(runId, feed);
    }
    return feed;
  }

  #schedule(feed: Feed, delayMs: number): void {
    if (this.#closed) return;
    if (feed.fetching) {
      feed.again = true;
      return;
    }
    if (feed.timer) return;
    // Commits happen a turn after the bus announces: reading a moment later usually finds them.
    feed.timer = setTimeout(() => {
      feed.timer = undefined;
      void this.#fetch(feed);
    }, delayMs);
  }

  async #fetch(feed: Feed): Promise<void> {
    feed.fetching = true;
    try {
      do {
        feed.again = false;
        let rows: EventRecord[];
        do {
          rows = await this.engine.store.getEvents(feed.runId, feed.fetched, PAGE);
          for (const row of rows) this.#publish(feed, row);
        } while (rows.length === PAGE && !this.#closed);
      } while (feed.again && !this.#closed);
    } catch (error) {
      process.emitWarning(
        `weft server: reading events of run ${feed.runId} failed: ${(error as Error).message}`,
      );
    } finally {
      feed.fetching = false;
    }
    if (feed.fetched < feed.wanted && !feed.ended) {
      // Not committed yet, or never will be (a lost lease): retry with backoff, then give up.
      if (++feed.retries > MAX_RETRIES) feed.wanted = feed.fetched;
      else this.#schedule(feed, Math.min(5 * 2 ** feed.retries, 1000));
    }
    this.#forget(feed);
  }

  #publish(feed: Feed, record: EventRecord): void {
    if (record.seq <= feed.fetched) return;
    feed.fetched = record.seq;
    this.#published.delete(feed.runId);
    this.#published.set(feed.runId, record.seq);
    if (this.#published.size > REMEMBERED) this.#published.delete(this.#published.keys().next().value!);
    if (record.seq > feed.wanted) feed.wanted = record.seq;
    if (TERMINAL.has(record.type)) feed.ended = true;
    const event = this.#journal.append(feed.workflow, record);
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        process.emitWarning(`weft server: a stream subscriber threw: ${(error as Error).message}`);
      }
    }
  }

  /** Drops a feed nobody needs now; the bus's next event for the run makes a new one at the right seq. */
  #forget(feed: Feed): void {
    if (feed.watchers > 0 || feed.fetching || feed.timer) return;
    if (feed.ended || !this.#off || feed.fetched >= feed.wanted) this.#feeds.delete(feed.runId);
  }

  /**
   * Workflow/all subscribers see runs of every process sharing the store: runs this hub has not
   * heard of on its bus are found in the store and read like the others. A run created before the
   * hub started listening is followed from its next event; one created since, from its first.
   */
  async #discover(): Promise<void> {
    if (!this.#off || this.#discovering || this.#closed) return;
    this.#discovering = true;
    try {
      const store = this.engine.store;
      const [active, recent] = await Promise.all([
        store.listRuns({ status: ['pending', 'running', 'paused'], limit: DISCOVER_ACTIVE }),
        store.listRuns({ limit: DISCOVER_RECENT }),
      ]);
      for (const run of [...active, ...recent]) {
        if (!this.#off || this.#closed) return;
        const known = this.#feeds.get(run.id)?.fetched ?? this.#published.get(run.id);
        const base = known ?? (run.createdAt >= this.#listeningSince ? 0 : run.lastSeq);
        if (known === undefined) this.#published.set(run.id, base);
        if (run.lastSeq <= base) continue;
        const feed = this.#feed(run.id, run.workflow, base);
        if (run.lastSeq > feed.wanted) feed.wanted = run.lastSeq;
        this.#schedule(feed, 0);
      }
    } catch (error) {
      process.emitWarning(
        `weft server: looking for runs of other processes failed: ${(error as Error).message}`,
      );
    } finally {
      this.#discovering = false;
    }
  }

  #pollWatched(): void {
    for (const feed of this.#feeds.values()) {
      if (feed.watchers > 0 && !feed.ended) this.#schedule(feed, 0);
    }
  }
}
