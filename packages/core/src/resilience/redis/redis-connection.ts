import type { Redis } from 'ioredis';
import { WeftError } from '../../errors.js';
import { maskUrl } from '../../store/store-url.js';

/** `redis:` in weft.config.yaml: where breaker states and the cache live instead of the store. */
export interface RedisSettings {
  /** `redis://[:password@]host:6379[/db]` or `rediss://...`. */
  url: string;
  /** Put before every key Weft writes; default `weft:`. Engines that share state use the same prefix. */
  keyPrefix?: string;
}

export interface RedisConnection {
  client: Redis;
  /** Before every key: `weft:breaker:<target>`, `weft:cache:<key>`. */
  prefix: string;
  close(): Promise<void>;
}

/** Opens a connection, loading ioredis only now (it is needed only when `redis:` is configured). */
export async function connectRedis(settings: RedisSettings): Promise<RedisConnection> {
  const { Redis } = await import('ioredis');
  const shown = maskUrl(settings.url);
  const client: Redis = new Redis(settings.url, {
    lazyConnect: true,
    connectTimeout: 5000,
    maxRetriesPerRequest: 3,
    // Reconnect after a dropped connection, but not while the first one is refused.
    retryStrategy: (times: number): number | null =>
      client.status === 'connecting' && times > 1 ? null : Math.min(times * 200, 2000),
  });
  // Without a listener a connection error would crash the process; a failing command reports it.
  let lastError: Error | undefined;
  client.on('error', (error: Error) => {
    lastError = error;
  });
  try {
    await client.connect();
  } catch (cause) {
    client.disconnect();
    const why = (lastError ?? (cause as Error)).message;
    throw new WeftError('store_error', `cannot connect to Redis at ${shown}: ${why}`, {
      cause: lastError ?? cause,
    });
  }
  let closing: Promise<void> | undefined;
  return {
    client,
    prefix: settings.keyPrefix ?? 'weft:',
    close: (): Promise<void> => {
      if (!closing) {
        closing = client.quit().then(
          () => undefined,
          () => client.disconnect(),
        );
      }
      return closing;
    },
  };
}

/** Escapes a literal for a SCAN MATCH pattern. */
export function globLiteral(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** Every key matching `pattern`, through SCAN (never KEYS, which blocks the server). */
export async function scanKeys(client: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return [...new Set(keys)];
}

/** A Redis failure as a store error that names the server. */
export function redisError(error: unknown, what: string): WeftError {
  if (error instanceof WeftError) return error;
  return new WeftError('store_error', `Redis ${what} failed: ${(error as Error)?.message ?? String(error)}`, {
    cause: error,
  });
}
