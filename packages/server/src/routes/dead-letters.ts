import type { DeadLetterRecord } from '@weft/core';
import type { FastifyInstance } from 'fastify';
import { apiError } from '../errors/api-error.js';
import { iso } from '../runs/run-json.js';
import { anyValue, errorResponses, runIdParams } from '../schemas/common.js';
import { deadLetterSchema } from '../schemas/dead-letter.js';
import type { ServerContext } from '../server-context.js';

const listSchema = {
  tags: ['operations'],
  summary: 'List dead-letter entries, newest first',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      workflow: { type: 'string', minLength: 1, maxLength: 200 },
      since: { type: 'string', format: 'date-time', description: 'Entries created at or after this time' },
      limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    },
  },
  response: {
    200: {
      type: 'object',
      required: ['entries'],
      properties: { entries: { type: 'array', items: deadLetterSchema } },
    },
    ...errorResponses,
  },
} as const;

const getSchema = {
  tags: ['operations'],
  summary: 'Get a dead-letter entry',
  params: runIdParams,
  response: { 200: deadLetterSchema, ...errorResponses },
} as const;

const replaySchema = {
  tags: ['operations'],
  summary: "Replay a dead-letter entry: resume its failed run from the entry's step",
  description:
    "The run goes back to running in this server; completed work is kept and the step runs again as a new attempt, with `input` instead of its resolved inputs when given. The run's entries are removed. 404 for an unknown entry or run, 409 when the run is not failed (or was rolled back).",
  params: runIdParams,
  body: {
    type: 'object',
    additionalProperties: false,
    properties: { input: { ...anyValue, description: "Replaces the step's resolved inputs" } },
  },
  response: {
    200: {
      type: 'object',
      required: ['id', 'run_id', 'status'],
      properties: { id: { type: 'string' }, run_id: { type: 'string' }, status: { type: 'string' } },
    },
    ...errorResponses,
  },
} as const;

const deleteSchema = {
  tags: ['operations'],
  summary: 'Delete a dead-letter entry',
  params: runIdParams,
  response: {
    200: {
      type: 'object',
      required: ['id', 'deleted'],
      properties: { id: { type: 'string' }, deleted: { type: 'boolean', const: true } },
    },
    ...errorResponses,
  },
} as const;

function entryJson(entry: DeadLetterRecord) {
  return {
    id: entry.id,
    workflow: entry.workflow,
    version: entry.version,
    run_id: entry.runId,
    step_key: entry.stepKey,
    step_id: entry.stepId,
    attempt: entry.attempt,
    attempts: entry.attempts,
    input: entry.input,
    error: entry.error,
    created_at: iso(entry.createdAt),
  };
}

const missing = (id: string) => apiError('not_found', `no dead-letter entry with id '${id}'`, { id });

/** `GET /api/v1/dlq`, `GET | DELETE /api/v1/dlq/:id`, `POST /api/v1/dlq/:id/replay`. */
export function deadLetterRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Querystring: { workflow?: string; since?: string; limit: number } }>(
    '/api/v1/dlq',
    { schema: listSchema, config: { scope: 'read' } },
    async (request) => {
      const { workflow, since, limit } = request.query;
      const filter = { workflow, limit, since: since === undefined ? undefined : Date.parse(since) };
      return { entries: (await ctx.engine.dlq.list(filter)).map(entryJson) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/dlq/:id',
    { schema: getSchema, config: { scope: 'read' } },
    async (request) => {
      const entry = await ctx.engine.dlq.get(request.params.id);
      if (!entry) throw missing(request.params.id);
      return entryJson(entry);
    },
  );

  app.post<{ Params: { id: string }; Body: { input?: unknown } }>(
    '/api/v1/dlq/:id/replay',
    {
      schema: replaySchema,
      config: { scope: 'write' },
      // `curl -X POST .../replay` sends no body: that is `{}`.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) => {
      const { id } = request.params;
      const body = request.body;
      const run = await ctx.engine.dlq.replay(id, 'input' in body ? { input: body.input } : {});
      // The run goes on in this server: the answer does not wait for its end.
      void run.result().catch(() => {});
      request.log.info({ runId: run.runId, dlqId: id }, 'dead-letter entry replayed');
      const status = (await ctx.engine.store.getRun(run.runId))?.status ?? 'running';
      return { id, run_id: run.runId, status };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/dlq/:id',
    { schema: deleteSchema, config: { scope: 'write' } },
    async (request) => {
      const { id } = request.params;
      if (!(await ctx.engine.dlq.delete(id))) throw missing(id);
      return { id, deleted: true };
    },
  );
}
