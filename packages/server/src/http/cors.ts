import type { FastifyInstance } from 'fastify';

export interface CorsOptions {
  /** Origins allowed to call the API from a browser, e.g. `https://ops.example.test`; `*` for any. */
  origins: readonly string[];
}

const ALLOWED_HEADERS = 'authorization, content-type, idempotency-key, last-event-id';
const ALLOWED_METHODS = 'GET, POST, OPTIONS';

/** CORS is off unless origins are configured: then those origins get the headers and preflights. */
export function installCors(app: FastifyInstance, cors: CorsOptions | undefined): void {
  if (!cors || cors.origins.length === 0) return;
  const any = cors.origins.includes('*');
  const allowed = new Set(cors.origins);
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (typeof origin !== 'string' || !(any || allowed.has(origin))) return;
    reply.header('access-control-allow-origin', any ? '*' : origin);
    reply.header('vary', 'Origin');
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined) {
      return reply
        .header('access-control-allow-methods', ALLOWED_METHODS)
        .header('access-control-allow-headers', ALLOWED_HEADERS)
        .header('access-control-max-age', '600')
        .code(204)
        .send();
    }
    return undefined;
  });
}
