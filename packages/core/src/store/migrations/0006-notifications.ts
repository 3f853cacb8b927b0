import type { Migration } from './migration.js';

/** Notifications (notify/): every delivery attempt, and `delayed` deadlines that outlive a restart. */
export const notifications: Migration = {
  version: 6,
  name: 'notifications',
  sqlite: {
    up: `
      CREATE TABLE notification_deliveries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id TEXT NOT NULL,
        workflow TEXT NOT NULL,
        event TEXT NOT NULL,
        url TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        status TEXT NOT NULL,
        http_status INTEGER,
        error TEXT,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX notification_deliveries_run ON notification_deliveries (run_id, id);
      CREATE TABLE notification_delays (
        run_id TEXT NOT NULL,
        url TEXT NOT NULL,
        workflow TEXT NOT NULL,
        due_at INTEGER NOT NULL,
        fired_at INTEGER,
        PRIMARY KEY (run_id, url)
      );
      CREATE INDEX notification_delays_due ON notification_delays (due_at) WHERE fired_at IS NULL;
    `,
    down: 'DROP TABLE notification_delays; DROP TABLE notification_deliveries;',
  },
  postgres: {
    up: `
      CREATE TABLE notification_deliveries (
        id bigserial PRIMARY KEY,
        run_id text NOT NULL,
        workflow text NOT NULL,
        event text NOT NULL,
        url text NOT NULL,
        attempt integer NOT NULL,
        status text NOT NULL,
        http_status integer,
        error text,
        created_at bigint NOT NULL
      );
      CREATE INDEX notification_deliveries_run ON notification_deliveries (run_id, id);
      CREATE TABLE notification_delays (
        run_id text NOT NULL,
        url text NOT NULL,
        workflow text NOT NULL,
        due_at bigint NOT NULL,
        fired_at bigint,
        PRIMARY KEY (run_id, url)
      );
      CREATE INDEX notification_delays_due ON notification_delays (due_at) WHERE fired_at IS NULL;
    `,
    down: 'DROP TABLE notification_delays; DROP TABLE notification_deliveries;',
  },
};
