import type { ScheduleRecord } from '../store/schedule-types.js';
import { nextFireAfter, type Timing } from './timing.js';

/** One claim to make, in order: each `dueAt` is the `nextFireAt` of the claim before it. */
export interface PlannedFire {
  dueAt: number;
  nextFireAt: number | null;
  /** The time recorded for the fire (the scheduled time). */
  firedAt: number;
  /** `run`: start a run (overlap permitting); `skip`: record it skipped (misfire skip). */
  action: 'run' | 'skip';
  /** Why, for misfires: how many fires were missed. */
  reason: string | null;
}

export function timingOf(schedule: ScheduleRecord): Timing {
  return { kind: schedule.kind, spec: schedule.spec, tz: schedule.tz, anchor: schedule.createdAt };
}

/** Most fires looked at in one pass; a longer backlog continues on the next tick. */
export const MAX_FIRES_PER_PASS = 1000;

/**
 * The fires of a due schedule at `now`. A fire more than `graceMs` late was missed (no scheduler
 * ran): the misfire policy decides: `skip` records them as one skipped fire, `run_once` runs once
 * for all of them, `run_all` runs each. Fires within the grace run as usual.
 */
export function planFires(schedule: ScheduleRecord, now: number, graceMs: number): PlannedFire[] {
  const timing = timingOf(schedule);
  const due: number[] = [];
  let next: number | null = schedule.nextFireAt;
  while (next !== null && next <= now && due.length < MAX_FIRES_PER_PASS) {
    due.push(next);
    next = nextFireAfter(timing, next);
  }
  const late = due.filter((t) => now - t > graceMs);
  const onTime = due.slice(late.length);
  const chain = (times: number[], action: PlannedFire['action'], reason: string | null) =>
    times.map((t, i) => ({
      dueAt: t,
      nextFireAt: i + 1 < times.length ? times[i + 1]! : nextFireAfter(timing, t),
      firedAt: t,
      action,
      reason,
    }));
  if (late.length === 0 || schedule.misfire === 'run_all') {
    const missed = late.length > 0 ? `misfire: run late (policy run_all)` : null;
    return [...chain(late, 'run', missed), ...chain(onTime, 'run', null)];
  }
  const last = late.at(-1)!;
  const span = `${late.length} fire${late.length === 1 ? '' : 's'} missed from ${new Date(late[0]!).toISOString()} to ${new Date(last).toISOString()}`;
  const collapsed: PlannedFire = {
    dueAt: late[0]!,
    nextFireAt: nextFireAfter(timing, last),
    firedAt: last,
    action: schedule.misfire === 'run_once' ? 'run' : 'skip',
    reason: `misfire: ${span} (policy ${schedule.misfire})`,
  };
  return [collapsed, ...chain(onTime, 'run', null)];
}
