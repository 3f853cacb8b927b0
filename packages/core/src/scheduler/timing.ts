import { WeftError } from '../errors.js';
import type { ScheduleKind } from '../store/schedule-types.js';
import { parseDuration } from '../util/duration.js';
import { compileCron, nextCronTime } from './cron.js';
import { checkTimeZone } from './time-zone.js';

/** When a schedule fires: `anchor` is when an `every` schedule counts its intervals from. */
export interface Timing {
  kind: ScheduleKind;
  spec: string;
  tz: string | null;
  anchor: number;
}

/** Shortest `every` interval: a scheduler ticks about this often at best. */
export const MIN_EVERY_MS = 1000;

/** `every` in milliseconds; throws `invalid_input` for a bad duration or one under a second. */
export function everyMs(spec: string): number {
  let ms: number;
  try {
    ms = parseDuration(spec);
  } catch (cause) {
    throw new WeftError('invalid_input', `every '${spec}': ${(cause as Error).message}`, {
      cause,
      details: { field: 'every', value: spec },
    });
  }
  if (ms < MIN_EVERY_MS) {
    throw new WeftError(
      'invalid_input',
      `every '${spec}': expected an interval of at least 1s, got ${ms}ms`,
      {
        details: { field: 'every', value: spec },
      },
    );
  }
  return ms;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * An `at` timestamp: ISO 8601 with a zone (`2026-05-01T09:00:00Z`, `...+02:00`), so it means one
 * instant wherever the scheduler runs. Throws `invalid_input` saying what was expected.
 */
export function atTime(spec: string): number {
  const text = spec.trim();
  const ms = ISO_TIME.test(text) ? Date.parse(text.replace(' ', 'T')) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new WeftError(
      'invalid_input',
      `at '${spec}': expected an ISO 8601 time with a zone, such as 2026-05-01T09:00:00Z or 2026-05-01T11:00:00+02:00`,
      { details: { field: 'at', value: spec } },
    );
  }
  return ms;
}

/** Checks a timing's spec and zone (throws `invalid_input`); returns the canonical zone. */
export function checkTiming(kind: ScheduleKind, spec: string, tz: string | null): string | null {
  if (tz !== null && kind !== 'cron') {
    throw new WeftError('invalid_input', `tz applies to cron schedules only, not to '${kind}'`, {
      details: { field: 'tz', value: tz },
    });
  }
  if (kind === 'every') everyMs(spec);
  if (kind === 'at') atTime(spec);
  if (kind !== 'cron') return null;
  const zone = tz === null ? null : checkTimeZone(tz);
  compileCron(spec, zone ?? 'UTC');
  return zone;
}

/** The first fire strictly after `after`, or null when there is none. */
export function nextFireAfter(timing: Timing, after: number): number | null {
  if (timing.kind === 'cron') return nextCronTime(timing.spec, timing.tz ?? 'UTC', after);
  if (timing.kind === 'at') {
    const at = atTime(timing.spec);
    return at > after ? at : null;
  }
  const interval = everyMs(timing.spec);
  const k = Math.max(1, Math.floor((after - timing.anchor) / interval) + 1);
  return timing.anchor + k * interval;
}

/** The next `count` fires strictly after `after`. */
export function upcomingFires(timing: Timing, after: number, count: number): number[] {
  const times: number[] = [];
  let t = after;
  while (times.length < count) {
    const next = nextFireAfter(timing, t);
    if (next === null) break;
    times.push(next);
    t = next;
  }
  return times;
}
