import type { EventInput } from '../../engine/waits/cloud-event.js';
import { WeftError } from '../../errors.js';

/** Where an event's type comes from: the subject/topic/channel/queue, or a field of the JSON payload. */
export type TypeFrom = 'subject' | `field:${string}`;

/** One message taken from a broker, before it becomes a CloudEvent. */
export interface BrokerMessage {
  /** Subject, topic, channel, stream or queue it arrived on. */
  subject: string;
  body: Uint8Array | string;
}

/** Hands a message to the engine; resolves once it is stored (or skipped), so the broker may ack it. */
export type Deliver = (message: BrokerMessage) => Promise<void>;

/** A live connection of a source; `closed` settles when the broker goes away. */
export interface SourceConnection {
  closed: Promise<unknown>;
  close(): Promise<void>;
}

/** One broker client: `connect` subscribes and delivers every message until closed. */
export interface EventSource {
  /** `nats nats://127.0.0.1:4222`: names the source in warnings and status. */
  readonly name: string;
  connect(deliver: Deliver): Promise<SourceConnection>;
}

/**
 * Turns a broker message into an event: `data` is the parsed JSON payload, `type` the subject or
 * the named payload field. Throws `invalid_input` for a payload that is not JSON or has no type.
 */
export function toEventInput(message: BrokerMessage, typeFrom: TypeFrom, source: string): EventInput {
  const text = typeof message.body === 'string' ? message.body : Buffer.from(message.body).toString('utf8');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new WeftError(
      'invalid_input',
      `expected a JSON payload on '${message.subject}', got ${JSON.stringify(text.slice(0, 60))}`,
    );
  }
  const type = typeFrom === 'subject' ? message.subject : fieldOf(data, typeFrom.slice('field:'.length));
  if (typeof type !== 'string' || type === '') {
    throw new WeftError(
      'invalid_input',
      `expected a string '${typeFrom.slice('field:'.length)}' field with the event type in the payload on '${message.subject}', got ${JSON.stringify(type) ?? 'nothing'}`,
    );
  }
  return { type, source, subject: message.subject, data };
}

function fieldOf(data: unknown, path: string): unknown {
  let value: unknown = data;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
