import type { Migration } from './migration.js';

/**
 * Run control: pause, resume and cancel requests, written by any process and applied by the run's
 * owner. Each command names the one it follows (`prev_id`, 0 for the first): the unique key makes
 * "add only if nothing came in between" atomic in both dialects, and a run's commands one chain.
 */
export const runCommands: Migration = {
  version: 3,
  name: 'run_commands',
  sqlite: {
    up: `
      CREATE TABLE run_commands (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        prev_id INTEGER NOT NULL,
        kind TEXT NOT NULL,
        requested_by TEXT,
        reason TEXT,
        created_at INTEGER NOT NULL,
        applied_at INTEGER,
        UNIQUE (run_id, prev_id)
      );
      CREATE INDEX run_commands_pending ON run_commands (run_id) WHERE applied_at IS NULL;
    `,
    down: 'DROP TABLE run_commands;',
  },
  postgres: {
    up: `
      CREATE TABLE run_commands (
        id bigserial PRIMARY KEY,
        run_id text NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        prev_id bigint NOT NULL,
        kind text NOT NULL,
        requested_by text,
        reason text,
        created_at bigint NOT NULL,
        applied_at bigint,
        UNIQUE (run_id, prev_id)
      );
      CREATE INDEX run_commands_pending ON run_commands (run_id) WHERE applied_at IS NULL;
    `,
    down: 'DROP TABLE run_commands;',
  },
};
