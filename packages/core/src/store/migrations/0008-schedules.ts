import type { Migration } from './migration.js';

const TABLES = (t: { int: string; text: string; json: string }) => `
  CREATE TABLE schedules (
    name ${t.text} PRIMARY KEY,
    workflow ${t.text} NOT NULL,
    kind ${t.text} NOT NULL,
    spec ${t.text} NOT NULL,
    tz ${t.text},
    input ${t.json},
    overlap ${t.text} NOT NULL,
    max_concurrent integer NOT NULL,
    misfire ${t.text} NOT NULL,
    pause_after_failures integer,
    status ${t.text} NOT NULL,
    pause_reason ${t.text},
    consecutive_failures integer NOT NULL DEFAULT 0,
    next_fire_at ${t.int},
    created_at ${t.int} NOT NULL,
    updated_at ${t.int} NOT NULL
  );
  CREATE INDEX schedules_due ON schedules (next_fire_at) WHERE status = 'active';
  CREATE TABLE schedule_fires (
    schedule ${t.text} NOT NULL,
    fired_at ${t.int} NOT NULL,
    run_id ${t.text},
    status ${t.text} NOT NULL,
    reason ${t.text},
    started_at ${t.int},
    ended_at ${t.int},
    PRIMARY KEY (schedule, fired_at)
  );
  CREATE INDEX schedule_fires_open ON schedule_fires (schedule, fired_at) WHERE status IN ('queued', 'running');
`;

const DOWN = `
  DROP TABLE schedule_fires;
  DROP TABLE schedules;
`;

/**
 * The scheduler (scheduler/): schedules, and one row per fire. The primary key (schedule, fired_at)
 * is the last guard that a due fire is recorded once, whichever process claims it.
 */
export const schedules: Migration = {
  version: 8,
  name: 'schedules',
  sqlite: { up: TABLES({ int: 'INTEGER', text: 'TEXT', json: 'TEXT' }), down: DOWN },
  postgres: { up: TABLES({ int: 'bigint', text: 'text', json: 'jsonb' }), down: DOWN },
};
