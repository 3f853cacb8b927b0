export * from './definition-types.js';
export { MIGRATIONS } from './migrations/all-migrations.js';
export type { Migration, MigrationScripts } from './migrations/migration.js';
export { type OpenStoreOptions, openStore } from './open-store.js';
export { PostgresStore, type PostgresStoreOptions } from './postgres/postgres-store.js';
export * from './schedule-types.js';
export { SqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store.js';
export { maskUrl, parseStoreUrl, type StoreLocation } from './store-url.js';
export * from './types.js';
