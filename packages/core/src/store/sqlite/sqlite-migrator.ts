import type BetterSqlite3 from 'better-sqlite3';
import type { Migration } from '../migrations/migration.js';
import { latestApplied, MIGRATIONS_TABLE, migrationState, nextPending } from '../migrations/migration.js';
import type { MigrationState } from '../types.js';

/** Runs migrations on SQLite, one IMMEDIATE transaction each, so two processes never apply one twice. */
export class SqliteMigrator {
  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly migrations: readonly Migration[],
  ) {}

  status(): MigrationState {
    return migrationState(this.applied(), this.migrations);
  }

  migrate(): MigrationState {
    while (this.step((applied) => this.apply(nextPending(applied, this.migrations)))) {}
    return this.status();
  }

  rollback(count: number): MigrationState {
    for (let i = 0; i < count; i++) {
      if (!this.step((applied) => this.revert(latestApplied(applied, this.migrations)))) break;
    }
    return this.status();
  }

  private step(change: (applied: number[]) => boolean): boolean {
    const run = this.db.transaction(() => {
      this.db.exec(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
      return change(this.applied());
    });
    return run.immediate();
  }

  private apply(migration: Migration | undefined): boolean {
    if (!migration) return false;
    this.db.exec(migration.sqlite.up);
    this.db
      .prepare(`INSERT INTO ${MIGRATIONS_TABLE} (version, name, applied_at) VALUES (?, ?, ?)`)
      .run(migration.version, migration.name, Date.now());
    return true;
  }

  private revert(migration: Migration | undefined): boolean {
    if (!migration) return false;
    this.db.exec(migration.sqlite.down);
    this.db.prepare(`DELETE FROM ${MIGRATIONS_TABLE} WHERE version = ?`).run(migration.version);
    return true;
  }

  private applied(): number[] {
    const exists = this.db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
      .pluck()
      .get(MIGRATIONS_TABLE);
    if (!exists) return [];
    return this.db
      .prepare(`SELECT version FROM ${MIGRATIONS_TABLE} ORDER BY version`)
      .pluck()
      .all() as number[];
  }
}
