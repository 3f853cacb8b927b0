import type { FastifyInstance } from 'fastify';
import { apiError } from '../errors/api-error.js';
import { errorResponses } from '../schemas/common.js';
import type { ServerContext } from '../server-context.js';

const READY_TIMEOUT_MS = 2000;

const statusBody = {
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'string' }, migrations: { type: 'object', additionalProperties: true } },
} as const;

/** `/healthz` (the process answers), `/readyz` (the store answers and is migrated), `/metrics`. */
export function healthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['operations'],
        summary: 'The process is up',
        response: { 200: statusBody, ...errorResponses },
      },
      config: { scope: 'public' },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['operations'],
        summary: 'The store is reachable and its migrations are current',
        response: { 200: statusBody, ...errorResponses },
      },
      config: { scope: 'public' },
    },
    async () => {
      let state: Awaited<ReturnType<typeof ctx.engine.store.migrationStatus>>;
      try {
        state = await withTimeout(ctx.engine.store.migrationStatus(), READY_TIMEOUT_MS);
      } catch (error) {
        throw apiError('not_ready', `the store does not answer: ${(error as Error).message}`);
      }
      if (state.pending.length > 0) {
        throw apiError(
          'not_ready',
          `the store has pending migrations ${state.pending.join(', ')}; run weft db migrate`,
          {
            pending: state.pending,
          },
        );
      }
      return { status: 'ready', migrations: { latest: state.latest, applied: state.applied.length } };
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics',
        response: { 200: { type: 'string' }, ...errorResponses },
      },
      config: { scope: 'read' },
    },
    async (_request, reply) => {
      reply.type(ctx.metrics.registry.contentType);
      return ctx.metrics.registry.metrics();
    },
  );
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
