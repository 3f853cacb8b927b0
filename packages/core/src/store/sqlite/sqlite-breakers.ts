import type BetterSqlite3 from 'better-sqlite3';
import type {
  BreakerState,
  BreakerStateStore,
  VersionedBreakerState,
} from '../../resilience/breaker-state.js';

function prepare(db: BetterSqlite3.Database) {
  return {
    get: db.prepare<[string], { version: number; state: string }>(
      'SELECT version, state FROM breakers WHERE target = ?',
    ),
    insert: db.prepare<[string, string, number]>(
      'INSERT INTO breakers (target, version, state, updated_at) VALUES (?, 1, ?, ?) ON CONFLICT (target) DO NOTHING',
    ),
    update: db.prepare<[string, number, string, number]>(
      'UPDATE breakers SET version = version + 1, state = ?, updated_at = ? WHERE target = ? AND version = ?',
    ),
    list: db.prepare<[], { state: string }>('SELECT state FROM breakers ORDER BY target'),
    delete: db.prepare<[string]>('DELETE FROM breakers WHERE target = ?'),
  };
}

/** Circuit breaker states in the `breakers` table; writes are compare-and-set on `version`. */
export class SqliteBreakers implements BreakerStateStore {
  #s: ReturnType<typeof prepare> | undefined;

  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly guard: <T>(work: () => T) => T,
  ) {}

  /** Prepared on first use: the table exists only after `migrate`. */
  get #q(): ReturnType<typeof prepare> {
    this.#s ??= prepare(this.db);
    return this.#s;
  }

  async get(target: string): Promise<VersionedBreakerState | undefined> {
    const row = this.guard(() => this.#q.get.get(target));
    return row && { state: JSON.parse(row.state) as BreakerState, version: row.version };
  }

  async put(state: BreakerState, version: number): Promise<boolean> {
    const text = JSON.stringify(state);
    return this.guard(() =>
      version === 0
        ? this.#q.insert.run(state.target, text, state.updatedAt).changes === 1
        : this.#q.update.run(text, state.updatedAt, state.target, version).changes === 1,
    );
  }

  async list(): Promise<BreakerState[]> {
    return this.guard(() => this.#q.list.all()).map((row) => JSON.parse(row.state) as BreakerState);
  }

  async delete(target: string): Promise<boolean> {
    return this.guard(() => this.#q.delete.run(target).changes > 0);
  }
}
