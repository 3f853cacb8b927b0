/** One cached step result under its full key (`workflow:<name>:<key>`, `user:<id>:<key>`, `global:<key>`). */
export interface CacheEntry {
  key: string;
  value: unknown;
  createdAt: number;
  /** null: kept until cleared. */
  expiresAt: number | null;
}

export interface CacheFilter {
  /** Keys starting with this text; all keys when absent. */
  prefix?: string;
}

/**
 * Where step results are cached: the store (a table) or Redis. An entry past `expiresAt` is never
 * returned, whether or not it was removed yet.
 * @example await cache.put({ key: 'global:rates', value: { eur: 1.1 }, createdAt: now, expiresAt: now + 3_600_000 });
 */
export interface CacheStore {
  get(key: string, now: number): Promise<CacheEntry | undefined>;
  /** Adds or replaces the entry. */
  put(entry: CacheEntry): Promise<void>;
  /** Live entries by key; at most `limit` (default 1000). */
  list(filter: CacheFilter & { now: number; limit?: number }): Promise<CacheEntry[]>;
  /** Deletes the entries (live or expired) matching the filter; with `expiredAt`, only those expired by then. Returns how many. */
  clear(filter: CacheFilter & { expiredAt?: number }): Promise<number>;
}
