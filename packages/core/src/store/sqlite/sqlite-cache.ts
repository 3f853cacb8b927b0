import type BetterSqlite3 from 'better-sqlite3';
import type { CacheEntry, CacheFilter, CacheStore } from '../../resilience/cache-store.js';
import { decodeJson, encodeJson } from '../store-rows.js';

interface CacheRow {
  key: string;
  value: string | null;
  created_at: number;
  expires_at: number | null;
}

const COLUMNS = 'key, value, created_at, expires_at';
const PREFIX = '(@prefix IS NULL OR substr(key, 1, length(@prefix)) = @prefix)';
const LIVE = '(expires_at IS NULL OR expires_at > @now)';

function prepare(db: BetterSqlite3.Database) {
  return {
    get: db.prepare<[string], CacheRow>(`SELECT ${COLUMNS} FROM cache_entries WHERE key = ?`),
    put: db.prepare<[string, string | null, number, number | null]>(`INSERT INTO cache_entries (${COLUMNS})
      VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE
      SET value = excluded.value, created_at = excluded.created_at, expires_at = excluded.expires_at`),
    list: db.prepare<{ prefix: string | null; now: number; limit: number }, CacheRow>(
      `SELECT ${COLUMNS} FROM cache_entries WHERE ${PREFIX} AND ${LIVE} ORDER BY key LIMIT @limit`,
    ),
    clear: db.prepare<{ prefix: string | null; expiredAt: number | null }>(`DELETE FROM cache_entries
      WHERE ${PREFIX} AND (@expiredAt IS NULL OR expires_at <= @expiredAt)`),
  };
}

function toEntry(row: CacheRow): CacheEntry {
  return { key: row.key, value: decodeJson(row.value), createdAt: row.created_at, expiresAt: row.expires_at };
}

/** Cached step results in the `cache_entries` table. */
export class SqliteCache implements CacheStore {
  #s: ReturnType<typeof prepare> | undefined;

  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly guard: <T>(work: () => T) => T,
  ) {}

  get #q(): ReturnType<typeof prepare> {
    this.#s ??= prepare(this.db);
    return this.#s;
  }

  async get(key: string, now: number): Promise<CacheEntry | undefined> {
    const row = this.guard(() => this.#q.get.get(key));
    return row && (row.expires_at === null || row.expires_at > now) ? toEntry(row) : undefined;
  }

  async put(entry: CacheEntry): Promise<void> {
    this.guard(() => this.#q.put.run(entry.key, encodeJson(entry.value), entry.createdAt, entry.expiresAt));
  }

  async list(filter: CacheFilter & { now: number; limit?: number }): Promise<CacheEntry[]> {
    const rows = this.guard(() =>
      this.#q.list.all({ prefix: filter.prefix ?? null, now: filter.now, limit: filter.limit ?? 1000 }),
    );
    return rows.map(toEntry);
  }

  async clear(filter: CacheFilter & { expiredAt?: number }): Promise<number> {
    return this.guard(
      () => this.#q.clear.run({ prefix: filter.prefix ?? null, expiredAt: filter.expiredAt ?? null }).changes,
    );
  }
}
