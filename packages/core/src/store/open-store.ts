import { WeftError } from '../errors.js';
import { maskUrl, parseStoreUrl } from './store-url.js';
import type { Store } from './types.js';

export interface OpenStoreOptions {
  /** Directory that relative `sqlite:` paths are resolved against; default `process.cwd()`. */
  cwd?: string;
}

/**
 * Opens a store from a URL, without migrating it (call `store.migrate()`).
 * `sqlite:<path>` (relative to cwd; the directory is created), `sqlite::memory:`,
 * `postgres://user:password@host:5432/database[?schema=name]` or `postgresql://...`.
 * An unusable URL or database throws `store_error` naming the URL (password masked).
 * @example const store = await openStore('sqlite:.weft/weft.db'); await store.migrate();
 */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  const location = parseStoreUrl(url, options.cwd);
  try {
    if (location.kind === 'sqlite') {
      const { SqliteStore } = await import('./sqlite/sqlite-store.js');
      return SqliteStore.open(location.filename);
    }
    const { PostgresStore } = await import('./postgres/postgres-store.js');
    return await PostgresStore.open({ url: location.url });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new WeftError('store_error', `Cannot open store "${maskUrl(url.trim())}": ${reason}`, {
      cause: error,
      details: error instanceof WeftError ? error.details : {},
    });
  }
}
