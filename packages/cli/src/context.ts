import { readFile } from 'node:fs/promises';
import type { Engine, Store, WeftConfig } from '@weft/core';
import type { Command } from 'commander';
import { UsageError } from './errors.js';

export type WeftCore = typeof import('@weft/core');

/** Options every command accepts (declared on the program). */
export interface GlobalOptions {
  store?: string;
  config?: string;
  debug?: boolean;
  logLevel?: string;
}

/** What a command needs once it runs: the engine library, the merged config, the store URL. */
export interface CliContext {
  cwd: string;
  debug: boolean;
  core: WeftCore;
  config: WeftConfig;
  /** `--store`, else `WEFT_STORE`, else the config file's `store`, else `sqlite:.weft/weft.db`. */
  storeUrl: string;
  /** Engine logs (stderr): `--log-level`, else an explicit `log_level`, else `warn`. */
  engineLogLevel: WeftConfig['logLevel'];
}

/** Loads `@weft/core` (lazily, so `weft --version` stays fast) and the config. */
export async function loadContext(command: Command): Promise<CliContext> {
  const options = command.optsWithGlobals<GlobalOptions>();
  const cwd = process.cwd();
  const core = await import('@weft/core');
  const config = await core.loadConfig({ cwd, env: process.env, file: options.config });
  const engineLogLevel = await engineLogLevelOf(options.logLevel, core, config);
  if (options.logLevel !== undefined) config.logLevel = engineLogLevel;
  return {
    cwd,
    debug: options.debug === true,
    core,
    config,
    storeUrl: options.store ?? config.store,
    engineLogLevel,
  };
}

/**
 * The engine's log level in the CLI: `--log-level`, else `log_level` when the config file or
 * WEFT_LOG_LEVEL sets it, else `warn`: the live display already shows what `info` would say.
 */
async function engineLogLevelOf(
  flag: string | undefined,
  core: WeftCore,
  config: WeftConfig,
): Promise<WeftConfig['logLevel']> {
  if (flag !== undefined) {
    if (!(core.LOG_LEVELS as readonly string[]).includes(flag)) {
      throw new UsageError(`--log-level: expected one of ${core.LOG_LEVELS.join(', ')}, got '${flag}'`);
    }
    return flag as WeftConfig['logLevel'];
  }
  if (process.env.WEFT_LOG_LEVEL?.trim()) return config.logLevel;
  if (config.file === null) return 'warn';
  const text = await readFile(config.file, 'utf8').catch(() => '');
  return core.parseConfigFile(config.file, text).log_level === undefined ? 'warn' : config.logLevel;
}

/** An engine on the configured store; `close()` may be called more than once. */
export async function openEngine(ctx: CliContext): Promise<Engine> {
  try {
    const engine = await ctx.core.createEngine({
      store: ctx.storeUrl,
      cwd: ctx.cwd,
      secrets: ctx.config.secrets,
      leaseMs: ctx.config.leaseMs,
      maxPauseMs: ctx.config.maxPauseMs,
      dlqRetentionMs: ctx.config.dlqRetentionMs,
      skillModules: ctx.config.skills,
      hookModules: ctx.config.hooks,
      hookTimeoutMs: ctx.config.hookTimeoutMs,
      notifications: ctx.config.notifications,
      logLevel: ctx.engineLogLevel,
      circuitBreakers: ctx.config.circuitBreakers,
      redis: ctx.config.redis,
      limits: ctx.config.limits,
      agents: ctx.config.agents,
      mcpServers: ctx.config.mcpServers,
    });
    return closeOnce(engine);
  } catch (error) {
    throw namingStore(ctx, error);
  }
}

/** The configured store alone, for commands that only read or migrate it. */
export async function openStore(ctx: CliContext): Promise<Store> {
  try {
    return await ctx.core.openStore(ctx.storeUrl, { cwd: ctx.cwd });
  } catch (error) {
    throw namingStore(ctx, error);
  }
}

/** Runs `body` with an engine and closes it afterwards, whatever happens. */
export async function withEngine<T>(ctx: CliContext, body: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = await openEngine(ctx);
  try {
    return await body(engine);
  } finally {
    await engine.close();
  }
}

/** Runs `body` with the store and closes it afterwards. */
export async function withStore<T>(ctx: CliContext, body: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(ctx);
  try {
    return await body(store);
  } finally {
    await store.close();
  }
}

function closeOnce(engine: Engine): Engine {
  let closing: Promise<void> | undefined;
  const close = engine.close.bind(engine);
  engine.close = () => {
    closing ??= close();
    return closing;
  };
  return engine;
}

/** A store failure that does not say which store gets the URL (password masked) in front. */
function namingStore(ctx: CliContext, error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (!(error instanceof Error) || code !== 'store_error' || /store/i.test(error.message)) return error;
  return new ctx.core.WeftError(
    'store_error',
    `cannot use store ${ctx.core.maskUrl(ctx.storeUrl)}: ${error.message}`,
    {
      cause: error,
    },
  );
}
