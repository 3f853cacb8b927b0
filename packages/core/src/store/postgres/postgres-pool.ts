import { escapeIdentifier, Pool, type PoolClient, TypeOverrides } from 'pg';
import { WeftError } from '../../errors.js';
import { maskUrl } from '../store-url.js';
import { postgresStoreError } from './postgres-errors.js';

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:5432/database`; `?schema=name` selects (and creates) a schema. */
  url: string;
  /** Schema for every table (created if missing); overrides `?schema=` in the URL. Default: `public`. */
  schema?: string;
  /** Pool size; default 10. */
  max?: number;
  /** How long to wait for a connection before failing; default 10000. */
  connectionTimeoutMs?: number;
}

export interface PostgresConnection {
  pool: Pool;
  /** The URL with its password masked, for messages. */
  maskedUrl: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const INT8_OID = 20;

/** Opens a pool (BIGINT read as numbers, `search_path` set at connection start) and checks it works. */
export async function connectPostgres(options: PostgresStoreOptions): Promise<PostgresConnection> {
  const maskedUrl = maskUrl(options.url);
  let url: URL;
  try {
    url = new URL(options.url);
  } catch (cause) {
    throw new WeftError('store_error', `Store URL "${maskedUrl}" is not a valid postgres:// URL`, { cause });
  }
  const schema = options.schema ?? (url.searchParams.get('schema') || undefined);
  url.searchParams.delete('schema');
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new WeftError(
      'store_error',
      `Expected a PostgreSQL schema name of lowercase letters, digits and _ (for ${maskedUrl}), got ${JSON.stringify(schema)}`,
    );
  }
  // The URL's own `options` would override ours (pg reads the URL last), so both go in one value.
  const startupOptions = [url.searchParams.get('options'), schema && `-c search_path=${schema}`]
    .filter(Boolean)
    .join(' ');
  url.searchParams.delete('options');

  const types = new TypeOverrides();
  types.setTypeParser(INT8_OID, Number);
  const pool = new Pool({
    connectionString: url.toString(),
    types,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
    ...(startupOptions ? { options: startupOptions } : {}),
  });
  // An idle connection that breaks emits here; without a listener it would crash the process.
  // The next query gets a fresh connection or reports the problem itself.
  pool.on('error', () => {});
  try {
    if (schema) await createSchema(pool, schema);
    else await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => {});
    throw postgresStoreError(error, maskedUrl);
  }
  return { pool, maskedUrl };
}

async function createSchema(pool: Pool, schema: string): Promise<void> {
  try {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${escapeIdentifier(schema)}`);
  } catch (error) {
    // Two processes creating it at once: the loser sees a duplicate, which is what it wanted.
    const code = (error as { code?: unknown }).code;
    if (code !== '23505' && code !== '42P06') throw error;
  }
}

/** Runs `work` between BEGIN and COMMIT on one client; ROLLBACK on error. */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    // A client whose ROLLBACK failed is in an unknown state: destroy it rather than reuse it.
    client.release(broken);
  }
}
