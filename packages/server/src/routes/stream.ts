import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errorResponses } from '../schemas/common.js';
import type { ServerContext } from '../server-context.js';
import { SseSink } from '../stream/sse-sink.js';
import { resolveTarget, type StreamQuery } from '../stream/stream-target.js';
import { Subscription } from '../stream/subscription.js';
import { handleWsConnection } from '../stream/ws-connection.js';
import { closeSocket } from '../stream/ws-sink.js';

interface StreamQuerystring extends StreamQuery {
  access_token?: string;
}

const streamSchema = {
  tags: ['stream'],
  summary: 'Live events over SSE (or WebSocket on upgrade)',
  description:
    'Server-sent events: `id:` is the resume cursor (`<run>:<seq>` for a run, an opaque cursor otherwise), `data:` the event JSON. Reconnect with `Last-Event-ID` (or `after`) to go on without a gap or a repeat. `event: reset` says the resume point is lost; `event: close` says why the server ended the stream. The same URL upgrades to a WebSocket; see docs/api.md.',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      run: { type: 'string', minLength: 1, maxLength: 200, description: 'Follow one run' },
      workflow: {
        type: 'string',
        minLength: 1,
        maxLength: 200,
        description: 'Follow the runs of one workflow',
      },
      after: {
        type: 'string',
        maxLength: 300,
        description: 'A seq (run) or the cursor of the last event received',
      },
      access_token: {
        type: 'string',
        maxLength: 500,
        description: 'For clients that cannot send an Authorization header',
      },
    },
  },
  response: {
    200: { description: 'text/event-stream', type: 'string' },
    ...errorResponses,
  },
} as const;

export function streamRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.route<{ Querystring: StreamQuerystring }>({
    method: 'GET',
    url: '/api/v1/stream',
    // A HEAD request would otherwise open a stream that never ends.
    exposeHeadRoute: false,
    schema: streamSchema,
    config: { scope: 'read', tokenInQuery: true },
    handler: async (request, reply) => {
      const lastEventId = request.headers['last-event-id'];
      const target = await resolveTarget(
        ctx.engine,
        queryOf(request),
        typeof lastEventId === 'string' ? lastEventId : undefined,
      );
      const headers = Object.fromEntries(
        Object.entries(reply.getHeaders()).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : [])),
      );
      reply.hijack();
      const sink = new SseSink(reply.raw, ctx.stream, headers);
      const subscription = new Subscription(ctx.engine, ctx.hub, target, sink, {
        maxQueue: ctx.stream.maxQueue,
      });
      const entry = { close: () => sink.close('shutting_down', 'the server is shutting down') };
      ctx.openStreams.add(entry);
      reply.raw.on('close', () => {
        subscription.stop();
        ctx.openStreams.delete(entry);
      });
      subscription.start();
    },
    wsHandler: (socket, request) => {
      const query = queryOf(request as FastifyRequest<{ Querystring: StreamQuerystring }>);
      const initial = query.run ?? query.workflow ?? query.after;
      const entry = { close: () => closeSocket(socket, 'shutting_down', 'the server is shutting down') };
      ctx.openStreams.add(entry);
      socket.on('close', () => ctx.openStreams.delete(entry));
      handleWsConnection(socket, initial === undefined ? undefined : query, {
        engine: ctx.engine,
        hub: ctx.hub,
        limits: ctx.stream,
        maxQueue: ctx.stream.maxQueue,
        log: request.log,
      });
    },
  });
}

function queryOf(request: FastifyRequest<{ Querystring: StreamQuerystring }>): StreamQuery {
  const { run, workflow, after } = request.query ?? {};
  return { run, workflow, after };
}
