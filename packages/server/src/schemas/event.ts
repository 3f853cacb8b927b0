import { anyValue } from './common.js';

/** A CloudEvent as sent to the API; `id`, `source`, `time` and `data` may be left out. */
export const cloudEventBody = {
  type: 'object',
  required: ['type'],
  description:
    'A CloudEvent: `type` required; `id` defaults to a UUID, `source` to weft, `time` to now. Other lowercase attributes are CloudEvents extensions.',
  additionalProperties: true,
  properties: {
    type: { type: 'string', minLength: 1, maxLength: 200, examples: ['payment.received'] },
    source: { type: 'string', minLength: 1, maxLength: 500 },
    id: { type: 'string', minLength: 1, maxLength: 200 },
    time: { type: 'string', format: 'date-time' },
    data: anyValue,
  },
} as const;

export const sentEventSchema = {
  type: 'object',
  required: ['id', 'delivered'],
  properties: {
    id: { type: 'string', description: "The event's id" },
    delivered: {
      type: 'integer',
      description: 'Copies stored: 1 for a run or a webhook; for a type alone, the steps waiting for it',
    },
  },
} as const;
