import type { Pool } from 'pg';
import type { CacheEntry, CacheFilter, CacheStore } from '../../resilience/cache-store.js';
import { encodeJson } from '../store-rows.js';

interface CacheRow {
  key: string;
  value: unknown;
  created_at: number;
  expires_at: number | null;
}

const COLUMNS = 'key, value, created_at, expires_at';

const Q = {
  get: {
    name: 'weft_cache_get',
    text: `SELECT ${COLUMNS} FROM cache_entries WHERE key = $1 AND (expires_at IS NULL OR expires_at > $2)`,
  },
  put: {
    name: 'weft_cache_put',
    text: `INSERT INTO cache_entries (${COLUMNS}) VALUES ($1, $2::jsonb, $3, $4) ON CONFLICT (key) DO UPDATE
      SET value = excluded.value, created_at = excluded.created_at, expires_at = excluded.expires_at`,
  },
  list: {
    name: 'weft_cache_list',
    text: `SELECT ${COLUMNS} FROM cache_entries
      WHERE ($1::text IS NULL OR left(key, length($1::text)) = $1::text)
        AND (expires_at IS NULL OR expires_at > $2) ORDER BY key LIMIT $3`,
  },
  clear: {
    name: 'weft_cache_clear',
    text: `DELETE FROM cache_entries WHERE ($1::text IS NULL OR left(key, length($1::text)) = $1::text)
      AND ($2::bigint IS NULL OR expires_at <= $2::bigint)`,
  },
};

function toEntry(row: CacheRow): CacheEntry {
  return {
    key: row.key,
    value: row.value,
    createdAt: Number(row.created_at),
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
  };
}

/** Cached step results in the `cache_entries` table. */
export class PostgresCache implements CacheStore {
  constructor(
    private readonly pool: Pool,
    private readonly guard: <T>(work: () => Promise<T>) => Promise<T>,
  ) {}

  async get(key: string, now: number): Promise<CacheEntry | undefined> {
    const { rows } = await this.guard(() => this.pool.query<CacheRow>({ ...Q.get, values: [key, now] }));
    return rows[0] && toEntry(rows[0]);
  }

  async put(entry: CacheEntry): Promise<void> {
    const values = [entry.key, encodeJson(entry.value), entry.createdAt, entry.expiresAt];
    await this.guard(() => this.pool.query({ ...Q.put, values }));
  }

  async list(filter: CacheFilter & { now: number; limit?: number }): Promise<CacheEntry[]> {
    const values = [filter.prefix ?? null, filter.now, filter.limit ?? 1000];
    const { rows } = await this.guard(() => this.pool.query<CacheRow>({ ...Q.list, values }));
    return rows.map(toEntry);
  }

  async clear(filter: CacheFilter & { expiredAt?: number }): Promise<number> {
    const values = [filter.prefix ?? null, filter.expiredAt ?? null];
    const result = await this.guard(() => this.pool.query({ ...Q.clear, values }));
    return result.rowCount ?? 0;
  }
}
