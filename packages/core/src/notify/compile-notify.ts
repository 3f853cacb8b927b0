import { WeftError } from '../errors.js';
import { parseDuration } from '../util/duration.js';
import { NOTIFY_EVENTS, type NotifyEvent, type NotifyTarget } from './notify-types.js';

const DEFAULT_EVENTS: NotifyEvent[] = ['completed', 'failed', 'cancelled'];

/**
 * A `notify` list (workflow document or config sinks), checked: `on` defaults to the ends of a run
 * (plus `delayed` with `delay_after`); `delayed` without `delay_after` is refused.
 * @example compileNotify([{ url: 'https://x.test/h', on: ['failed'] }], 'notify')
 */
export function compileNotify(value: unknown, path: string): NotifyTarget[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value))
    throw new WeftError('invalid_document', `${path}: expected a list of { url, on, delay_after }`);
  return value.map((entry: Record<string, unknown>, index) => {
    const where = `${path}[${index}]`;
    if (typeof entry?.url !== 'string' || !/^https?:\/\//.test(entry.url)) {
      throw new WeftError(
        'invalid_document',
        `${where}.url: expected an http(s) URL, got ${JSON.stringify(entry?.url)}`,
      );
    }
    const delayAfterMs = entry.delay_after === undefined ? undefined : parseDuration(entry.delay_after);
    const on =
      entry.on === undefined
        ? [...DEFAULT_EVENTS, ...(delayAfterMs ? (['delayed'] as const) : [])]
        : entry.on;
    if (!Array.isArray(on) || on.some((e) => !NOTIFY_EVENTS.includes(e as NotifyEvent))) {
      throw new WeftError(
        'invalid_document',
        `${where}.on: expected some of ${NOTIFY_EVENTS.join(', ')}, got ${JSON.stringify(on)}`,
      );
    }
    if (on.includes('delayed') && delayAfterMs === undefined) {
      throw new WeftError(
        'invalid_document',
        `${where}: 'delayed' needs delay_after (how long a run may go before it fires)`,
      );
    }
    const target: NotifyTarget = { url: entry.url, on: on as NotifyEvent[] };
    if (delayAfterMs !== undefined) target.delayAfterMs = delayAfterMs;
    if (typeof entry.secret === 'string') target.secret = entry.secret;
    return target;
  });
}
