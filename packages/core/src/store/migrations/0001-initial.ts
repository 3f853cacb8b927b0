import type { Migration } from './migration.js';

/** Documents, runs, steps and events. Times are ms since the epoch; JSON is TEXT (SQLite) or jsonb. */
export const initial: Migration = {
  version: 1,
  name: 'initial',
  sqlite: {
    up: `
      CREATE TABLE documents (
        hash TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        source TEXT NOT NULL,
        path TEXT,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        workflow TEXT NOT NULL,
        version INTEGER,
        document_hash TEXT NOT NULL,
        status TEXT NOT NULL,
        input TEXT,
        output TEXT,
        error TEXT,
        parent_run_id TEXT,
        created_at INTEGER NOT NULL,
        started_at INTEGER,
        ended_at INTEGER,
        deadline_at INTEGER,
        owner TEXT,
        lease_expires_at INTEGER,
        last_seq INTEGER NOT NULL DEFAULT 0,
        meta TEXT
      );
      CREATE INDEX runs_created_at ON runs (created_at);
      CREATE INDEX runs_workflow_created_at ON runs (workflow, created_at);
      CREATE INDEX runs_status ON runs (status);
      CREATE INDEX runs_parent_run_id ON runs (parent_run_id);
      CREATE INDEX runs_owner ON runs (owner);
      CREATE TABLE steps (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        step_key TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        step_id TEXT NOT NULL,
        type TEXT NOT NULL,
        status TEXT NOT NULL,
        started_at INTEGER,
        ended_at INTEGER,
        input TEXT,
        output TEXT,
        error TEXT,
        meta TEXT,
        PRIMARY KEY (run_id, step_key, attempt)
      );
      -- WITHOUT ROWID: events are small and read by (run_id, seq), so one b-tree instead of table + index.
      CREATE TABLE events (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        type TEXT NOT NULL,
        time INTEGER NOT NULL,
        step_key TEXT,
        data TEXT,
        PRIMARY KEY (run_id, seq)
      ) WITHOUT ROWID;
    `,
    down: `
      DROP TABLE events;
      DROP TABLE steps;
      DROP TABLE runs;
      DROP TABLE documents;
    `,
  },
  postgres: {
    up: `
      CREATE TABLE documents (
        hash text PRIMARY KEY,
        name text NOT NULL,
        source text NOT NULL,
        path text,
        created_at bigint NOT NULL
      );
      CREATE TABLE runs (
        id text PRIMARY KEY,
        workflow text NOT NULL,
        version integer,
        document_hash text NOT NULL,
        status text NOT NULL,
        input jsonb,
        output jsonb,
        error jsonb,
        parent_run_id text,
        created_at bigint NOT NULL,
        started_at bigint,
        ended_at bigint,
        deadline_at bigint,
        owner text,
        lease_expires_at bigint,
        last_seq bigint NOT NULL DEFAULT 0,
        meta jsonb
      );
      CREATE INDEX runs_created_at ON runs (created_at);
      CREATE INDEX runs_workflow_created_at ON runs (workflow, created_at);
      CREATE INDEX runs_status ON runs (status);
      CREATE INDEX runs_parent_run_id ON runs (parent_run_id);
      CREATE INDEX runs_owner ON runs (owner);
      CREATE TABLE steps (
        run_id text NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        step_key text NOT NULL,
        attempt integer NOT NULL,
        step_id text NOT NULL,
        type text NOT NULL,
        status text NOT NULL,
        started_at bigint,
        ended_at bigint,
        input jsonb,
        output jsonb,
        error jsonb,
        meta jsonb,
        PRIMARY KEY (run_id, step_key, attempt)
      );
      CREATE TABLE events (
        run_id text NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        seq bigint NOT NULL,
        type text NOT NULL,
        time bigint NOT NULL,
        step_key text,
        data jsonb,
        PRIMARY KEY (run_id, seq)
      );
    `,
    down: `
      DROP TABLE events;
      DROP TABLE steps;
      DROP TABLE runs;
      DROP TABLE documents;
    `,
  },
};
