import { describe, expect, it } from 'vitest';
import { compileCron } from './cron.js';
import { defineSchedule } from './define-schedule.js';
import { compileScheduleInput, scheduleInput } from './schedule-input.js';
import { checkTimeZone } from './time-zone.js';
import { atTime, everyMs, nextFireAfter, type Timing, upcomingFires } from './timing.js';

const iso = (times: number[]) => times.map((t) => new Date(t).toISOString());
const cron = (spec: string, tz: string): Timing => ({ kind: 'cron', spec, tz, anchor: 0 });

describe('cron across DST transitions', () => {
  it('30 2 * * * in America/New_York: the skipped 02:30 of spring-forward fires at 03:00 EDT, once', () => {
    const from = Date.parse('2026-03-06T12:00:00Z');
    expect(iso(upcomingFires(cron('30 2 * * *', 'America/New_York'), from, 4))).toEqual([
      '2026-03-07T07:30:00.000Z', // 02:30 EST (-5)
      '2026-03-08T07:00:00.000Z', // 02:30 does not exist: 03:00 EDT
      '2026-03-09T06:30:00.000Z', // 02:30 EDT (-4)
      '2026-03-10T06:30:00.000Z',
    ]);
  });

  it('30 2 * * * in America/New_York fires once a day across the fall-back of 2026-11-01', () => {
    const from = Date.parse('2026-10-30T12:00:00Z');
    expect(iso(upcomingFires(cron('30 2 * * *', 'America/New_York'), from, 4))).toEqual([
      '2026-10-31T06:30:00.000Z', // EDT
      '2026-11-01T07:30:00.000Z', // EST: 02:30 happens once (01:00-02:00 repeats)
      '2026-11-02T07:30:00.000Z',
      '2026-11-03T07:30:00.000Z',
    ]);
    // 01:30 occurs twice that night: a fixed-time schedule fires at the first one only.
    expect(iso(upcomingFires(cron('30 1 * * *', 'America/New_York'), from, 3))).toEqual([
      '2026-10-31T05:30:00.000Z',
      '2026-11-01T05:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ]);
  });

  it('an interval cron keeps its real spacing through the repeated hour', () => {
    const from = Date.parse('2026-11-01T05:00:00Z'); // 01:00 EDT
    const times = upcomingFires(cron('*/30 * * * *', 'America/New_York'), from, 5);
    expect(times.map((t, i) => (i === 0 ? 0 : t - times[i - 1]!))).toEqual([
      0, 1_800_000, 1_800_000, 1_800_000, 1_800_000,
    ]);
  });

  it('30 2 * * * in Europe/Berlin across its own transitions (2026-03-29, 2026-10-25)', () => {
    const spring = Date.parse('2026-03-27T12:00:00Z');
    expect(iso(upcomingFires(cron('30 2 * * *', 'Europe/Berlin'), spring, 3))).toEqual([
      '2026-03-28T01:30:00.000Z', // CET (+1)
      '2026-03-29T01:00:00.000Z', // 02:30 skipped: 03:00 CEST
      '2026-03-30T00:30:00.000Z', // CEST (+2)
    ]);
    const fall = Date.parse('2026-10-23T12:00:00Z');
    expect(iso(upcomingFires(cron('30 2 * * *', 'Europe/Berlin'), fall, 3))).toEqual([
      '2026-10-24T00:30:00.000Z',
      '2026-10-25T00:30:00.000Z', // the first 02:30 (CEST) only
      '2026-10-26T01:30:00.000Z',
    ]);
  });

  it('accepts 6 fields (seconds first) and nicknames; UTC without a zone', () => {
    expect(iso(upcomingFires(cron('*/20 * * * * *', 'UTC'), Date.parse('2026-01-01T00:00:05Z'), 2))).toEqual([
      '2026-01-01T00:00:20.000Z',
      '2026-01-01T00:00:40.000Z',
    ]);
    expect(iso(upcomingFires({ kind: 'cron', spec: '@daily', tz: null, anchor: 0 }, 0, 1))).toEqual([
      '1970-01-02T00:00:00.000Z',
    ]);
  });
});

describe('invalid cron expressions and zones name what is wrong', () => {
  it.each([
    ['61 * * * *', /the minute field '61' is invalid: Invalid value for minute: 61/],
    ['0 25 * * *', /the hour field '25' is invalid/],
    ['0 0 32 * *', /the day-of-month field '32' is invalid/],
    ['0 0 * 13 *', /the month field '13' is invalid/],
    ['0 0 * * 9', /the day-of-week field '9' is invalid/],
    ['99 0 0 * * *', /the second field '99' is invalid/],
    ['0 0 * * mon-xyz', /the day-of-week field 'mon-xyz' is invalid/],
    [
      '* * *',
      /expected 5 fields \(minute hour day-of-month month day-of-week\) or 6 \(second first\), got 3/,
    ],
  ])('%s', (spec, message) => {
    expect(() => compileCron(spec, 'UTC')).toThrow(message);
    expect(() => compileCron(spec, 'UTC')).toThrow(expect.objectContaining({ code: 'invalid_input' }));
  });

  it('refuses an unknown time zone, suggesting the closest', () => {
    expect(() => checkTimeZone('Europe/Berln')).toThrow(
      "time zone 'Europe/Berln' is not an IANA time zone (did you mean 'Europe/Berlin'?); expected a name such as America/New_York, Europe/Berlin or UTC",
    );
    expect(checkTimeZone('utc')).toBe('UTC');
  });
});

describe('every and at', () => {
  it('every counts whole intervals from its anchor', () => {
    const timing: Timing = { kind: 'every', spec: '1m30s', tz: null, anchor: 1000 };
    expect(upcomingFires(timing, 1000, 3)).toEqual([91_000, 181_000, 271_000]);
    expect(nextFireAfter(timing, 181_000)).toBe(271_000);
    expect(nextFireAfter(timing, 0)).toBe(91_000);
  });

  it('refuses bad or too short durations', () => {
    expect(() => everyMs('5')).toThrow(
      "every '5': expected a duration with a unit, got '5' (did you mean '5s' or '5ms'?)",
    );
    expect(() => everyMs('fortnight')).toThrow(/every 'fortnight': expected a duration such as/);
    expect(() => everyMs('100ms')).toThrow("every '100ms': expected an interval of at least 1s, got 100ms");
  });

  it('at is one instant with a zone; it fires once', () => {
    expect(atTime('2026-05-01T11:00:00+02:00')).toBe(Date.parse('2026-05-01T09:00:00Z'));
    expect(() => atTime('2026-05-01 09:00')).toThrow(
      /at '2026-05-01 09:00': expected an ISO 8601 time with a zone/,
    );
    expect(() => atTime('tomorrow')).toThrow(/expected an ISO 8601 time with a zone/);
    const timing: Timing = { kind: 'at', spec: '2026-05-01T09:00:00Z', tz: null, anchor: 0 };
    expect(upcomingFires(timing, 0, 5)).toEqual([Date.parse('2026-05-01T09:00:00Z')]);
  });
});

describe('defineSchedule', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  const opts = { cwd: '/srv/flows', now };

  it('makes the record with defaults, an absolute path and the first fire', () => {
    const record = defineSchedule(
      { name: 'nightly', workflow: 'etl/load.yaml', cron: '0 3 * * *', tz: 'Europe/Berlin' },
      opts,
    );
    expect(record).toMatchObject({
      workflow: '/srv/flows/etl/load.yaml',
      kind: 'cron',
      tz: 'Europe/Berlin',
      overlap: 'skip',
      maxConcurrent: 1,
      misfire: 'skip',
      pauseAfterFailures: null,
      nextFireAt: Date.parse('2026-01-01T02:00:00Z'),
    });
  });

  it('names the offending field', () => {
    const base = { name: 'x', workflow: 'deploy' };
    expect(() => defineSchedule({ ...base, cron: '0 0 * *', every: '1m' }, opts)).toThrow(
      'expected exactly one of cron, every or at, got cron and every',
    );
    expect(() => defineSchedule({ ...base, every: '1m', tz: 'UTC' }, opts)).toThrow(
      'tz applies to cron schedules only',
    );
    expect(() => defineSchedule({ ...base, at: '2025-01-01T00:00:00Z' }, opts)).toThrow(
      /expected a time in the future/,
    );
    expect(() => defineSchedule({ ...base, every: '1m', overlap: 'wait' as never }, opts)).toThrow(
      "overlap: expected one of skip, queue, allow, cancel_previous, got 'wait'",
    );
    expect(() => defineSchedule({ ...base, every: '1m', input: { a: '${ inputs.x }' } }, opts)).toThrow(
      "input: unknown name 'inputs'",
    );
    expect(() => defineSchedule({ ...base, every: '1m', input: { a: '${ 1 + }' } }, opts)).toThrow(
      /input\.a: invalid expression/,
    );
    expect(() => defineSchedule({ ...base, name: 'bad name', every: '1m' }, opts)).toThrow(
      /name: expected letters/,
    );
  });
});

describe('input expressions', () => {
  it('see schedule.fired_at, schedule.name and now', () => {
    const input = {
      day: '${ schedule.fired_at }',
      label: 'run of ${ schedule.name }',
      after: '${ now > schedule.fired_at }',
      fixed: 7,
    };
    compileScheduleInput(input);
    const fired = Date.parse('2026-03-08T07:00:00Z');
    expect(scheduleInput(input, { name: 'nightly', firedAt: fired, now: fired + 250 })).toEqual({
      day: '2026-03-08T07:00:00.000Z',
      label: 'run of nightly',
      after: true,
      fixed: 7,
    });
  });
});
