import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { toApiError } from './api-error.js';

/** Sends the normalised error; server faults are logged with their stack, never sent. */
export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, body, internal } = toApiError(error, request.id);
  if (internal) request.log.error({ err: error }, 'request failed');
  else request.log.info({ code: body.error.code, status }, body.error.message);
  if (status === 401) reply.header('www-authenticate', 'Bearer realm="weft"');
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

/** JSON errors for everything: thrown errors, schema failures, unknown routes. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => sendError(error, request, reply));
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: {
        code: 'not_found',
        message: `no route ${request.method} ${request.url.split('?')[0]}`,
        details: {},
      },
    }),
  );
}

/** For Fastify's `frameworkErrors` option (bad URLs, bad content types before routing). */
export function frameworkErrorHandler(error: Error, request: FastifyRequest, reply: FastifyReply): void {
  sendError(error, request, reply);
}
