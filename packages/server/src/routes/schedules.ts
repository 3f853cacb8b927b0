import { dirname } from 'node:path';
import { fireJson, loadWorkflow, ScheduleAdmin, type ScheduleDefinition, scheduleJson } from '@weft/core';
import type { FastifyInstance } from 'fastify';
import { apiError } from '../errors/api-error.js';
import { shellUsesDeep } from '../runs/shell-policy.js';
import { resolveWorkflowSource } from '../runs/workflow-source.js';
import { anyValue, errorResponses } from '../schemas/common.js';
import type { ServerContext } from '../server-context.js';

const time = { type: 'string', format: 'date-time' } as const;
const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;

const scheduleSchema = {
  type: 'object',
  required: ['name', 'workflow', 'kind', 'spec', 'status', 'next_fire_at', 'next_fires'],
  properties: {
    name: { type: 'string' },
    workflow: {
      type: 'string',
      description: 'A registered workflow name, or the absolute path of a document',
    },
    kind: { type: 'string', enum: ['cron', 'every', 'at'] },
    spec: { type: 'string' },
    tz: { type: ['string', 'null'] },
    input: anyValue,
    overlap: { type: 'string', enum: ['skip', 'queue', 'allow', 'cancel_previous'] },
    max_concurrent: { type: 'integer' },
    misfire: { type: 'string', enum: ['skip', 'run_once', 'run_all'] },
    pause_after_failures: { type: ['integer', 'null'] },
    status: { type: 'string', enum: ['active', 'paused'] },
    pause_reason: { type: ['string', 'null'] },
    consecutive_failures: { type: 'integer' },
    next_fire_at: nullableTime,
    next_fires: { type: 'array', items: time, description: 'The next 5 fire times' },
    created_at: time,
    updated_at: time,
  },
} as const;

const fireSchema = {
  type: 'object',
  required: ['fired_at', 'run_id', 'status'],
  properties: {
    fired_at: { ...time, description: 'The scheduled time' },
    run_id: { type: ['string', 'null'] },
    status: { type: 'string', enum: ['queued', 'running', 'completed', 'failed', 'cancelled', 'skipped'] },
    started_at: nullableTime,
    ended_at: nullableTime,
    duration_ms: { type: ['integer', 'null'] },
    reason: { type: ['string', 'null'] },
  },
} as const;

const nameParams = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' },
  },
} as const;

const createBody = {
  type: 'object',
  additionalProperties: false,
  description: 'Exactly one of `workflow` and `path`, and exactly one of `cron`, `every` and `at`',
  properties: {
    workflow: { type: 'string', minLength: 1, maxLength: 200, description: 'A registered workflow' },
    path: {
      type: 'string',
      minLength: 1,
      maxLength: 1000,
      description: "A document under the server's workflows directory",
    },
    name: { type: 'string', minLength: 1, maxLength: 128 },
    cron: { type: 'string', minLength: 1, maxLength: 200, examples: ['30 2 * * *'] },
    tz: { type: 'string', minLength: 1, maxLength: 64, examples: ['America/New_York'] },
    every: { type: 'string', minLength: 1, maxLength: 50, examples: ['15m'] },
    at: { type: 'string', minLength: 1, maxLength: 50, examples: ['2026-05-01T09:00:00Z'] },
    input: {
      ...anyValue,
      description: 'Run input; ${ } expressions see schedule.fired_at, schedule.name, now',
    },
    overlap: { type: 'string', enum: ['skip', 'queue', 'allow', 'cancel_previous'] },
    max_concurrent: { type: 'integer', minimum: 1, maximum: 1000 },
    misfire: { type: 'string', enum: ['skip', 'run_once', 'run_all'] },
    pause_after_failures: { type: 'integer', minimum: 1, maximum: 1000 },
  },
} as const;

type CreateBody = {
  workflow?: string;
  path?: string;
  name?: string;
  cron?: string;
  tz?: string;
  every?: string;
  at?: string;
  input?: unknown;
  overlap?: ScheduleDefinition['overlap'];
  max_concurrent?: number;
  misfire?: ScheduleDefinition['misfire'];
  pause_after_failures?: number;
};

const one = (summary: string, extra: object = {}) =>
  ({
    tags: ['schedules'],
    summary,
    params: nameParams,
    response: { 200: scheduleSchema, ...errorResponses },
    ...extra,
  }) as const;

const listSchema = {
  tags: ['schedules'],
  summary: 'List schedules with their next 5 fire times',
  response: {
    200: {
      type: 'object',
      required: ['schedules'],
      properties: { schedules: { type: 'array', items: scheduleSchema } },
    },
    ...errorResponses,
  },
} as const;

const createSchema = {
  tags: ['schedules'],
  summary: 'Create a schedule',
  description:
    'A bad cron expression, time zone, duration, timestamp or input expression is a 400 naming the field.',
  body: createBody,
  response: { 201: scheduleSchema, ...errorResponses },
} as const;

const historySchema = {
  tags: ['schedules'],
  summary: "A schedule's fires, newest first",
  params: nameParams,
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 } },
  },
  response: {
    200: { type: 'object', required: ['fires'], properties: { fires: { type: 'array', items: fireSchema } } },
    ...errorResponses,
  },
} as const;

const deleteSchema = {
  tags: ['schedules'],
  summary: 'Delete a schedule and its history (runs are kept)',
  params: nameParams,
  response: {
    200: {
      type: 'object',
      required: ['name', 'deleted'],
      properties: { name: { type: 'string' }, deleted: { type: 'boolean', const: true } },
    },
    ...errorResponses,
  },
} as const;

const previewSchema = {
  tags: ['schedules'],
  summary: 'The next fire times of a cron expression',
  querystring: {
    type: 'object',
    required: ['cron'],
    additionalProperties: false,
    properties: {
      cron: { type: 'string', minLength: 1, maxLength: 200 },
      tz: { type: 'string', minLength: 1, maxLength: 64 },
      count: { type: 'integer', minimum: 1, maximum: 100, default: 5 },
    },
  },
  response: {
    200: {
      type: 'object',
      required: ['cron', 'tz', 'fires'],
      properties: { cron: { type: 'string' }, tz: { type: 'string' }, fires: { type: 'array', items: time } },
    },
    ...errorResponses,
  },
} as const;

/** The stored workflow of a request: a registered name, or a checked path under the workflows directory. */
async function target(ctx: ServerContext, body: CreateBody): Promise<string> {
  if ((body.workflow === undefined) === (body.path === undefined)) {
    throw apiError(
      'invalid_request',
      'expected exactly one of body.workflow (a registered workflow) or body.path',
    );
  }
  if (body.workflow !== undefined) return body.workflow;
  const src = await resolveWorkflowSource({ path: body.path }, ctx.workflows.dir, {
    resolve: async () => never(),
  });
  if (!ctx.workflows.allowShell && src.path) {
    const uses = await shellUsesDeep(loadWorkflow(src.source, { file: src.file }).document, {
      dirs: [dirname(src.path), ctx.workflows.dir],
    });
    if (uses.length > 0) {
      throw apiError(
        'forbidden',
        `${body.path} uses the shell skill (${uses.join(', ')}); this server runs shell steps only when started with --allow-shell`,
        { uses },
      );
    }
  }
  return src.path!;
}

function never(): never {
  throw new Error('unreachable: only paths are resolved here');
}

/** `GET | POST /api/v1/schedules`, `GET | DELETE /api/v1/schedules/:name`, pause, resume, history, preview. */
export function scheduleRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const admin = () => new ScheduleAdmin({ store: ctx.engine.store, cwd: ctx.workflows.dir });

  app.get('/api/v1/schedules', { schema: listSchema, config: { scope: 'read' } }, async () => ({
    schedules: (await admin().list()).map(scheduleJson),
  }));

  app.get<{ Querystring: { cron: string; tz?: string; count: number } }>(
    '/api/v1/schedules/preview',
    { schema: previewSchema, config: { scope: 'read' } },
    async (request) => {
      const { cron, tz, count } = request.query;
      const fires = admin().preview(cron, { tz, count });
      return { cron, tz: tz ?? 'UTC', fires: fires.map((t) => new Date(t).toISOString()) };
    },
  );

  app.post<{ Body: CreateBody }>(
    '/api/v1/schedules',
    { schema: createSchema, config: { scope: 'write' } },
    async (request, reply) => {
      const body = request.body;
      const schedule = await admin().create({
        workflow: await target(ctx, body),
        name: body.name,
        cron: body.cron,
        tz: body.tz,
        every: body.every,
        at: body.at,
        input: body.input,
        overlap: body.overlap,
        maxConcurrent: body.max_concurrent,
        misfire: body.misfire,
        pauseAfterFailures: body.pause_after_failures,
      });
      request.log.info({ schedule: schedule.name }, 'schedule created');
      return reply.code(201).send(scheduleJson(schedule));
    },
  );

  app.get<{ Params: { name: string } }>(
    '/api/v1/schedules/:name',
    { schema: one('Get a schedule'), config: { scope: 'read' } },
    async (request) => scheduleJson(await admin().get(request.params.name)),
  );

  app.post<{ Params: { name: string }; Body: { reason?: string } }>(
    '/api/v1/schedules/:name/pause',
    {
      schema: one('Pause a schedule: no fire until resumed', {
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { reason: { type: 'string', maxLength: 500 } },
        },
      }),
      config: { scope: 'write' },
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) =>
      scheduleJson(await admin().pause(request.params.name, request.body.reason ?? 'paused over the API')),
  );

  app.post<{ Params: { name: string } }>(
    '/api/v1/schedules/:name/resume',
    {
      schema: one('Resume a schedule: it fires from now on (missed fires are not made up)'),
      config: { scope: 'write' },
    },
    async (request) => scheduleJson(await admin().resume(request.params.name)),
  );

  app.get<{ Params: { name: string }; Querystring: { limit: number } }>(
    '/api/v1/schedules/:name/history',
    { schema: historySchema, config: { scope: 'read' } },
    async (request) => ({
      fires: (await admin().history(request.params.name, request.query.limit)).map(fireJson),
    }),
  );

  app.delete<{ Params: { name: string } }>(
    '/api/v1/schedules/:name',
    { schema: deleteSchema, config: { scope: 'write' } },
    async (request) => {
      await admin().remove(request.params.name);
      return { name: request.params.name, deleted: true };
    },
  );
}
