import type { Migration } from './migration.js';

/**
 * The dead-letter queue: one row per step that failed for good (SPEC section 4). No foreign key
 * to runs: an entry outlives its run, and replaying it then says the run is gone.
 * (run_id, step_key, attempt) is unique: a batch committed twice writes one entry.
 */
export const deadLetters: Migration = {
  version: 4,
  name: 'dead-letters',
  sqlite: {
    up: `
      CREATE TABLE dlq (
        id TEXT PRIMARY KEY,
        workflow TEXT NOT NULL,
        version INTEGER,
        run_id TEXT NOT NULL,
        step_key TEXT NOT NULL,
        step_id TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        input TEXT,
        error TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        UNIQUE (run_id, step_key, attempt)
      );
      CREATE INDEX dlq_created_at ON dlq (created_at);
      CREATE INDEX dlq_workflow_created_at ON dlq (workflow, created_at);
    `,
    down: `
      DROP TABLE dlq;
    `,
  },
  postgres: {
    up: `
      CREATE TABLE dlq (
        id text PRIMARY KEY,
        workflow text NOT NULL,
        version integer,
        run_id text NOT NULL,
        step_key text NOT NULL,
        step_id text NOT NULL,
        attempt integer NOT NULL,
        input jsonb,
        error jsonb NOT NULL,
        attempts integer NOT NULL,
        created_at bigint NOT NULL,
        UNIQUE (run_id, step_key, attempt)
      );
      CREATE INDEX dlq_created_at ON dlq (created_at);
      CREATE INDEX dlq_workflow_created_at ON dlq (workflow, created_at);
    `,
    down: `
      DROP TABLE dlq;
    `,
  },
};
