import {
  builtinSkills,
  createEngine,
  type Engine,
  type EngineOptions,
  type EventSourceSettings,
  type EventSources,
  loadSkillModules,
  Scheduler,
  type SchedulerOptions,
  type Store,
  startEventSources,
} from '@weft/core';
import type { FastifyInstance } from 'fastify';
import { assertSafeListen } from './auth/loopback.js';
import { type ApiToken, parseApiTokens } from './auth/tokens.js';
import { createServer, type ServerOptions } from './create-server.js';

export interface ServeOptions extends Omit<ServerOptions, 'engine' | 'auth' | 'skillNames'> {
  /** Default 127.0.0.1; any other address needs a token. */
  host?: string;
  /** Default 7420; 0 picks a free port. */
  port?: number;
  /** Store URL (`sqlite:<path>`, `postgres://...`) or a Store. */
  store: string | Store;
  /** Base directory of the engine (relative paths, `shell`); default the current directory. */
  cwd?: string;
  secrets?: Record<string, string>;
  leaseMs?: number;
  /** See `EngineOptions.maxPauseMs`. */
  maxPauseMs?: number;
  /** Skill modules to load, relative to `cwd`. */
  skillModules?: string[];
  /** Circuit breakers, limits and Redis (weft.config.yaml); see `EngineOptions`. */
  resilience?: Pick<EngineOptions, 'circuitBreakers' | 'limits' | 'redis'>;
  /** Hook modules, notifications and engine logs (weft.config.yaml); see `EngineOptions`. */
  observe?: Pick<EngineOptions, 'hookModules' | 'hookTimeoutMs' | 'notifications' | 'logLevel'>;
  /** `agents:` and `mcp_servers:` (weft.config.yaml); see docs/agents.md. */
  agents?: Pick<EngineOptions, 'agents' | 'mcpServers'>;
  /** `event_sources` (weft.config.yaml): broker messages sent to the engine as events. */
  eventSources?: readonly EventSourceSettings[];
  /** Bearer tokens; default from `WEFT_API_TOKENS` (`token:scope,...`). */
  tokens?: readonly ApiToken[];
  /** Where `WEFT_API_TOKENS` and `WEFT_ALLOW_SHELL` are read; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Close gracefully on SIGTERM and SIGINT; default true. */
  handleSignals?: boolean;
  /** On close, how long running steps may take to finish (no new step starts meanwhile); default 10 s. */
  shutdownGraceMs?: number;
  /**
   * Registers the documents of this directory (`--workflows`, `workflows:` in config) before
   * listening: a new active version for each changed one. An invalid document stops the start.
   */
  pushWorkflows?: string;
  /** Fires due schedules in this process (docs/schedules.md); `false` turns it off. Default on. */
  scheduler?: false | Omit<SchedulerOptions, 'engine'>;
}

export interface RunningServer {
  /** `http://127.0.0.1:7420` */
  url: string;
  host: string;
  port: number;
  app: FastifyInstance;
  engine: Engine;
  /** Interrupted runs resumed at start. */
  recovered: number;
  /** What registering `pushWorkflows` did, one line per document. */
  pushed: string[];
  /** Stops accepting, ends streams, then closes the engine (which releases the leases of runs still going). */
  close(): Promise<void>;
  /** Resolves once the server has closed, by `close()` or a signal. */
  closed: Promise<void>;
}

/**
 * What `weft serve` runs: an engine on the store (interrupted runs resumed) behind the HTTP API.
 * @example
 * const server = await serve({ store: 'sqlite:.weft/weft.db', port: 7420 });
 * console.log(`listening on ${server.url}`);
 */
export async function serve(options: ServeOptions): Promise<RunningServer> {
  const env = options.env ?? process.env;
  const host = options.host ?? '127.0.0.1';
  const tokens = options.tokens ?? parseApiTokens(env.WEFT_API_TOKENS);
  assertSafeListen(host, tokens.length > 0);
  const cwd = options.cwd ?? process.cwd();
  const modules = options.skillModules?.length ? await loadSkillModules(options.skillModules, { cwd }) : [];
  const engine = await createEngine({
    store: options.store,
    cwd,
    secrets: options.secrets,
    leaseMs: options.leaseMs,
    maxPauseMs: options.maxPauseMs,
    skills: modules,
    ...options.resilience,
    ...options.observe,
    ...options.agents,
  });
  let app: FastifyInstance;
  let sources: EventSources | undefined;
  let scheduler: Scheduler | undefined;
  let pushed: string[] = [];
  try {
    if (options.pushWorkflows !== undefined) {
      const outcomes = await engine.workflows.pushPath(options.pushWorkflows, {
        cwd,
        message: 'registered at server start',
      });
      pushed = outcomes.map((outcome) => outcome.message);
    }
    app = await createServer({
      ...options,
      engine,
      auth: { tokens },
      allowShell: options.allowShell ?? /^(1|true|yes)$/i.test(env.WEFT_ALLOW_SHELL ?? ''),
      skillNames: [...builtinSkills, ...modules].map((skill) => skill.name),
      workflowsDir: options.workflowsDir ?? cwd,
      logger: options.logger ?? { level: 'info' },
    });
    app.addHook('onClose', async () => sources?.stop());
    app.addHook('onClose', async () => scheduler?.stop());
    await app.listen({ host, port: options.port ?? 7420 });
  } catch (error) {
    await engine.close();
    throw error;
  }
  const recovered = await engine.recover().catch(async (error: unknown) => {
    await app.close();
    await engine.close();
    throw error;
  });
  if (options.scheduler !== false) {
    scheduler = new Scheduler({
      onError: (error) => app.log.warn({ err: error }, 'scheduler pass failed'),
      ...options.scheduler,
      engine,
    });
    scheduler.start();
  }
  if (options.eventSources?.length) {
    sources = startEventSources(engine, options.eventSources, { warn: (message) => app.log.warn(message) });
  }
  const server = running(app, engine, host, recovered.length, {
    signals: options.handleSignals !== false,
    graceMs: options.shutdownGraceMs ?? 10_000,
  });
  return { ...server, pushed };
}

function running(
  app: FastifyInstance,
  engine: Engine,
  host: string,
  recovered: number,
  { signals, graceMs }: { signals: boolean; graceMs: number },
): Omit<RunningServer, 'pushed'> {
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  let resolveClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  let closing: Promise<void> | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    app.log.info({ signal }, 'shutting down');
    void close();
  };
  const close = (): Promise<void> => {
    closing ??= (async () => {
      process.off('SIGTERM', onSignal).off('SIGINT', onSignal);
      try {
        await app.close();
      } finally {
        await engine.close({ graceMs });
        resolveClosed();
      }
    })();
    return closing;
  };
  if (signals) process.on('SIGTERM', onSignal).on('SIGINT', onSignal);
  const shown = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return { url: `http://${shown}:${port}`, host, port, app, engine, recovered, close, closed };
}
