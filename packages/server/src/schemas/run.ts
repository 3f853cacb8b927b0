import { anyValue, nullableError, nullableTime } from './common.js';

const RUN_STATUSES = ['pending', 'running', 'paused', 'completed', 'failed', 'cancelled'] as const;
export const runStatusSchema = { type: 'string', enum: RUN_STATUSES } as const;

const runCore = {
  id: { type: 'string' },
  workflow: { type: 'string' },
  version: { type: ['integer', 'null'] },
  status: runStatusSchema,
  error: nullableError,
  parent_run_id: { type: ['string', 'null'] },
  created_at: { type: 'string', format: 'date-time' },
  started_at: nullableTime,
  ended_at: nullableTime,
  last_seq: { type: 'integer', description: 'Sequence number of the newest event of the run' },
} as const;

const runCoreRequired = [
  'id',
  'workflow',
  'version',
  'status',
  'error',
  'parent_run_id',
  'created_at',
  'last_seq',
];

export const runSummarySchema = {
  type: 'object',
  required: runCoreRequired,
  properties: runCore,
} as const;

export const runSchema = {
  type: 'object',
  required: [...runCoreRequired, 'input', 'output', 'meta'],
  properties: {
    ...runCore,
    input: anyValue,
    output: anyValue,
    meta: { type: 'object', additionalProperties: true },
  },
} as const;

const attemptSchema = {
  type: 'object',
  required: ['attempt', 'status'],
  properties: {
    attempt: {
      type: 'integer',
      description: '1-based; 0 for records that are not attempts (skipped, blocked)',
    },
    status: { type: 'string' },
    started_at: nullableTime,
    ended_at: nullableTime,
    input: anyValue,
    output: anyValue,
    error: nullableError,
    meta: { anyOf: [{ type: 'null' }, { type: 'object', additionalProperties: true }] },
  },
} as const;

export const stepSchema = {
  type: 'object',
  required: ['key', 'id', 'type', 'status', 'attempts'],
  properties: {
    key: { type: 'string', description: 'Stable step key: fetch, each_item[3].fetch' },
    id: { type: 'string' },
    type: { type: 'string' },
    status: { type: 'string', description: 'Status of the latest attempt' },
    attempts: { type: 'array', items: attemptSchema },
  },
} as const;

const waitSchema = {
  type: 'object',
  required: ['step_key', 'kind', 'event_types', 'until', 'since', 'webhook'],
  properties: {
    step_key: { type: 'string' },
    kind: { type: 'string', enum: ['timer', 'event', 'approval'] },
    event_types: {
      anyOf: [{ type: 'null' }, { type: 'array', items: { type: 'string' } }],
      description: 'Event waits: the event types that end the wait',
    },
    until: nullableTime,
    since: { type: 'string', format: 'date-time' },
    details: {
      anyOf: [{ type: 'null' }, { type: 'object', additionalProperties: true }],
      description: 'reason; for approvals prompt and form',
    },
    webhook: {
      type: ['string', 'null'],
      description: 'Path to POST the event to (event waits): /hooks/<token>',
    },
  },
} as const;

export const runDetailsSchema = {
  type: 'object',
  required: ['run', 'steps', 'waits'],
  properties: {
    run: runSchema,
    steps: { type: 'array', items: stepSchema },
    waits: { type: 'array', items: waitSchema, description: 'Steps waiting now' },
  },
} as const;

export const eventSchema = {
  type: 'object',
  required: ['run_id', 'seq', 'type', 'time', 'step_key', 'data'],
  properties: {
    run_id: { type: 'string' },
    seq: { type: 'integer', description: '1-based, gapless per run' },
    type: { type: 'string', examples: ['step.completed'] },
    time: { type: 'string', format: 'date-time' },
    step_key: { type: ['string', 'null'] },
    data: anyValue,
  },
} as const;

export const logSchema = {
  type: 'object',
  required: ['seq', 'time', 'step_key', 'level', 'message'],
  properties: {
    seq: { type: 'integer' },
    time: { type: 'string', format: 'date-time' },
    step_key: { type: ['string', 'null'] },
    level: { type: 'string', enum: ['debug', 'info', 'warn', 'error'] },
    message: { type: 'string' },
    data: anyValue,
  },
} as const;
