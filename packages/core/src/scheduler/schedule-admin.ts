import { existsSync } from 'node:fs';
import { isWorkflowPath } from '../engine/chaining.js';
import { type Clock, systemClock } from '../engine/clock.js';
import { WeftError } from '../errors.js';
import type { FireRecord, ScheduleRecord } from '../store/schedule-types.js';
import type { Store } from '../store/types.js';
import { defaultScheduleName, defineSchedule, type ScheduleDefinition } from './define-schedule.js';
import { timingOf } from './misfire.js';
import { checkTimeZone } from './time-zone.js';
import { checkTiming, upcomingFires } from './timing.js';
import { unrunnableReason } from './workflow-check.js';

export interface ScheduleAdminOptions {
  store: Store;
  /** Base of relative workflow paths; default the current directory. */
  cwd?: string;
  clock?: Clock;
}

/** A schedule with its next fire times, as `weft schedules list` shows it. */
export interface ScheduleView extends ScheduleRecord {
  upcoming: number[];
}

/**
 * What the CLI and the HTTP API do with schedules: create (validated), list, show, pause, resume,
 * delete, history, and preview a cron expression. A running `Scheduler` picks the changes up.
 * @example await new ScheduleAdmin({ store }).create({ workflow: 'deploy', cron: '0 9 * * 1-5', tz: 'Europe/Berlin' })
 */
export class ScheduleAdmin {
  readonly #store: Store;
  readonly #cwd: string;
  readonly #clock: Clock;

  constructor(options: ScheduleAdminOptions) {
    this.#store = options.store;
    this.#cwd = options.cwd ?? process.cwd();
    this.#clock = options.clock ?? systemClock;
  }

  async create(def: ScheduleDefinition): Promise<ScheduleView> {
    const now = this.#clock.now();
    const name = def.name ?? (await this.#freeName(defaultScheduleName(def.workflow)));
    const record = defineSchedule({ ...def, name }, { cwd: this.#cwd, now });
    await this.#checkWorkflow(record.workflow);
    return this.#view(await this.#store.schedules.create(record));
  }

  async get(name: string): Promise<ScheduleView> {
    return this.#view(await this.#require(name));
  }

  async list(): Promise<ScheduleView[]> {
    return (await this.#store.schedules.list()).map((s) => this.#view(s));
  }

  /** Stops firing until resumed; already started runs go on. */
  async pause(name: string, reason = 'paused by request'): Promise<ScheduleView> {
    const schedule = await this.#require(name);
    if (schedule.status === 'paused') throw new WeftError('conflict', `schedule '${name}' is paused already`);
    const change = { status: 'paused' as const, pauseReason: reason, resetFailures: false };
    const paused = await this.#store.schedules.setStatus(name, {
      ...change,
      nextFireAt: schedule.nextFireAt,
      now: this.#clock.now(),
    });
    return this.#view(paused ?? schedule);
  }

  /** Fires again from now on (fires missed while paused are not made up); failures count from 0. */
  async resume(name: string): Promise<ScheduleView> {
    const schedule = await this.#require(name);
    if (schedule.status === 'active') throw new WeftError('conflict', `schedule '${name}' is not paused`);
    const gone = await unrunnableReason(this.#store, schedule.workflow);
    if (gone) throw new WeftError('conflict', `schedule '${name}' cannot resume: ${gone}`);
    const now = this.#clock.now();
    const [next = null] = upcomingFires(timingOf(schedule), now, 1);
    const change = {
      status: 'active' as const,
      pauseReason: null,
      resetFailures: true,
      nextFireAt: next,
      now,
    };
    return this.#view((await this.#store.schedules.setStatus(name, change)) ?? schedule);
  }

  async remove(name: string): Promise<void> {
    if (!(await this.#store.schedules.remove(name))) throw this.#missing(name);
  }

  async history(name: string, limit = 50): Promise<FireRecord[]> {
    await this.#require(name);
    return this.#store.schedules.history(name, limit);
  }

  /** The next `count` fire times of a cron expression in a zone (default UTC), after now. */
  preview(cron: string, options: { tz?: string; count?: number } = {}): number[] {
    return previewCron(cron, { ...options, now: this.#clock.now() });
  }

  #view(schedule: ScheduleRecord): ScheduleView {
    const from = Math.max(this.#clock.now(), (schedule.nextFireAt ?? 0) - 1);
    const upcoming =
      schedule.status === 'active' && schedule.nextFireAt !== null
        ? upcomingFires(timingOf(schedule), from, 5)
        : [];
    return { ...schedule, upcoming };
  }

  async #require(name: string): Promise<ScheduleRecord> {
    const schedule = await this.#store.schedules.get(name);
    if (!schedule) throw this.#missing(name);
    return schedule;
  }

  #missing(name: string): WeftError {
    return new WeftError('not_found', `no schedule named '${name}'`, { details: { name } });
  }

  async #freeName(base: string): Promise<string> {
    const taken = new Set((await this.#store.schedules.list()).map((s) => s.name));
    if (!taken.has(base)) return base;
    for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
  }

  async #checkWorkflow(workflow: string): Promise<void> {
    if (isWorkflowPath(workflow)) {
      if (!existsSync(workflow)) {
        throw new WeftError('invalid_input', `workflow: no document at ${workflow}`, {
          details: { field: 'workflow' },
        });
      }
      return;
    }
    const gone = await unrunnableReason(this.#store, workflow);
    if (gone) {
      throw new WeftError(
        'not_found',
        `${gone}; push it with \`weft workflows push\`, or give the path of a document (./${workflow}.yaml)`,
        { details: { field: 'workflow', value: workflow } },
      );
    }
  }
}

/**
 * The next `count` (default 5) fire times of a cron expression in a zone (default UTC) after `now`.
 * @example previewCron('30 2 * * *', { tz: 'America/New_York', now: Date.now() })
 */
export function previewCron(cron: string, options: { tz?: string; count?: number; now: number }): number[] {
  const tz = checkTiming('cron', cron, options.tz === undefined ? null : checkTimeZone(options.tz));
  return upcomingFires(
    { kind: 'cron', spec: cron, tz, anchor: options.now },
    options.now,
    options.count ?? 5,
  );
}

/** A schedule as JSON (CLI `--json` and the HTTP API): snake_case, times as ISO 8601. */
export function scheduleJson(s: ScheduleView) {
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  return {
    name: s.name,
    workflow: s.workflow,
    kind: s.kind,
    spec: s.spec,
    tz: s.tz,
    input: s.input,
    overlap: s.overlap,
    max_concurrent: s.maxConcurrent,
    misfire: s.misfire,
    pause_after_failures: s.pauseAfterFailures,
    status: s.status,
    pause_reason: s.pauseReason,
    consecutive_failures: s.consecutiveFailures,
    next_fire_at: iso(s.nextFireAt),
    next_fires: s.upcoming.map((t) => new Date(t).toISOString()),
    created_at: iso(s.createdAt),
    updated_at: iso(s.updatedAt),
  };
}

/** One fire as JSON; `duration_ms` is null until its run ended. */
export function fireJson(f: FireRecord) {
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  return {
    fired_at: iso(f.firedAt),
    run_id: f.runId,
    status: f.status,
    started_at: iso(f.startedAt),
    ended_at: iso(f.endedAt),
    duration_ms: f.startedAt !== null && f.endedAt !== null ? f.endedAt - f.startedAt : null,
    reason: f.reason,
  };
}
