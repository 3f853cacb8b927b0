import type { FastifyInstance } from 'fastify';
import { apiError } from '../errors/api-error.js';
import { RateLimiter } from '../http/rate-limit.js';
import { anyValue, errorResponses, runIdParams } from '../schemas/common.js';
import { cloudEventBody, sentEventSchema } from '../schemas/event.js';
import type { ServerContext } from '../server-context.js';

type CloudEventInput = { type: string; [attribute: string]: unknown };

const sendSchema = {
  tags: ['events'],
  summary: 'Send an event to every step waiting for its type',
  body: cloudEventBody,
  response: { 202: sentEventSchema, ...errorResponses },
} as const;

const sendToRunSchema = {
  tags: ['events'],
  summary: 'Send an event to a run',
  description: 'The event is kept for the run until one of its `event` steps takes it.',
  params: runIdParams,
  body: cloudEventBody,
  response: { 202: sentEventSchema, ...errorResponses },
} as const;

const hookSchema = {
  tags: ['events'],
  summary: 'Webhook of one waiting `event` step',
  description:
    "The token is the credential (128 random bits, from the run's `waits`); no bearer token is needed. The JSON body is the event's `data` (CloudEvents binary mode: `ce-type`, `ce-id`, `ce-source` headers are optional), or with `content-type: application/cloudevents+json` the whole event. Rate limited per client address.",
  params: {
    type: 'object',
    required: ['token'],
    additionalProperties: false,
    properties: { token: { type: 'string', minLength: 16, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' } },
  },
  body: anyValue,
  response: { 202: sentEventSchema, ...errorResponses },
} as const;

const CE_HEADERS = ['type', 'id', 'source', 'time', 'subject'] as const;

export function eventRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.addContentTypeParser('application/cloudevents+json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(apiError('invalid_request', 'the body is not valid JSON'), undefined);
    }
  });

  app.post<{ Body: CloudEventInput }>(
    '/api/v1/events',
    { schema: sendSchema, config: { scope: 'write' } },
    async (request, reply) => reply.code(202).send(await ctx.engine.sendEvent(request.body)),
  );

  app.post<{ Body: CloudEventInput; Params: { id: string } }>(
    '/api/v1/runs/:id/events',
    { schema: sendToRunSchema, config: { scope: 'write' } },
    async (request, reply) => {
      const sent = await ctx.engine.sendEvent(request.body, { runId: request.params.id });
      request.log.info({ runId: request.params.id, type: request.body.type }, 'event sent to run');
      return reply.code(202).send(sent);
    },
  );

  const limiter = new RateLimiter(ctx.hookRateLimit);
  app.post<{ Params: { token: string }; Body: unknown }>(
    '/hooks/:token',
    { schema: hookSchema, config: { scope: 'public' } },
    async (request, reply) => {
      if (!limiter.allow(request.ip)) {
        reply.header('retry-after', String(limiter.retryAfterSeconds()));
        throw apiError(
          'rate_limited',
          `more than ${ctx.hookRateLimit.max} webhook calls in ${ctx.hookRateLimit.windowMs} ms from this address`,
        );
      }
      const structured = String(request.headers['content-type']).startsWith('application/cloudevents+json');
      const event = structured
        ? (request.body as CloudEventInput)
        : binaryEvent(request.headers, request.body);
      return reply.code(202).send(await ctx.engine.sendEvent(event, { token: request.params.token }));
    },
  );
}

/** CloudEvents HTTP binary mode: attributes in `ce-*` headers, the body is `data`; the type defaults to the wait's. */
function binaryEvent(headers: Record<string, string | string[] | undefined>, data: unknown): CloudEventInput {
  const event: Record<string, unknown> = { data: data ?? null };
  for (const name of CE_HEADERS) {
    const value = headers[`ce-${name}`];
    if (typeof value === 'string' && value !== '') event[name] = value;
  }
  return event as CloudEventInput;
}
