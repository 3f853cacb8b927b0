import type { Engine, Store, WeftConfig } from '@weft/core';
import type { Command } from 'commander';

export type WeftCore = typeof import('@weft/core');

/** Options every command accepts (declared on the program). */
export interface GlobalOptions {
  store?: string;
  config?: string;
  debug?: boolean;
}

/** What a command needs once it runs: the engine library, the merged config, the store URL. */
export interface CliContext {
  cwd: string;
  debug: boolean;
  core: WeftCore;
  config: WeftConfig;
  /** `--store`, else `WEFT_STORE`, else the config file's `store`, else `sqlite:.weft/weft.db`. */
  storeUrl: string;
}

/** Loads `@weft/core` (lazily, so `weft --version` stays fast) and the config. */
export async function loadContext(command: Command): Promise<CliContext> {
  const options = command.optsWithGlobals<GlobalOptions>();
  const cwd = process.cwd();
  const core = await import('@weft/core');
  const config = await core.loadConfig({ cwd, env: process.env, file: options.config });
  return { cwd, debug: options.debug === true, core, config, storeUrl: options.store ?? config.store };
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
      circuitBreakers: ctx.config.circuitBreakers,
      redis: ctx.config.redis,
      limits: ctx.config.limits,
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
