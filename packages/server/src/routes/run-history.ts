import type { Engine, EventRecord, RunRecord } from '@weft/core';
import type { FastifyInstance } from 'fastify';
import { apiError } from '../errors/api-error.js';
import { eventJson, iso } from '../runs/run-json.js';
import { errorResponses, runIdParams, seqAfter } from '../schemas/common.js';
import { eventSchema, logSchema } from '../schemas/run.js';
import type { ServerContext } from '../server-context.js';

interface PageQuery {
  after: number;
  limit: number;
}

const pageQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    after: { ...seqAfter, description: 'Sequence number of the last event already seen' },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  },
} as const;

const pageFields = {
  next_after: { type: 'integer', description: 'Pass as `after` to get the next page' },
  has_more: { type: 'boolean' },
} as const;

const eventsSchema = {
  tags: ['runs'],
  summary: "A run's events after a sequence number",
  params: runIdParams,
  querystring: pageQuery,
  response: {
    200: {
      type: 'object',
      required: ['events', 'next_after', 'has_more'],
      properties: { events: { type: 'array', items: eventSchema }, ...pageFields },
    },
    ...errorResponses,
  },
} as const;

const logsSchema = {
  tags: ['runs'],
  summary: "A run's log lines (its step.log events)",
  params: runIdParams,
  querystring: pageQuery,
  response: {
    200: {
      type: 'object',
      required: ['logs', 'next_after', 'has_more'],
      properties: { logs: { type: 'array', items: logSchema }, ...pageFields },
    },
    ...errorResponses,
  },
} as const;

/** Events scanned by one logs request at most; the page then ends early with has_more. */
const MAX_SCAN = 5000;

export function runHistoryRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Params: { id: string }; Querystring: PageQuery }>(
    '/api/v1/runs/:id/events',
    { schema: eventsSchema, config: { scope: 'read' } },
    async (request) => {
      const { after, limit } = request.query;
      const run = await requireRun(ctx.engine, request.params.id);
      const events = await ctx.engine.store.getEvents(run.id, after, limit);
      const next = events[events.length - 1]?.seq ?? after;
      return { events: events.map(eventJson), next_after: next, has_more: next < run.lastSeq };
    },
  );

  app.get<{ Params: { id: string }; Querystring: PageQuery }>(
    '/api/v1/runs/:id/logs',
    { schema: logsSchema, config: { scope: 'read' } },
    async (request) => {
      const { after, limit } = request.query;
      const run = await requireRun(ctx.engine, request.params.id);
      const logs: ReturnType<typeof logJson>[] = [];
      let next = after;
      while (logs.length < limit && next < run.lastSeq && next - after < MAX_SCAN) {
        const page = await ctx.engine.store.getEvents(run.id, next, 500);
        if (page.length === 0) break;
        for (const event of page) {
          next = event.seq;
          if (event.type === 'step.log') logs.push(logJson(event));
          if (logs.length === limit) break;
        }
      }
      return { logs, next_after: next, has_more: next < run.lastSeq };
    },
  );
}

async function requireRun(engine: Engine, id: string): Promise<RunRecord> {
  const run = await engine.store.getRun(id);
  if (!run) throw apiError('not_found', `no run with id '${id}'`, { run_id: id });
  return run;
}

function logJson(event: EventRecord) {
  const data = (event.data ?? {}) as { level?: unknown; message?: unknown; data?: unknown };
  const level = typeof data.level === 'string' ? data.level : 'info';
  return {
    seq: event.seq,
    time: iso(event.time),
    step_key: event.stepKey,
    level: ['debug', 'info', 'warn', 'error'].includes(level) ? level : 'info',
    message: typeof data.message === 'string' ? data.message : String(data.message ?? ''),
    data: data.data ?? null,
  };
}
