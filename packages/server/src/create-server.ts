import { readFileSync } from 'node:fs';
import websocket from '@fastify/websocket';
import { builtinSkills, type Engine } from '@weft/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { installAuth } from './auth/auth-hook.js';
import type { ApiToken } from './auth/tokens.js';
import { TokenTable } from './auth/tokens.js';
import { frameworkErrorHandler, installErrorHandling } from './errors/error-handler.js';
import { type CorsOptions, installCors } from './http/cors.js';
import { type LoggerOption, loggerOptions } from './http/logging.js';
import type { RateLimit } from './http/rate-limit.js';
import { installValidators } from './http/validators.js';
import { WeftMetrics } from './metrics/weft-metrics.js';
import { approvalRoutes } from './routes/approvals.js';
import { breakerRoutes } from './routes/breakers.js';
import { cacheRoutes } from './routes/cache.js';
import { deadLetterRoutes } from './routes/dead-letters.js';
import { eventRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { DOCS_PREFIX, registerOpenApi } from './routes/openapi.js';
import { rerunRoutes } from './routes/rerun.js';
import { runControlRoutes } from './routes/run-control.js';
import { runHistoryRoutes } from './routes/run-history.js';
import { runRoutes } from './routes/runs.js';
import { scheduleRoutes } from './routes/schedules.js';
import { streamRoutes } from './routes/stream.js';
import { templateRoutes } from './routes/templates.js';
import { workflowRoutes } from './routes/workflows.js';
import { RunStarter } from './runs/start-run.js';
import type { ServerContext } from './server-context.js';
import { EventHub, type EventHubOptions } from './stream/event-hub.js';
import type { SinkLimits } from './stream/sse-sink.js';

export interface ServerOptions {
  engine: Engine;
  /** Bearer tokens; none: every route is open (serve then listens on loopback only). */
  auth?: { tokens: readonly ApiToken[] };
  /** Runs started over the API may use the `shell` skill; default false. */
  allowShell?: boolean;
  /** Skills the engine knows (unknown skills are document problems); default the built-ins. */
  skillNames?: Iterable<string>;
  /** Where `path` in a start request is looked up; default the current directory. */
  workflowsDir?: string;
  /** Largest request body in bytes; default 1 MiB. */
  bodyLimit?: number;
  /** Off unless given. */
  cors?: CorsOptions;
  logger?: LoggerOption;
  stream?: Partial<SinkLimits> & EventHubOptions & { maxQueue?: number };
  /** Webhook calls allowed per client address; default 60 per 10 s. */
  hookRateLimit?: RateLimit;
  /** Node process metrics (memory, event loop) in /metrics; default true. */
  processMetrics?: boolean;
}

const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/**
 * The HTTP API on an engine, ready for `listen` or `inject`. Closing the app ends open streams;
 * the engine stays open (its owner closes it).
 * @example
 * const app = await createServer({ engine });
 * const res = await app.inject({ method: 'GET', url: '/api/v1/runs' });
 */
export async function createServer(options: ServerOptions): Promise<FastifyInstance> {
  const tokens = new TokenTable(options.auth?.tokens ?? []);
  const app = Fastify({
    ...loggerOptions(options.logger),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    forceCloseConnections: true,
    routerOptions: { maxParamLength: 500 },
    frameworkErrors: frameworkErrorHandler,
  }) as unknown as FastifyInstance;
  const ctx = context(options);

  app.addHook('onRoute', (route) => {
    if (route.url.startsWith(DOCS_PREFIX)) route.config = { ...route.config, scope: 'public' };
  });
  installValidators(app);
  installErrorHandling(app);
  // Before the websocket plugin's own hook: clients get a close reason before their socket goes.
  app.addHook('preClose', async () => {
    for (const stream of [...ctx.openStreams]) stream.close();
  });
  // Before CORS and auth: its hooks mark upgrade requests, so a refused upgrade's socket is closed.
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  installCors(app, options.cors);
  installAuth(app, tokens);
  app.addHook('onResponse', async (request, reply) => {
    ctx.metrics.observeRequest(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  });
  const unfollow = ctx.metrics.follow(options.engine);
  app.addHook('onClose', async () => {
    unfollow();
    ctx.hub.close();
  });

  await registerOpenApi(app, VERSION);
  workflowRoutes(app, ctx);
  runRoutes(app, ctx);
  runHistoryRoutes(app, ctx);
  eventRoutes(app, ctx);
  approvalRoutes(app, ctx);
  runControlRoutes(app, ctx);
  rerunRoutes(app, ctx);
  deadLetterRoutes(app, ctx);
  scheduleRoutes(app, ctx);
  templateRoutes(app, ctx);
  breakerRoutes(app, ctx);
  cacheRoutes(app, ctx);
  streamRoutes(app, ctx);
  healthRoutes(app, ctx);
  return app;
}

function context(options: ServerOptions): ServerContext {
  const { engine, stream = {} } = options;
  const skillNames = new Set(options.skillNames ?? builtinSkills.map((s) => s.name));
  return {
    engine,
    skillNames,
    starter: new RunStarter({
      engine,
      allowShell: options.allowShell === true,
      skillNames,
      workflowsDir: options.workflowsDir ?? process.cwd(),
    }),
    workflows: { dir: options.workflowsDir ?? process.cwd(), allowShell: options.allowShell === true },
    hub: new EventHub(engine, stream),
    metrics: new WeftMetrics({ processMetrics: options.processMetrics }),
    stream: {
      maxBufferBytes: stream.maxBufferBytes ?? 4 * 1024 * 1024,
      heartbeatMs: stream.heartbeatMs ?? 15_000,
      drainTimeoutMs: stream.drainTimeoutMs ?? 30_000,
      maxQueue: stream.maxQueue ?? 10_000,
    },
    hookRateLimit: options.hookRateLimit ?? { max: 60, windowMs: 10_000 },
    openStreams: new Set(),
  };
}
