import type { FastifyInstance } from 'fastify';
import { apiError } from '../errors/api-error.js';
import { type ListRunsQuery, listRuns } from '../runs/list-runs.js';
import { runJson, runSummaryJson, stepsJson, waitJson } from '../runs/run-json.js';
import type { StartRunBody } from '../runs/start-run.js';
import { anyValue, errorResponses, runIdParams } from '../schemas/common.js';
import { runDetailsSchema, runSchema, runSummarySchema } from '../schemas/run.js';
import type { ServerContext } from '../server-context.js';

const startSchema = {
  tags: ['runs'],
  summary: 'Start a run',
  description:
    "Starts a run of a document sent as text (`source`), of a file under the server's workflows directory (`path`), or of a registered workflow (`workflow`, optionally `version`). With an `Idempotency-Key` header, a repeated request answers 200 with the run the first one started.",
  headers: {
    type: 'object',
    properties: {
      'idempotency-key': { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
    },
  },
  body: {
    type: 'object',
    additionalProperties: false,
    properties: {
      source: { type: 'string', description: 'The document text, YAML or JSON' },
      path: {
        type: 'string',
        minLength: 1,
        maxLength: 1000,
        description: 'A file under the workflows directory',
      },
      workflow: {
        type: 'string',
        minLength: 1,
        maxLength: 200,
        description: 'A registered workflow: its active version, or `version`',
      },
      version: { type: 'integer', minimum: 1, description: 'With `workflow`: run this version' },
      file: { type: 'string', maxLength: 500, description: 'Name used in problems when `source` is given' },
      input: { ...anyValue, description: "The run input, checked against the document's `inputs` schema" },
    },
  },
  response: { 200: runSchema, 201: runSchema, ...errorResponses },
} as const;

const listSchema = {
  tags: ['runs'],
  summary: 'List runs, newest first',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      workflow: { type: 'string', maxLength: 200 },
      status: { type: 'string', maxLength: 200, description: 'Comma-separated: running,failed' },
      parent: { type: 'string', maxLength: 200, description: 'Runs started by this run' },
      created_before: { type: 'string', format: 'date-time' },
      created_after: { type: 'string', format: 'date-time' },
      cursor: { type: 'string', maxLength: 500, description: 'The `next_cursor` of the previous page' },
      limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
    },
  },
  response: {
    200: {
      type: 'object',
      required: ['runs', 'next_cursor'],
      properties: {
        runs: { type: 'array', items: runSummarySchema },
        next_cursor: { type: ['string', 'null'] },
      },
    },
    ...errorResponses,
  },
} as const;

const getSchema = {
  tags: ['runs'],
  summary: 'Get a run with its steps and their attempts',
  params: runIdParams,
  response: { 200: runDetailsSchema, ...errorResponses },
} as const;

export function runRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Body: StartRunBody; Headers: { 'idempotency-key'?: string } }>(
    '/api/v1/runs',
    { schema: startSchema, config: { scope: 'write' } },
    async (request, reply) => {
      const { run, created } = await ctx.starter.start(request.body, request.headers['idempotency-key']);
      request.log.info(
        { runId: run.id, workflow: run.workflow, created },
        created ? 'run started' : 'run found by idempotency key',
      );
      reply.header('location', `/api/v1/runs/${encodeURIComponent(run.id)}`);
      if (!created) reply.header('idempotent-replayed', 'true');
      return reply.code(created ? 201 : 200).send(runJson(run));
    },
  );

  app.get<{ Querystring: ListRunsQuery }>(
    '/api/v1/runs',
    { schema: listSchema, config: { scope: 'read' } },
    async (request) => {
      const page = await listRuns(ctx.engine, request.query);
      return { runs: page.runs.map(runSummaryJson), next_cursor: page.next_cursor };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/runs/:id',
    { schema: getSchema, config: { scope: 'read' } },
    async (request) => {
      const details = await ctx.engine.getRun(request.params.id);
      if (!details)
        throw apiError('not_found', `no run with id '${request.params.id}'`, { run_id: request.params.id });
      const waits = await ctx.engine.store.listWaits({ runIds: [details.run.id], status: 'open' });
      return { run: runJson(details.run), steps: stepsJson(details.steps), waits: waits.map(waitJson) };
    },
  );
}
