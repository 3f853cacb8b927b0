import type { Migration } from './migration.js';

/**
 * Resilience state shared by every process on the store (resilience/): circuit breaker states
 * (JSON, written compare-and-set by `version`), cached step results, and concurrency slots (one row
 * per holder or waiter of a key; `seq` is arrival order; a row whose lease expired is dropped).
 */
export const resilience: Migration = {
  version: 5,
  name: 'resilience',
  sqlite: {
    up: `
      CREATE TABLE breakers (
        target TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        state TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE cache_entries (
        key TEXT PRIMARY KEY,
        value TEXT,
        created_at INTEGER NOT NULL,
        expires_at INTEGER
      );
      CREATE INDEX cache_entries_expires_at ON cache_entries (expires_at) WHERE expires_at IS NOT NULL;
      CREATE TABLE slots (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        key TEXT NOT NULL,
        holder TEXT NOT NULL,
        owner TEXT NOT NULL,
        status TEXT NOT NULL,
        queued_at INTEGER NOT NULL,
        acquired_at INTEGER,
        lease_expires_at INTEGER NOT NULL,
        UNIQUE (key, holder)
      );
      CREATE INDEX slots_owner ON slots (owner);
    `,
    down: `
      DROP TABLE slots;
      DROP TABLE cache_entries;
      DROP TABLE breakers;
    `,
  },
  postgres: {
    up: `
      CREATE TABLE breakers (
        target text PRIMARY KEY,
        version bigint NOT NULL,
        state jsonb NOT NULL,
        updated_at bigint NOT NULL
      );
      CREATE TABLE cache_entries (
        key text PRIMARY KEY,
        value jsonb,
        created_at bigint NOT NULL,
        expires_at bigint
      );
      CREATE INDEX cache_entries_expires_at ON cache_entries (expires_at) WHERE expires_at IS NOT NULL;
      CREATE TABLE slots (
        seq bigserial PRIMARY KEY,
        key text NOT NULL,
        holder text NOT NULL,
        owner text NOT NULL,
        status text NOT NULL,
        queued_at bigint NOT NULL,
        acquired_at bigint,
        lease_expires_at bigint NOT NULL,
        UNIQUE (key, holder)
      );
      CREATE INDEX slots_owner ON slots (owner);
    `,
    down: `
      DROP TABLE slots;
      DROP TABLE cache_entries;
      DROP TABLE breakers;
    `,
  },
};
