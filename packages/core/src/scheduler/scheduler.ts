import { randomUUID } from 'node:crypto';
import { type Clock, systemClock } from '../engine/clock.js';
import type { Engine } from '../engine/types.js';
import { WeftError } from '../errors.js';
import type { FireRecord, ScheduleRecord } from '../store/schedule-types.js';
import { TERMINAL_RUN_STATUSES } from '../store/types.js';
import { type PlannedFire, planFires } from './misfire.js';
import { scheduleInput } from './schedule-input.js';
import { isGoneError, unrunnableReason, workflowRef } from './workflow-check.js';

export interface SchedulerOptions {
  /** Starts the runs; its store holds the schedules. */
  engine: Engine;
  /** Default the system clock; tests pass a `SimulatedClock` and call `tick()`. */
  clock?: Clock;
  /** Longest sleep between passes (new schedules, runs that ended); default 1000 ms. */
  pollMs?: number;
  /** A fire later than this is a misfire (the misfire policy decides); default 5000 ms. */
  misfireGraceMs?: number;
  /** A fire whose run is still not in the store after this long failed to start; default 60 s. */
  startTimeoutMs?: number;
  /** Problems of a pass (the loop goes on); default: a process warning. */
  onError?: (error: unknown) => void;
  /** Called after each pass of the loop with what it did. */
  onTick?: (report: TickReport) => void;
}

/** What one pass did, for tests and logs. */
export interface TickReport {
  started: string[];
  skipped: number;
  queued: number;
  finished: number;
  paused: string[];
}

const emptyReport = (): TickReport => ({ started: [], skipped: 0, queued: 0, finished: 0, paused: [] });

/**
 * Fires due schedules: each due fire is claimed in one store transaction, so with several
 * processes on one store it happens once. Also follows the runs it started (overlap, queued fires,
 * consecutive failures).
 * @example
 * const scheduler = new Scheduler({ engine });
 * scheduler.start();
 * await scheduler.stop();
 */
export class Scheduler {
  readonly #engine: Engine;
  readonly #clock: Clock;
  readonly #pollMs: number;
  readonly #graceMs: number;
  readonly #startTimeoutMs: number;
  readonly #onError: (error: unknown) => void;
  readonly #onTick: ((report: TickReport) => void) | undefined;
  #timer: unknown;
  #running = false;
  #pass: Promise<unknown> = Promise.resolve();

  constructor(options: SchedulerOptions) {
    this.#engine = options.engine;
    this.#clock = options.clock ?? systemClock;
    this.#pollMs = options.pollMs ?? 1000;
    this.#graceMs = options.misfireGraceMs ?? 5000;
    this.#startTimeoutMs = options.startTimeoutMs ?? 60_000;
    this.#onTick = options.onTick;
    this.#onError =
      options.onError ?? ((error) => process.emitWarning(`scheduler: ${(error as Error)?.message ?? error}`));
  }

  get #store() {
    return this.#engine.store;
  }

  /** Starts the loop: a pass now, then one at each due time (at least every `pollMs`). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule(0);
  }

  /** Stops the loop and waits for a pass in progress; runs already started go on in the engine. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#pass.catch(() => {});
  }

  #schedule(ms: number): void {
    if (!this.#running) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#pass = this.tick()
        .then((report) => this.#onTick?.(report))
        .catch((error) => this.#onError(error))
        .then(() => this.#sleep())
        .then(
          (next) => this.#schedule(next),
          () => this.#schedule(this.#pollMs),
        );
    }, ms);
  }

  /** Until the earliest next fire, at most `pollMs`. */
  async #sleep(): Promise<number> {
    const now = this.#clock.now();
    const soon = await this.#store.schedules.due(now + this.#pollMs);
    const first = soon[0]?.nextFireAt;
    return first === undefined || first === null ? this.#pollMs : Math.max(0, first - now);
  }

  /** One pass: ends fires whose runs ended, starts queued fires, fires what is due. */
  async tick(): Promise<TickReport> {
    const report = emptyReport();
    await this.#followRuns(report);
    const now = this.#clock.now();
    for (const schedule of await this.#store.schedules.due(now)) {
      try {
        await this.#fireDue(schedule, now, report);
      } catch (error) {
        this.#onError(error);
      }
    }
    return report;
  }

  async #fireDue(schedule: ScheduleRecord, now: number, report: TickReport): Promise<void> {
    const gone = await unrunnableReason(this.#store, schedule.workflow);
    if (gone) {
      await this.#pause(schedule.name, gone, now, report);
      return;
    }
    for (const planned of planFires(schedule, now, this.#graceMs)) {
      if (!(await this.#fire(schedule, planned, now, report))) return;
    }
  }

  /** Claims one fire and acts on it; false when another process claimed it (stop there). */
  async #fire(
    schedule: ScheduleRecord,
    planned: PlannedFire,
    now: number,
    report: TickReport,
  ): Promise<boolean> {
    const base = { schedule: schedule.name, firedAt: planned.firedAt, reason: planned.reason, endedAt: null };
    const claim = { schedule: schedule.name, dueAt: planned.dueAt, nextFireAt: planned.nextFireAt, now };
    if (planned.action === 'skip') {
      const fire: FireRecord = { ...base, runId: null, status: 'skipped', startedAt: null, endedAt: now };
      if (await this.#store.schedules.claimFire({ ...claim, fire })) report.skipped++;
      return true;
    }
    const open = (await this.#store.schedules.openFires(schedule.name)).filter((f) => f.status === 'running');
    const full = open.length >= schedule.maxConcurrent;
    if (full && schedule.overlap === 'skip') {
      const why = `overlap: ${open.length} run${open.length === 1 ? '' : 's'} of this schedule still running (${open.map((f) => f.runId).join(', ')})`;
      const reason = planned.reason ? `${planned.reason}; ${why}` : why;
      const fire: FireRecord = {
        ...base,
        reason,
        runId: null,
        status: 'skipped',
        startedAt: null,
        endedAt: now,
      };
      if (await this.#store.schedules.claimFire({ ...claim, fire })) report.skipped++;
      return true;
    }
    if (full && schedule.overlap === 'queue') {
      const fire: FireRecord = { ...base, runId: null, status: 'queued', startedAt: null };
      if (await this.#store.schedules.claimFire({ ...claim, fire })) report.queued++;
      return true;
    }
    const runId = randomUUID();
    const fire: FireRecord = { ...base, runId, status: 'running', startedAt: now };
    if (!(await this.#store.schedules.claimFire({ ...claim, fire }))) return false;
    if (full && schedule.overlap === 'cancel_previous') {
      const extra = open.length - schedule.maxConcurrent + 1;
      for (const previous of open.slice(0, extra)) await this.#cancel(previous, planned.firedAt);
    }
    await this.#start(schedule, fire, report);
    return true;
  }

  async #cancel(previous: FireRecord, firedAt: number): Promise<void> {
    if (!previous.runId) return;
    const reason = `cancelled by schedule '${previous.schedule}': the fire at ${new Date(firedAt).toISOString()} replaces it (overlap cancel_previous)`;
    await this.#engine.cancel(previous.runId, { by: 'scheduler', reason }).catch((error: unknown) => {
      // Ended meanwhile: nothing to cancel.
      if (!(error instanceof WeftError && (error.code === 'conflict' || error.code === 'not_found')))
        throw error;
    });
  }

  /** Starts the run of a claimed fire; a start that fails ends the fire as failed. */
  async #start(schedule: ScheduleRecord, fire: FireRecord, report: TickReport): Promise<void> {
    const now = this.#clock.now();
    try {
      const input = scheduleInput(schedule.input, { name: schedule.name, firedAt: fire.firedAt, now });
      const meta = { schedule: schedule.name, fired_at: new Date(fire.firedAt).toISOString() };
      const handle = await this.#engine.start(workflowRef(schedule.workflow), input, {
        runId: fire.runId!,
        meta,
      });
      // The run goes on in the engine; its end is read back from the store by `#followRuns`.
      handle.result().catch(() => {});
      report.started.push(handle.runId);
    } catch (error) {
      const message = (error as Error)?.message ?? String(error);
      const ended = await this.#store.schedules.finishFire({
        schedule: schedule.name,
        firedAt: fire.firedAt,
        status: 'failed',
        reason: `the run did not start: ${message}`,
        endedAt: now,
        failures: 'increment',
      });
      if (isGoneError(error)) await this.#pause(schedule.name, message, now, report);
      else if (ended) await this.#pauseAfterFailures(ended, message, now, report);
    }
  }

  /** Ends open fires whose runs ended; starts queued fires where a run of their schedule ended. */
  async #followRuns(report: TickReport): Promise<void> {
    const open = await this.#store.schedules.openFires();
    const running = new Map<string, number>();
    const queued: FireRecord[] = [];
    for (const fire of open) {
      if (fire.status === 'queued') {
        queued.push(fire);
        continue;
      }
      if (!(await this.#ended(fire, report)))
        running.set(fire.schedule, (running.get(fire.schedule) ?? 0) + 1);
    }
    for (const fire of queued) {
      const schedule = await this.#store.schedules.get(fire.schedule);
      if (schedule?.status !== 'active') continue;
      if ((running.get(fire.schedule) ?? 0) >= schedule.maxConcurrent) continue;
      const runId = randomUUID();
      const now = this.#clock.now();
      if (!(await this.#store.schedules.startQueued(fire.schedule, fire.firedAt, runId, now))) continue;
      running.set(fire.schedule, (running.get(fire.schedule) ?? 0) + 1);
      await this.#start(schedule, { ...fire, runId, status: 'running', startedAt: now }, report);
    }
  }

  /** True when the fire's run has ended (and the fire was ended here or elsewhere). */
  async #ended(fire: FireRecord, report: TickReport): Promise<boolean> {
    const run = fire.runId ? await this.#store.getRun(fire.runId) : undefined;
    const now = this.#clock.now();
    if (!run) {
      if (now - (fire.startedAt ?? now) < this.#startTimeoutMs) return false;
      const reason = 'the run was never stored (the process that fired it stopped first)';
      const end = { schedule: fire.schedule, firedAt: fire.firedAt, endedAt: now, reason };
      await this.#store.schedules.finishFire({ ...end, status: 'failed', failures: 'increment' });
      return true;
    }
    if (!TERMINAL_RUN_STATUSES.has(run.status)) return false;
    const status = run.status as 'completed' | 'failed' | 'cancelled';
    const failures = status === 'failed' ? 'increment' : status === 'completed' ? 'reset' : 'keep';
    const reason = run.error ? `${run.error.code}: ${run.error.message}` : null;
    const endedAt = run.endedAt ?? now;
    const schedule = await this.#store.schedules.finishFire({
      schedule: fire.schedule,
      firedAt: fire.firedAt,
      status,
      reason,
      endedAt,
      failures,
    });
    if (schedule) {
      report.finished++;
      if (status === 'failed')
        await this.#pauseAfterFailures(schedule, `run ${run.id}: ${reason}`, now, report);
    }
    return true;
  }

  async #pauseAfterFailures(schedule: ScheduleRecord, last: string, now: number, report: TickReport) {
    const limit = schedule.pauseAfterFailures;
    if (limit === null || schedule.status !== 'active' || schedule.consecutiveFailures < limit) return;
    const reason = `paused after ${schedule.consecutiveFailures} consecutive failed runs (last: ${last})`;
    await this.#pause(schedule.name, reason, now, report);
  }

  async #pause(name: string, reason: string, now: number, report: TickReport): Promise<void> {
    const schedule = await this.#store.schedules.get(name);
    if (schedule?.status !== 'active') return;
    const change = { status: 'paused' as const, pauseReason: reason, resetFailures: false, now };
    await this.#store.schedules.setStatus(name, { ...change, nextFireAt: schedule.nextFireAt });
    report.paused.push(name);
  }
}
