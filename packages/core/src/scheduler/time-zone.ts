import { WeftError } from '../errors.js';
import { closest } from '../util/did-you-mean.js';

/**
 * The canonical IANA name of a time zone (`utc` -> `UTC`); throws `invalid_input` naming the
 * zone, with the closest known name when there is one.
 * @example checkTimeZone('Europe/Berlin') // 'Europe/Berlin'
 */
export function checkTimeZone(zone: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch (cause) {
    const known = Intl.supportedValuesOf('timeZone');
    const guess = closest(zone, known);
    const hint = guess ? ` (did you mean '${guess}'?)` : '';
    throw new WeftError(
      'invalid_input',
      `time zone '${zone}' is not an IANA time zone${hint}; expected a name such as America/New_York, Europe/Berlin or UTC`,
      { cause, details: { field: 'tz', value: zone } },
    );
  }
}
