import { WeftError } from '../../errors.js';

/** Turns a better-sqlite3 error into a `store_error` that names the database and what was expected. */
export function sqliteStoreError(error: unknown, filename: string, busyTimeoutMs: number): WeftError {
  if (error instanceof WeftError) return error;
  const code =
    typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : '';
  const message = error instanceof Error ? error.message : String(error);
  const options = { cause: error, details: code ? { sqlite_code: code } : {} };
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new WeftError(
      'store_error',
      `SQLite database ${filename} is locked by another connection and stayed locked past the ${busyTimeoutMs} ms busy timeout (${message}); expected it to be free within that time`,
      options,
    );
  }
  if (code === 'SQLITE_NOTADB') {
    return new WeftError(
      'store_error',
      `${filename} is not a SQLite database (${message}); expected a SQLite database file or a path where one can be created`,
      options,
    );
  }
  if (/no such table/i.test(message)) {
    return new WeftError(
      'store_error',
      `SQLite database ${filename} has no Weft tables (${message}); run \`weft db migrate\` or store.migrate() first`,
      options,
    );
  }
  return new WeftError('store_error', `SQLite database ${filename}: ${message}`, options);
}
