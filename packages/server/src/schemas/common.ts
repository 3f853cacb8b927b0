/** JSON Schemas shared by the routes; every route answers errors with `errorBody`. */

export const errorBody = {
  type: 'object',
  description: 'Every error: a stable code, a message for people, and structured details',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'details'],
      properties: {
        code: { type: 'string', examples: ['invalid_request'] },
        message: { type: 'string' },
        details: { type: 'object', additionalProperties: true },
      },
    },
  },
} as const;

/** The error responses of every route (merged into each route's `response`). */
export const errorResponses = {
  '4xx': { ...errorBody, description: 'The request was refused' },
  '5xx': { ...errorBody, description: 'The server failed' },
} as const;

export const problemSchema = {
  type: 'object',
  required: ['file', 'line', 'column', 'path', 'message'],
  properties: {
    file: { type: 'string' },
    line: { type: 'integer' },
    column: { type: 'integer' },
    path: { type: 'string', description: 'steps[2].needs[0]; empty for the document itself' },
    message: { type: 'string' },
  },
} as const;

/** Any JSON value (run input, output, event data). */
export const anyValue = {} as const;

export const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;

export const nullableError = {
  anyOf: [
    { type: 'null' },
    {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
      additionalProperties: true,
    },
  ],
} as const;

/** Run ids are UUIDs when the server makes them; library users may choose others. */
export const runIdParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._:-]+$' } },
} as const;

export const seqAfter = { type: 'integer', minimum: 0, maximum: 9007199254740991, default: 0 } as const;
