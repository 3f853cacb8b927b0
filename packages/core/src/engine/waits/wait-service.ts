import { WeftError } from '../../errors.js';
import type { CloudEvent, WaitOutcome, WaitService } from '../../steps/types.js';
import type { InboxRecord, Store } from '../../store/types.js';
import { encodeEventTypes } from '../../store/wait-rows.js';
import { abortError } from '../abort.js';
import { type Clock, systemClock } from '../clock.js';
import { atDeadline } from './deadline-timer.js';
import { newWaitToken } from './wait-token.js';

type Request = Parameters<WaitService['wait']>[0];

/** One step waiting in this process. */
interface Pending {
  readonly key: string;
  readonly request: Request;
  /** Inbox ids this step has judged (`match` false, or taken by another step first). */
  readonly seen: Set<number>;
  cancelTimer: () => void;
  resolve(outcome: WaitOutcome): void;
  reject(error: unknown): void;
}

export interface DurableWaitsOptions {
  store: Store;
  /** How often open event and approval waits look for what other processes wrote; default 250 ms. */
  pollMs?: number;
  now?: () => number;
  /** Time and timers (deadlines); default the system clock, with `now` when given. */
  clock?: Clock;
}

/** Default polling interval: other processes' events and decisions arrive within about this long. */
export const WAIT_POLL_MS = 250;

const keyOf = (w: { runId: string; stepKey: string }) => `${w.runId}\u0000${w.stepKey}`;
const unique = (values: (string | undefined)[]) => [...new Set(values.filter((v) => v !== undefined))];
const typesOf = (request: Request): readonly (string | undefined)[] =>
  typeof request.eventType === 'string' ? [request.eventType] : (request.eventType ?? []);

/**
 * The engine's durable waits. A wait is a store row keyed by its step: a resumed step finds it
 * (same deadline, same token, or its outcome if it ended). Deadlines are local timers; events
 * and approvals written by any process are found by polling the store while waits are open,
 * and at once after `poke()` (this process sent one).
 */
export class DurableWaits implements WaitService {
  readonly #store: Store;
  readonly #pollMs: number;
  readonly #now: () => number;
  readonly #clock: Clock;
  readonly #pending = new Map<string, Pending>();
  #poller: NodeJS.Timeout | undefined;
  #checking: Promise<void> | undefined;
  #again = false;
  #closed = false;

  constructor(options: DurableWaitsOptions) {
    this.#store = options.store;
    this.#pollMs = options.pollMs ?? WAIT_POLL_MS;
    this.#clock = options.clock ?? (options.now ? { ...systemClock, now: options.now } : systemClock);
    this.#now = () => this.#clock.now();
  }

  async wait(request: Request, signal: AbortSignal): Promise<WaitOutcome> {
    if (signal.aborted) throw abortError(signal);
    if (this.#closed) throw new WeftError('cancelled', 'the engine was closed; the run can be resumed');
    const key = keyOf(request);
    if (this.#pending.has(key)) {
      throw new WeftError('conflict', `step '${request.stepKey}' of run ${request.runId} is already waiting`);
    }
    const row = await this.#store.openWait({
      runId: request.runId,
      stepKey: request.stepKey,
      kind: request.kind,
      token: newWaitToken(),
      eventType: encodeEventTypes(request.eventType),
      until: request.until ?? null,
      createdAt: this.#now(),
      details: { reason: request.reason, ...request.details, ...request.approval },
    });
    if (row.status === 'done') return row.outcome as WaitOutcome;
    if (signal.aborted) throw abortError(signal);
    if (this.#closed) throw new WeftError('cancelled', 'the engine was closed; the run can be resumed');
    request.onWaiting?.({ token: row.token, until: row.until ?? undefined });
    return new Promise<WaitOutcome>((resolve, reject) => {
      const finish = () => {
        this.#pending.delete(key);
        pending.cancelTimer();
        signal.removeEventListener('abort', onAbort);
        this.#idle();
      };
      const onAbort = () => {
        finish();
        reject(abortError(signal));
      };
      const pending: Pending = {
        key,
        request,
        seen: new Set(),
        cancelTimer: () => {},
        resolve: (outcome) => {
          finish();
          resolve(outcome);
        },
        reject: (error) => {
          finish();
          reject(error);
        },
      };
      this.#pending.set(key, pending);
      signal.addEventListener('abort', onAbort, { once: true });
      if (row.until !== null) pending.cancelTimer = this.#arm(pending, row.until);
      if (request.kind !== 'timer') {
        this.#poller ??= setInterval(() => void this.#check(), this.#pollMs);
        this.poke();
      }
    });
  }

  /** Looks for events and decisions now (one was just written in this process). */
  poke(): void {
    if (this.#pending.size > 0) void this.#check();
  }

  /** Stops every timer and poll; steps still waiting fail with `cancelled` (their waits stay open). */
  async close(): Promise<void> {
    this.#closed = true;
    const reason = new WeftError('cancelled', 'the engine was closed; the run can be resumed');
    for (const pending of [...this.#pending.values()]) pending.reject(reason);
    this.#idle();
    await this.#checking;
  }

  #arm(pending: Pending, until: number): () => void {
    return atDeadline(until, () => void this.#expire(pending), this.#clock);
  }

  async #expire(pending: Pending): Promise<void> {
    const { runId, stepKey, kind } = pending.request;
    const outcome: WaitOutcome = { kind: kind === 'timer' ? 'timer' : 'timeout' };
    try {
      // An event that arrived just before the deadline wins over the timeout.
      if (kind === 'event') await this.#check();
      if (this.#pending.get(pending.key) !== pending) return;
      if (await this.#store.closeWait(runId, stepKey, outcome)) return this.#settle(pending, outcome);
      // An event or a decision ended it first: that is the outcome.
      const row = await this.#store.getWait(runId, stepKey);
      if (row?.status === 'done') return this.#settle(pending, row.outcome as WaitOutcome);
      pending.reject(new WeftError('store_error', `the wait of step '${stepKey}' in run ${runId} is gone`));
    } catch (error) {
      warn(error);
      // The store failed (busy, connection lost): try again shortly.
      if (this.#pending.get(pending.key) === pending) {
        pending.cancelTimer = this.#arm(pending, this.#now() + this.#pollMs);
      }
    }
  }

  #settle(pending: Pending, outcome: WaitOutcome): void {
    if (this.#pending.get(pending.key) === pending) pending.resolve(outcome);
  }

  #idle(): void {
    const polling = [...this.#pending.values()].some((p) => p.request.kind !== 'timer');
    if (this.#poller && (!polling || this.#closed)) {
      clearInterval(this.#poller);
      this.#poller = undefined;
    }
  }

  /** One look at the store at a time; a request during a look makes another one after it. */
  #check(): Promise<void> {
    if (this.#checking) {
      this.#again = true;
      return this.#checking;
    }
    this.#checking = (async () => {
      do {
        this.#again = false;
        try {
          await this.#look();
        } catch (error) {
          warn(error);
        }
      } while (this.#again && this.#pending.size > 0 && !this.#closed);
    })().finally(() => {
      this.#checking = undefined;
    });
    return this.#checking;
  }

  async #look(): Promise<void> {
    const waiting = [...this.#pending.values()];
    const approvals = waiting.filter((p) => p.request.kind === 'approval');
    if (approvals.length > 0) {
      const runIds = unique(approvals.map((p) => p.request.runId));
      for (const row of await this.#store.listWaits({ runIds, kind: 'approval', status: 'done' })) {
        const pending = this.#pending.get(keyOf(row));
        if (pending) this.#settle(pending, row.outcome as WaitOutcome);
      }
    }
    const events = waiting.filter((p) => p.request.kind === 'event');
    if (events.length === 0) return;
    const inbox = await this.#store.listInbox({
      runIds: unique(events.map((p) => p.request.runId)),
      types: unique(events.flatMap((p) => typesOf(p.request))),
    });
    for (const row of inbox) {
      for (const pending of events) {
        if (!this.#receives(pending, row)) continue;
        pending.seen.add(row.id);
        if (!this.#matches(pending, row.event)) continue;
        try {
          if (await this.#take(pending, row)) break;
        } catch (error) {
          pending.seen.delete(row.id); // the store failed: look at this event again next time
          throw error;
        }
      }
    }
  }

  #receives(pending: Pending, row: InboxRecord): boolean {
    const { runId, stepKey } = pending.request;
    return (
      this.#pending.get(pending.key) === pending &&
      !pending.seen.has(row.id) &&
      row.runId === runId &&
      typesOf(pending.request).includes(row.event.type) &&
      (row.stepKey === null || row.stepKey === stepKey)
    );
  }

  /** The step's `match`; when it throws (a missing key...), the step fails with that error. */
  #matches(pending: Pending, event: CloudEvent): boolean {
    try {
      return pending.request.match?.(event) ?? true;
    } catch (error) {
      pending.reject(WeftError.from(error, 'expression_error'));
      return false;
    }
  }

  async #take(pending: Pending, row: InboxRecord): Promise<boolean> {
    const { runId, stepKey } = pending.request;
    const outcome: WaitOutcome = { kind: 'event', event: row.event as CloudEvent };
    if (await this.#store.takeEvent({ id: row.id, runId, stepKey, outcome, now: this.#now() })) {
      this.#settle(pending, outcome);
      return true;
    }
    const current = await this.#store.getWait(runId, stepKey);
    if (current?.status === 'done') this.#settle(pending, current.outcome as WaitOutcome);
    return false;
  }
}

function warn(error: unknown): void {
  process.emitWarning(`durable waits: ${error instanceof Error ? error.message : String(error)}`);
}
