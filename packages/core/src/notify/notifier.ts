import type { EventBus } from '../events/bus.js';
import type { WeftEvent } from '../events/types.js';
import type { NotificationStore } from '../store/notification-types.js';
import { deliver } from './deliver.js';
import type { NotificationOptions, NotificationPayload, NotifyEvent, NotifyTarget } from './notify-types.js';

export interface NotifierOptions extends NotificationOptions {
  store: NotificationStore;
  /** The workflow `notify` targets of a run executing in this process; undefined: not here. */
  targetsOf(runId: string): NotifyTarget[] | undefined;
}

type EndEvent = WeftEvent<'run.completed'> | WeftEvent<'run.failed'> | WeftEvent<'run.cancelled'>;

/**
 * Sends a run's notifications (its workflow's `notify` and the global sinks) from the engine's
 * events, in the background: a delivery never blocks or fails the run. `delayed` deadlines are
 * stored, so a run resumed elsewhere after a restart still fires once.
 */
export class Notifier {
  readonly #o: NotifierOptions;
  readonly #closing = new AbortController();
  readonly #inFlight = new Set<Promise<unknown>>();
  /** Started by the first run here with a `delayed` target: other engines never poll. */
  #poll: NodeJS.Timeout | undefined;

  constructor(options: NotifierOptions) {
    this.#o = options;
  }

  /** Listens to the run events that trigger notifications. */
  attach(bus: EventBus): void {
    bus.on('run.started', (event) => this.#track(this.#scheduleDelays(event)));
    const end = (event: EndEvent) => this.#track(this.#ended(event));
    bus.on('run.completed', end);
    bus.on('run.failed', end);
    bus.on('run.cancelled', end);
  }

  /** Stops retries and waits for the attempts in flight (each ends within `timeoutMs`). */
  async close(): Promise<void> {
    clearInterval(this.#poll);
    this.#closing.abort();
    await Promise.allSettled([...this.#inFlight]);
  }

  #targets(runId: string): NotifyTarget[] {
    const local = this.#o.targetsOf(runId);
    if (local === undefined) return [];
    return [...local, ...(this.#o.sinks ?? [])];
  }

  async #scheduleDelays(event: WeftEvent<'run.started'>): Promise<void> {
    // `run.started` is emitted before the engine lists the run as executing here.
    await Promise.resolve();
    for (const target of this.#targets(event.runId)) {
      if (!target.on.includes('delayed') || target.delayAfterMs === undefined) continue;
      if (!this.#poll && !this.#closing.signal.aborted) {
        this.#poll = setInterval(() => this.#track(this.#fireDue()), this.#o.pollMs ?? 1000);
        this.#poll.unref();
      }
      // Kept when already stored (a resumed run): the deadline counts from the first start.
      // Stored under the redacted URL: a secret in the URL never reaches the store.
      await this.#o.store.scheduleDelay({
        runId: event.runId,
        workflow: event.workflow,
        url: target.shownUrl ?? target.url,
        dueAt: event.time + target.delayAfterMs,
      });
    }
  }

  async #fireDue(): Promise<void> {
    const now = Date.now();
    for (const due of await this.#o.store.dueDelays(now)) {
      const target = this.#targets(due.runId).find(
        (t) => (t.shownUrl ?? t.url) === due.url && t.on.includes('delayed'),
      );
      if (!target || !(await this.#o.store.claimDelay(due.runId, due.url, now))) continue;
      const payload: NotificationPayload = {
        event: 'delayed',
        run_id: due.runId,
        workflow: due.workflow,
        status: 'running',
        time: new Date(now).toISOString(),
      };
      this.#send(target, payload);
    }
  }

  async #ended(event: EndEvent): Promise<void> {
    const kind = event.type.slice('run.'.length) as NotifyEvent;
    const payload: NotificationPayload = {
      event: kind,
      run_id: event.runId,
      workflow: event.workflow,
      status: kind,
      time: new Date(event.time).toISOString(),
    };
    if (event.type === 'run.completed') payload.output = event.data.output;
    if (event.type === 'run.failed') payload.error = event.data.error;
    if (event.type === 'run.cancelled') payload.error = { code: 'cancelled', message: event.data.reason };
    const targets = this.#targets(event.runId);
    for (const target of targets) if (target.on.includes(kind)) this.#send(target, payload);
    if (targets.some((t) => t.on.includes('delayed'))) await this.#o.store.dropDelays(event.runId);
  }

  #send(target: NotifyTarget, payload: NotificationPayload): void {
    this.#track(
      deliver({
        store: this.#o.store,
        url: target.url,
        shownUrl: target.shownUrl,
        payload,
        secret: target.secret ?? this.#o.secret,
        attempts: this.#o.attempts ?? 3,
        backoffMs: this.#o.backoffMs ?? 500,
        timeoutMs: this.#o.timeoutMs ?? 10_000,
        signal: this.#closing.signal,
      }),
    );
  }

  #track(work: Promise<unknown>): void {
    const settled = work.catch(() => {});
    this.#inFlight.add(settled);
    void settled.finally(() => this.#inFlight.delete(settled));
  }
}
