import { foundTemplateJson, pushJson, Templates, templateSummaryJson, versionJson } from '@weft/core';
import type { FastifyInstance } from 'fastify';
import { anyValue, errorResponses } from '../schemas/common.js';
import { nameParams, pushResultSchema, versionSchema } from '../schemas/definition.js';
import type { ServerContext } from '../server-context.js';

interface InstantiateBody {
  workflow: string;
  parameters?: Record<string, unknown>;
  version?: number;
  message?: string;
  status?: 'draft' | 'active';
  run?: boolean;
  input?: unknown;
}

const TAG = 'templates';

const summarySchema = {
  type: 'object',
  required: [
    'name',
    'description',
    'builtin',
    'shadowed',
    'parameters',
    'latest',
    'active',
    'versions',
    'updated_at',
  ],
  properties: {
    name: { type: 'string' },
    description: { type: ['string', 'null'] },
    builtin: { type: 'boolean', description: 'Ships with Weft (no versions)' },
    shadowed: { type: 'boolean', description: 'A built-in hidden by a registered template of its name' },
    parameters: { type: 'array', items: { type: 'string' } },
    latest: { type: ['integer', 'null'] },
    active: { type: ['integer', 'null'] },
    versions: { type: 'integer' },
    updated_at: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

const parameterSchema = {
  type: 'object',
  required: ['type'],
  properties: {
    type: { type: 'string' },
    description: { type: 'string' },
    required: { type: 'boolean' },
    default: anyValue,
    values: { type: 'array', items: { type: 'string' } },
    pattern: { type: 'string' },
  },
} as const;

const templateSchema = {
  type: 'object',
  required: ['name', 'description', 'version', 'builtin', 'parameters', 'workflow', 'source'],
  properties: {
    name: { type: 'string' },
    description: { type: ['string', 'null'] },
    version: { type: ['integer', 'null'], description: 'Null for a built-in' },
    builtin: { type: 'boolean' },
    parameters: { type: 'object', additionalProperties: parameterSchema },
    workflow: {
      type: 'object',
      additionalProperties: true,
      description: 'The body, placeholders unreplaced',
    },
    source: { type: 'string' },
  },
} as const;

const instantiatedSchema = {
  type: 'object',
  required: ['push', 'source', 'origin', 'run_id'],
  properties: {
    push: pushResultSchema,
    source: { type: 'string', description: 'The workflow document made' },
    origin: { type: 'object', additionalProperties: true, description: '{ template, version, parameters }' },
    run_id: { type: ['string', 'null'], description: 'The run started with `run: true`' },
  },
} as const;

const instantiateSchema = {
  tags: [TAG],
  summary: 'Make a workflow from a template and register it; optionally start a run of it',
  description:
    "Checks every parameter (400 `invalid_input` with `details.problems`: `{ parameter, message }` for each), substitutes them, and pushes the workflow as a version whose origin records the template, its version and the parameters. A workflow the checks refuse is 400 `invalid_document`, its problems placed in the template. With `run: true` a run starts as with POST /api/v1/runs (the server's shell policy applies).",
  params: nameParams,
  body: {
    type: 'object',
    required: ['workflow'],
    additionalProperties: false,
    properties: {
      workflow: {
        type: 'string',
        minLength: 1,
        maxLength: 128,
        description: 'The name of the workflow it makes',
      },
      parameters: {
        type: 'object',
        additionalProperties: true,
        description: 'Values by parameter name: typed JSON, or text converted by the parameter type',
      },
      version: { type: 'integer', minimum: 1, description: 'The template version; default its active one' },
      message: { type: 'string', maxLength: 2000 },
      status: { type: 'string', enum: ['draft', 'active'], default: 'active' },
      run: { type: 'boolean', default: false },
      input: { ...anyValue, description: 'With run: the run input' },
    },
  },
  response: { 201: instantiatedSchema, 200: instantiatedSchema, ...errorResponses },
} as const;

/** `GET | POST /api/v1/templates`, `GET | DELETE /api/v1/templates/:name`, versions, instantiate. */
export function templateRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const templates = new Templates(ctx.engine);

  app.get(
    '/api/v1/templates',
    {
      schema: {
        tags: [TAG],
        summary: 'List registered and built-in templates',
        response: {
          200: {
            type: 'object',
            required: ['templates'],
            properties: { templates: { type: 'array', items: summarySchema } },
          },
          ...errorResponses,
        },
      },
      config: { scope: 'read' },
    },
    async () => ({ templates: (await templates.list()).map(templateSummaryJson) }),
  );

  app.post<{ Body: { source: string; message?: string; status?: 'draft' | 'active'; file?: string } }>(
    '/api/v1/templates',
    {
      schema: {
        tags: [TAG],
        summary: 'Push a template document: a new version when its content changed',
        description:
          'Checks the template (400 `invalid_document` with every problem) and stores it: 201 with a new version, 200 when nothing changed or a draft was updated.',
        body: {
          type: 'object',
          required: ['source'],
          additionalProperties: false,
          properties: {
            source: { type: 'string', minLength: 1, description: 'The template text, YAML or JSON' },
            message: { type: 'string', maxLength: 2000 },
            status: { type: 'string', enum: ['draft', 'active'], default: 'active' },
            file: { type: 'string', maxLength: 500, description: 'Name used in problems' },
          },
        },
        response: { 200: pushResultSchema, 201: pushResultSchema, ...errorResponses },
      },
      config: { scope: 'write' },
    },
    async (request, reply) => {
      const { source, message, status, file } = request.body;
      const outcome = await templates.push(source, { message, status, path: file ?? null });
      reply.code(outcome.created ? 201 : 200);
      return pushJson(outcome);
    },
  );

  app.get<{ Params: { name: string }; Querystring: { version?: number } }>(
    '/api/v1/templates/:name',
    {
      schema: {
        tags: [TAG],
        summary: 'Get a template: registered (its active version, else the newest) before built-in',
        params: nameParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { version: { type: 'integer', minimum: 1 } },
        },
        response: { 200: templateSchema, ...errorResponses },
      },
      config: { scope: 'read' },
    },
    async (request) => foundTemplateJson(await templates.get(request.params.name, request.query.version)),
  );

  app.get<{ Params: { name: string } }>(
    '/api/v1/templates/:name/versions',
    {
      schema: {
        tags: [TAG],
        summary: 'List the versions of a registered template, oldest first',
        params: nameParams,
        response: {
          200: {
            type: 'object',
            required: ['versions'],
            properties: { versions: { type: 'array', items: versionSchema } },
          },
          ...errorResponses,
        },
      },
      config: { scope: 'read' },
    },
    async (request) => ({
      versions: (await templates.versions(request.params.name)).map((v) =>
        versionJson({ ...v, runs: undefined }),
      ),
    }),
  );

  app.post<{ Params: { name: string }; Body: InstantiateBody }>(
    '/api/v1/templates/:name/instantiate',
    { schema: instantiateSchema, config: { scope: 'write' } },
    async (request, reply) => {
      const body = request.body;
      const made = await templates.instantiate(request.params.name, body.parameters ?? {}, {
        workflow: body.workflow,
        version: body.version,
        message: body.message,
        status: body.status,
      });
      let runId: string | null = null;
      if (body.run) {
        const version = made.push.version.version;
        const { run } = await ctx.starter.start({ workflow: body.workflow, version, input: body.input });
        runId = run.id;
        request.log.info({ runId, workflow: body.workflow }, 'run of an instantiated template started');
      }
      reply.code(made.push.created ? 201 : 200);
      return {
        push: pushJson(made.push),
        source: made.source,
        origin: made.push.version.origin ?? {},
        run_id: runId,
      };
    },
  );

  app.delete<{ Params: { name: string } }>(
    '/api/v1/templates/:name',
    {
      schema: {
        tags: [TAG],
        summary: 'Delete a registered template and all its versions (built-ins cannot be deleted: 409)',
        params: nameParams,
        response: {
          200: { type: 'object', required: ['deleted'], properties: { deleted: { type: 'integer' } } },
          ...errorResponses,
        },
      },
      config: { scope: 'admin' },
    },
    async (request) => ({ deleted: await templates.remove(request.params.name) }),
  );
}
