import { WeftError } from '../../errors.js';

const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ECONNRESET',
]);

/** Turns a pg error into a `store_error` that names the server (password masked) and what was expected. */
export function postgresStoreError(error: unknown, maskedUrl: string): WeftError {
  if (error instanceof WeftError) return error;
  const code =
    typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : '';
  const message = error instanceof Error ? error.message || String(error) : String(error);
  const options = { cause: error, details: code ? { pg_code: code } : {} };
  if (
    CONNECT_CODES.has(code) ||
    /timeout exceeded when trying to connect|Connection terminated/i.test(message)
  ) {
    return new WeftError(
      'store_error',
      `Cannot connect to PostgreSQL at ${maskedUrl} (${message}); expected a PostgreSQL server accepting connections there`,
      options,
    );
  }
  if (code === '28P01' || code === '28000') {
    return new WeftError(
      'store_error',
      `PostgreSQL at ${maskedUrl} refused the login (${message}); expected valid credentials in the URL`,
      options,
    );
  }
  if (code === '3D000') {
    return new WeftError(
      'store_error',
      `PostgreSQL at ${maskedUrl}: ${message}; expected an existing database (create it first)`,
      options,
    );
  }
  if (code === '42P01') {
    return new WeftError(
      'store_error',
      `PostgreSQL at ${maskedUrl} has no Weft tables (${message}); run \`weft db migrate\` or store.migrate() first`,
      options,
    );
  }
  return new WeftError('store_error', `PostgreSQL store ${maskedUrl}: ${message}`, options);
}
