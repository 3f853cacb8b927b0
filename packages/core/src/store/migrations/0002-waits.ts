import type { Migration } from './migration.js';

/**
 * Durable waits (timers, events, approvals) and the event inbox. A wait is keyed by its step
 * (run_id, step_key) and ends once (status open -> done, with its outcome). Inbox rows are events
 * kept for a run (step_key NULL) or for one waiting step (sent to its token, or a copy of an event
 * sent by type) until a step takes them.
 */
export const waits: Migration = {
  version: 2,
  name: 'waits',
  sqlite: {
    up: `
      CREATE TABLE waits (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        step_key TEXT NOT NULL,
        kind TEXT NOT NULL,
        token TEXT NOT NULL UNIQUE,
        event_type TEXT,
        until_at INTEGER,
        created_at INTEGER NOT NULL,
        status TEXT NOT NULL,
        outcome TEXT,
        details TEXT,
        PRIMARY KEY (run_id, step_key)
      );
      CREATE INDEX waits_open_event_type ON waits (event_type) WHERE status = 'open';
      CREATE INDEX waits_open_until ON waits (until_at) WHERE status = 'open';
      CREATE TABLE inbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        step_key TEXT,
        event_id TEXT NOT NULL,
        type TEXT NOT NULL,
        source TEXT NOT NULL,
        time TEXT NOT NULL,
        data TEXT,
        extensions TEXT,
        received_at INTEGER NOT NULL,
        taken_by_step TEXT,
        taken_at INTEGER
      );
      CREATE INDEX inbox_pending ON inbox (run_id, type) WHERE taken_by_step IS NULL;
    `,
    down: `
      DROP TABLE inbox;
      DROP TABLE waits;
    `,
  },
  postgres: {
    up: `
      CREATE TABLE waits (
        run_id text NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        step_key text NOT NULL,
        kind text NOT NULL,
        token text NOT NULL UNIQUE,
        event_type text,
        until_at bigint,
        created_at bigint NOT NULL,
        status text NOT NULL,
        outcome jsonb,
        details jsonb,
        PRIMARY KEY (run_id, step_key)
      );
      CREATE INDEX waits_open_event_type ON waits (event_type) WHERE status = 'open';
      CREATE INDEX waits_open_until ON waits (until_at) WHERE status = 'open';
      CREATE TABLE inbox (
        id bigserial PRIMARY KEY,
        run_id text NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        step_key text,
        event_id text NOT NULL,
        type text NOT NULL,
        source text NOT NULL,
        time text NOT NULL,
        data jsonb,
        extensions jsonb,
        received_at bigint NOT NULL,
        taken_by_step text,
        taken_at bigint
      );
      CREATE INDEX inbox_pending ON inbox (run_id, type) WHERE taken_by_step IS NULL;
    `,
    down: `
      DROP TABLE inbox;
      DROP TABLE waits;
    `,
  },
};
