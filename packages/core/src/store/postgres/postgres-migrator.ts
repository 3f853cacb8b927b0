import type { Pool } from 'pg';
import type { Migration } from '../migrations/migration.js';
import { latestApplied, MIGRATIONS_TABLE, migrationState, nextPending } from '../migrations/migration.js';
import type { MigrationState } from '../types.js';
import { inTransaction } from './postgres-pool.js';

/** Runs migrations on PostgreSQL, one transaction each, serialised across processes by an advisory lock. */
export class PostgresMigrator {
  constructor(
    private readonly pool: Pool,
    private readonly migrations: readonly Migration[],
  ) {}

  async status(): Promise<MigrationState> {
    const { rows } = await this.pool.query<{ exists: boolean }>(
      `SELECT to_regclass('${MIGRATIONS_TABLE}') IS NOT NULL AS exists`,
    );
    if (!rows[0]?.exists) return migrationState([], this.migrations);
    const applied = await this.pool.query<{ version: number }>(`SELECT version FROM ${MIGRATIONS_TABLE}`);
    return migrationState(
      applied.rows.map((row) => row.version),
      this.migrations,
    );
  }

  async migrate(): Promise<MigrationState> {
    while (await this.step('up', (applied) => nextPending(applied, this.migrations))) {}
    return this.status();
  }

  async rollback(count: number): Promise<MigrationState> {
    for (let i = 0; i < count; i++) {
      if (!(await this.step('down', (applied) => latestApplied(applied, this.migrations)))) break;
    }
    return this.status();
  }

  private step(
    direction: 'up' | 'down',
    pick: (applied: number[]) => Migration | undefined,
  ): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      await client.query(
        `SELECT pg_advisory_xact_lock(hashtext(coalesce(current_schema(), '') || '.${MIGRATIONS_TABLE}'))`,
      );
      await client.query(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
        version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)`);
      const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${MIGRATIONS_TABLE}`);
      const migration = pick(rows.map((row) => row.version));
      if (!migration) return false;
      if (direction === 'up') {
        await client.query(migration.postgres.up);
        await client.query(
          `INSERT INTO ${MIGRATIONS_TABLE} (version, name, applied_at) VALUES ($1, $2, $3)`,
          [migration.version, migration.name, Date.now()],
        );
      } else {
        await client.query(migration.postgres.down);
        await client.query(`DELETE FROM ${MIGRATIONS_TABLE} WHERE version = $1`, [migration.version]);
      }
      return true;
    });
  }
}
