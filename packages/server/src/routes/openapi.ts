import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

export const DOCS_PREFIX = '/docs';

/**
 * OpenAPI 3.1 built from the routes' schemas, at `/api/v1/openapi.json`; Swagger UI at `/docs`,
 * served from the package's own files (nothing is loaded from another site).
 */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Weft API',
        version,
        description: 'Durable workflows: start and inspect runs, follow their events live. See docs/api.md.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
      tags: [
        { name: 'workflows', description: 'Workflow documents' },
        { name: 'templates', description: 'Workflow templates: typed parameters, instantiation' },
        { name: 'runs', description: 'Runs, their steps and events' },
        { name: 'events', description: 'Events for waiting steps, and their webhooks' },
        { name: 'stream', description: 'Live updates' },
        { name: 'operations', description: 'Health, metrics, dead-letter queue, circuit breakers, cache' },
      ],
    },
  });
  await app.register(swaggerUi, {
    routePrefix: DOCS_PREFIX,
    uiConfig: { validatorUrl: null, deepLinking: true },
  });
  app.get('/api/v1/openapi.json', { schema: { hide: true }, config: { scope: 'public' } }, async () =>
    app.swagger(),
  );
}
