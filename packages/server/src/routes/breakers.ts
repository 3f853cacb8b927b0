import type { BreakerState } from '@weft/core';
import type { FastifyInstance } from 'fastify';
import { apiError } from '../errors/api-error.js';
import { iso } from '../runs/run-json.js';
import { errorResponses } from '../schemas/common.js';
import type { ServerContext } from '../server-context.js';

const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;

const breakerSchema = {
  type: 'object',
  required: ['target', 'status', 'failures', 'reason', 'last_error', 'opened_at', 'open_until', 'updated_at'],
  properties: {
    target: { type: 'string', description: 'An agent name or an http host' },
    status: { type: 'string', enum: ['closed', 'open', 'half_open'] },
    failures: { type: 'integer', description: 'Consecutive failures while closed' },
    reason: { type: ['string', 'null'], description: 'Why it last opened' },
    last_error: { type: ['string', 'null'] },
    opened_at: nullableTime,
    open_until: { ...nullableTime, description: 'Open: when trial calls may start' },
    updated_at: { type: 'string', format: 'date-time' },
  },
} as const;

const targetParams = {
  type: 'object',
  required: ['target'],
  additionalProperties: false,
  properties: {
    target: {
      type: 'string',
      minLength: 1,
      maxLength: 300,
      description: 'api.example.com:8443, or an agent name',
    },
  },
} as const;

const listSchema = {
  tags: ['operations'],
  summary: 'Circuit breaker states',
  response: {
    200: {
      type: 'object',
      required: ['breakers'],
      properties: { breakers: { type: 'array', items: breakerSchema } },
    },
    ...errorResponses,
  },
} as const;

const resetSchema = {
  tags: ['operations'],
  summary: 'Close a circuit breaker by forgetting its state',
  description: '404 when the target has no breaker state.',
  params: targetParams,
  response: {
    200: {
      type: 'object',
      required: ['target', 'reset'],
      properties: { target: { type: 'string' }, reset: { type: 'boolean', const: true } },
    },
    ...errorResponses,
  },
} as const;

function breakerJson(state: BreakerState) {
  return {
    target: state.target,
    status: state.status,
    failures: state.failures,
    reason: state.reason,
    last_error: state.lastError,
    opened_at: iso(state.openedAt),
    open_until: iso(state.openUntil),
    updated_at: iso(state.updatedAt),
  };
}

/** `GET /api/v1/breakers`, `POST /api/v1/breakers/:target/reset` (admin). */
export function breakerRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/v1/breakers', { schema: listSchema, config: { scope: 'read' } }, async () => ({
    breakers: (await ctx.engine.breakers.list()).map(breakerJson),
  }));

  app.post<{ Params: { target: string } }>(
    '/api/v1/breakers/:target/reset',
    { schema: resetSchema, config: { scope: 'admin' } },
    async (request) => {
      const { target } = request.params;
      if (!(await ctx.engine.breakers.reset(target)))
        throw apiError('not_found', `no circuit breaker state for target '${target}'`, { target });
      request.log.info({ target }, 'circuit breaker reset');
      return { target, reset: true };
    },
  );
}
