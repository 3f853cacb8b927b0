import { formatDuration } from '@weft/core';

/** `12:00:01`, local time. */
export function clock(time: number): string {
  const d = new Date(time);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** `2024-05-01 12:00:01`, local time; `-` when not set. */
export function dateTime(time: number | null | undefined): string {
  if (time === null || time === undefined) return '-';
  const d = new Date(time);
  const date = [d.getFullYear(), d.getMonth() + 1, d.getDate()]
    .map((n) => String(n).padStart(2, '0'))
    .join('-');
  return `${date} ${clock(time)}`;
}

/** The time between two instants; `-` when it has not started, measured to now when still going. */
export function span(
  start: number | null | undefined,
  end: number | null | undefined,
  now = Date.now(),
): string {
  if (start === null || start === undefined) return '-';
  return formatDuration(Math.max(0, (end ?? now) - start));
}

export { formatDuration };

/** An error on one line: `exit_code: command exited with 1`. */
export function errorLine(error: { code?: unknown; message?: unknown } | null | undefined): string {
  if (!error) return '';
  const message = typeof error.message === 'string' ? (error.message.split('\n')[0] ?? '') : '';
  return typeof error.code === 'string' ? `${error.code}: ${message}` : message;
}
