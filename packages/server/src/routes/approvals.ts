import type { FastifyInstance } from 'fastify';
import { anyValue, errorResponses } from '../schemas/common.js';
import type { ServerContext } from '../server-context.js';

interface DecisionBody {
  approved: boolean;
  by?: string;
  comment?: string;
  data?: unknown;
}

const approveSchema = {
  tags: ['runs'],
  summary: 'Decide the approval a step is waiting for',
  description:
    "`data` must match the step's `form`. 404 when the step is not waiting for an approval; 409 when it was already decided or the run ended.",
  params: {
    type: 'object',
    required: ['id', 'step'],
    additionalProperties: false,
    properties: {
      id: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._:-]+$' },
      step: {
        type: 'string',
        minLength: 1,
        maxLength: 400,
        description: 'The step key, e.g. sign_off or each[2].sign_off',
      },
    },
  },
  body: {
    type: 'object',
    required: ['approved'],
    additionalProperties: false,
    properties: {
      approved: { type: 'boolean' },
      by: { type: 'string', maxLength: 200 },
      comment: { type: 'string', maxLength: 10_000 },
      data: { ...anyValue, description: "Fields of the step's form" },
    },
  },
  response: {
    200: {
      type: 'object',
      required: ['run_id', 'step_key', 'approved'],
      properties: { run_id: { type: 'string' }, step_key: { type: 'string' }, approved: { type: 'boolean' } },
    },
    ...errorResponses,
  },
} as const;

export function approvalRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Params: { id: string; step: string }; Body: DecisionBody }>(
    '/api/v1/runs/:id/approvals/:step',
    { schema: approveSchema, config: { scope: 'write' } },
    async (request) => {
      const { id, step } = request.params;
      await ctx.engine.approve(id, step, request.body);
      request.log.info({ runId: id, step, approved: request.body.approved }, 'approval decided');
      return { run_id: id, step_key: step, approved: request.body.approved };
    },
  );
}
