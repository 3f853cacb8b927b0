import { loadWorkflow } from '@weft/core';
import type { FastifyInstance } from 'fastify';
import { errorResponses, problemSchema } from '../schemas/common.js';
import type { ServerContext } from '../server-context.js';
import { registryRoutes } from './registry-routes.js';

interface ValidateBody {
  source: string;
  file?: string;
}

const validateSchema = {
  tags: ['workflows'],
  summary: 'Validate a workflow document',
  description:
    'Checks a document as `weft validate` does; the problems are the same `file:line:column: path: message` facts, as JSON. A document with problems is still a 200: the request itself was fine.',
  body: {
    type: 'object',
    required: ['source'],
    additionalProperties: false,
    properties: {
      source: { type: 'string', description: 'The document text, YAML or JSON' },
      file: {
        type: 'string',
        maxLength: 500,
        description: 'Name used in problems; a .json name means strict JSON',
      },
    },
  },
  response: {
    200: {
      type: 'object',
      required: ['valid', 'problems'],
      properties: {
        valid: { type: 'boolean' },
        workflow: { type: ['string', 'null'], description: 'The name of a valid document' },
        problems: { type: 'array', items: problemSchema },
      },
    },
    ...errorResponses,
  },
} as const;

export function workflowRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Body: ValidateBody }>(
    '/api/v1/workflows/validate',
    { schema: validateSchema, config: { scope: 'read' } },
    async (request) => {
      const { source, file } = request.body;
      const { document, problems } = loadWorkflow(source, {
        file: file ?? '<input>',
        skills: ctx.skillNames,
      });
      return { valid: problems.length === 0, workflow: document?.name ?? null, problems };
    },
  );
  // Runs of a registered workflow start with POST /api/v1/runs { "workflow": name, "version"? }.
  registryRoutes(app, {
    prefix: '/api/v1/workflows',
    tag: 'workflows',
    noun: 'workflow',
    registry: () => ctx.engine.workflows,
  });
}
