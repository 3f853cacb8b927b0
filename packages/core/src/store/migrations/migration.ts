import { WeftError } from '../../errors.js';
import type { MigrationState } from '../types.js';

export interface MigrationScripts {
  up: string;
  down: string;
}

/** One schema change, written for both dialects. Versions are consecutive from 1 and never reused. */
export interface Migration {
  version: number;
  name: string;
  sqlite: MigrationScripts;
  postgres: MigrationScripts;
}

export const MIGRATIONS_TABLE = 'weft_migrations';

export function migrationState(applied: readonly number[], migrations: readonly Migration[]): MigrationState {
  const done = new Set(applied);
  return {
    applied: [...applied].sort((a, b) => a - b),
    pending: migrations.filter((m) => !done.has(m.version)).map((m) => m.version),
    latest: migrations.at(-1)?.version ?? 0,
  };
}

/** The oldest migration not yet applied, or undefined when the schema is current. */
export function nextPending(
  applied: readonly number[],
  migrations: readonly Migration[],
): Migration | undefined {
  const done = new Set(applied);
  return migrations.find((m) => !done.has(m.version));
}

/** The newest applied migration, to roll back; throws when the database is newer than this code. */
export function latestApplied(
  applied: readonly number[],
  migrations: readonly Migration[],
): Migration | undefined {
  if (applied.length === 0) return undefined;
  const version = Math.max(...applied);
  const migration = migrations.find((m) => m.version === version);
  if (!migration) {
    throw new WeftError(
      'store_error',
      `Cannot roll back migration ${version}: this version of Weft knows migrations 1..${migrations.at(-1)?.version ?? 0}; use the newer Weft that applied it`,
    );
  }
  return migration;
}

export function checkRollbackCount(count: number): void {
  if (!Number.isInteger(count) || count < 0) {
    throw new WeftError('store_error', `Expected \`count\` to be a non-negative integer, got ${count}`);
  }
}
