import type { CacheEntry, CacheFilter, CacheStore } from '../cache-store.js';
import { globLiteral, type RedisConnection, redisError, scanKeys } from './redis-connection.js';

interface Stored {
  value: unknown;
  createdAt: number;
  expiresAt: number | null;
}

/** Cached step results in Redis: one string per entry (`<prefix>cache:<key>`), expired by Redis itself. */
export class RedisCache implements CacheStore {
  readonly #redis: RedisConnection;

  constructor(redis: RedisConnection) {
    this.#redis = redis;
  }

  get #base(): string {
    return `${this.#redis.prefix}cache:`;
  }

  async get(key: string, now: number): Promise<CacheEntry | undefined> {
    try {
      const text = await this.#redis.client.get(this.#base + key);
      return live(key, text, now);
    } catch (error) {
      throw redisError(error, `cache read of '${key}'`);
    }
  }

  async put(entry: CacheEntry): Promise<void> {
    const stored: Stored = { value: entry.value, createdAt: entry.createdAt, expiresAt: entry.expiresAt };
    const text = JSON.stringify(stored);
    try {
      const { client } = this.#redis;
      if (entry.expiresAt === null) await client.set(this.#base + entry.key, text);
      else
        await client.set(this.#base + entry.key, text, 'PX', Math.max(1, entry.expiresAt - entry.createdAt));
    } catch (error) {
      throw redisError(error, `cache write of '${entry.key}'`);
    }
  }

  async list(filter: CacheFilter & { now: number; limit?: number }): Promise<CacheEntry[]> {
    try {
      const keys = (await this.#keys(filter.prefix)).sort().slice(0, filter.limit ?? 1000);
      if (keys.length === 0) return [];
      const texts = await this.#redis.client.mget(keys);
      const entries: CacheEntry[] = [];
      keys.forEach((key, i) => {
        const entry = live(key.slice(this.#base.length), texts[i] ?? null, filter.now);
        if (entry) entries.push(entry);
      });
      return entries;
    } catch (error) {
      throw redisError(error, 'cache listing');
    }
  }

  async clear(filter: CacheFilter & { expiredAt?: number }): Promise<number> {
    // Redis drops expired entries itself.
    if (filter.expiredAt !== undefined) return 0;
    try {
      const keys = await this.#keys(filter.prefix);
      let deleted = 0;
      for (let i = 0; i < keys.length; i += 500)
        deleted += await this.#redis.client.del(...keys.slice(i, i + 500));
      return deleted;
    } catch (error) {
      throw redisError(error, 'cache clear');
    }
  }

  #keys(prefix: string | undefined): Promise<string[]> {
    return scanKeys(this.#redis.client, `${globLiteral(this.#base + (prefix ?? ''))}*`);
  }
}

function live(key: string, text: string | null, now: number): CacheEntry | undefined {
  if (text === null) return undefined;
  const stored = JSON.parse(text) as Stored;
  if (stored.expiresAt !== null && stored.expiresAt <= now) return undefined;
  return { key, value: stored.value, createdAt: stored.createdAt, expiresAt: stored.expiresAt };
}
