import { anyValue, nullableError } from './common.js';

/** A dead-letter entry in the API's JSON: snake_case fields, ISO 8601 times. */
export const deadLetterSchema = {
  type: 'object',
  description: 'A step that failed for good',
  required: [
    'id',
    'workflow',
    'version',
    'run_id',
    'step_key',
    'step_id',
    'attempt',
    'attempts',
    'input',
    'error',
    'created_at',
  ],
  properties: {
    id: { type: 'string' },
    workflow: { type: 'string' },
    version: { type: ['integer', 'null'] },
    run_id: { type: 'string' },
    step_key: { type: 'string' },
    step_id: { type: 'string' },
    attempt: { type: 'integer', description: 'The attempt that failed last' },
    attempts: { type: 'integer', description: 'Attempts made, retries included' },
    input: { ...anyValue, description: 'The resolved inputs of that attempt, secrets redacted' },
    error: nullableError,
    created_at: { type: 'string', format: 'date-time' },
  },
} as const;
