import { randomUUID } from 'node:crypto';
import { WeftError } from '../../errors.js';
import type { CloudEventRecord } from '../../store/types.js';
import { checkJsonPayload } from './json-payload.js';

/** What `engine.sendEvent` accepts: a CloudEvent whose `id`, `source`, `time` and `data` may be left out. */
export interface EventInput {
  type: string;
  source?: string;
  data?: unknown;
  id?: string;
  /** RFC 3339; default: now. */
  time?: string;
  /** CloudEvents extension attributes (`subject`, `traceparent`...). */
  [extension: string]: unknown;
}

const ATTRIBUTE = /^[a-z0-9]{1,20}$/;

/**
 * Completes and checks an event: `id` a UUID, `source` `weft`, `time` now, `data` null by default.
 * A missing `type`, non-JSON or oversized data, or a bad attribute throws `invalid_input`.
 */
export function toCloudEvent(input: EventInput, now: number): CloudEventRecord {
  if (typeof input !== 'object' || input === null) {
    throw new WeftError(
      'invalid_input',
      `expected an event object such as { type: 'order.paid' }, got ${String(input)}`,
    );
  }
  const { type, source = 'weft', id = randomUUID(), time = new Date(now).toISOString(), data = null } = input;
  text(type, 'type', "such as 'payment.received'");
  text(source, 'source', "such as 'billing'");
  text(id, 'id', 'that is unique per source');
  text(time, 'time', "in RFC 3339 such as '2026-01-01T09:00:00Z'");
  if (Number.isNaN(Date.parse(time))) {
    throw new WeftError(
      'invalid_input',
      `event time must be an RFC 3339 timestamp such as '2026-01-01T09:00:00Z', got '${time}'`,
    );
  }
  const event: CloudEventRecord = { ...input, id, type, source, time, data };
  for (const name of Object.keys(event)) {
    if (!ATTRIBUTE.test(name)) {
      throw new WeftError(
        'invalid_input',
        `event attribute names are lowercase letters and digits (CloudEvents), got '${name}'`,
      );
    }
  }
  checkJsonPayload(event, `event '${type}'`);
  return event;
}

function text(value: unknown, field: string, hint: string): asserts value is string {
  if (typeof value !== 'string' || value.trim() === '') {
    const got = value === undefined ? 'nothing' : JSON.stringify(value);
    throw new WeftError('invalid_input', `event ${field} must be a non-empty string ${hint}, got ${got}`);
  }
}
