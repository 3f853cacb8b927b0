import type { FastifyInstance } from 'fastify';
import { iso } from '../runs/run-json.js';
import { anyValue, errorResponses } from '../schemas/common.js';
import type { ServerContext } from '../server-context.js';

const prefixQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    prefix: { type: 'string', maxLength: 500, description: 'Keys starting with this text; all when absent' },
  },
} as const;

const listSchema = {
  tags: ['operations'],
  summary: 'Cached step results (expired ones are not listed)',
  querystring: {
    ...prefixQuery,
    properties: {
      ...prefixQuery.properties,
      limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    },
  },
  response: {
    200: {
      type: 'object',
      required: ['entries'],
      properties: {
        entries: {
          type: 'array',
          items: {
            type: 'object',
            required: ['key', 'value', 'created_at', 'expires_at'],
            properties: {
              key: { type: 'string' },
              value: anyValue,
              created_at: { type: 'string', format: 'date-time' },
              expires_at: {
                type: ['string', 'null'],
                format: 'date-time',
                description: 'null: kept until cleared',
              },
            },
          },
        },
      },
    },
    ...errorResponses,
  },
} as const;

const clearSchema = {
  tags: ['operations'],
  summary: 'Clear cached step results',
  querystring: prefixQuery,
  response: {
    200: { type: 'object', required: ['cleared'], properties: { cleared: { type: 'integer' } } },
    ...errorResponses,
  },
} as const;

/** `GET /api/v1/cache?prefix=`, `DELETE /api/v1/cache?prefix=` (admin). */
export function cacheRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Querystring: { prefix?: string; limit: number } }>(
    '/api/v1/cache',
    { schema: listSchema, config: { scope: 'read' } },
    async (request) => {
      const entries = await ctx.engine.cache.list(request.query.prefix, request.query.limit);
      return {
        entries: entries.map((e) => ({
          key: e.key,
          value: e.value,
          created_at: iso(e.createdAt),
          expires_at: iso(e.expiresAt),
        })),
      };
    },
  );

  app.delete<{ Querystring: { prefix?: string } }>(
    '/api/v1/cache',
    { schema: clearSchema, config: { scope: 'admin' } },
    async (request) => {
      const cleared = await ctx.engine.cache.clear(request.query.prefix);
      request.log.info({ prefix: request.query.prefix ?? null, cleared }, 'cache cleared');
      return { cleared };
    },
  );
}
