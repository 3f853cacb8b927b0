import type { Pool } from 'pg';
import type {
  BreakerState,
  BreakerStateStore,
  VersionedBreakerState,
} from '../../resilience/breaker-state.js';

const Q = {
  get: { name: 'weft_breaker_get', text: 'SELECT version, state FROM breakers WHERE target = $1' },
  insert: {
    name: 'weft_breaker_insert',
    text: `INSERT INTO breakers (target, version, state, updated_at) VALUES ($1, 1, $2::jsonb, $3)
      ON CONFLICT (target) DO NOTHING`,
  },
  update: {
    name: 'weft_breaker_update',
    text: `UPDATE breakers SET version = version + 1, state = $1::jsonb, updated_at = $2
      WHERE target = $3 AND version = $4`,
  },
  list: { name: 'weft_breaker_list', text: 'SELECT state FROM breakers ORDER BY target' },
  delete: { name: 'weft_breaker_delete', text: 'DELETE FROM breakers WHERE target = $1' },
};

/** Circuit breaker states in the `breakers` table; writes are compare-and-set on `version`. */
export class PostgresBreakers implements BreakerStateStore {
  constructor(
    private readonly pool: Pool,
    private readonly guard: <T>(work: () => Promise<T>) => Promise<T>,
  ) {}

  async get(target: string): Promise<VersionedBreakerState | undefined> {
    const { rows } = await this.guard(() =>
      this.pool.query<{ version: number; state: BreakerState }>({ ...Q.get, values: [target] }),
    );
    const row = rows[0];
    return row && { state: row.state, version: Number(row.version) };
  }

  async put(state: BreakerState, version: number): Promise<boolean> {
    const text = JSON.stringify(state);
    const result = await this.guard(() =>
      version === 0
        ? this.pool.query({ ...Q.insert, values: [state.target, text, state.updatedAt] })
        : this.pool.query({ ...Q.update, values: [text, state.updatedAt, state.target, version] }),
    );
    return result.rowCount === 1;
  }

  async list(): Promise<BreakerState[]> {
    const { rows } = await this.guard(() =>
      this.pool.query<{ state: BreakerState }>({ ...Q.list, values: [] }),
    );
    return rows.map((row) => row.state);
  }

  async delete(target: string): Promise<boolean> {
    const result = await this.guard(() => this.pool.query({ ...Q.delete, values: [target] }));
    return (result.rowCount ?? 0) > 0;
  }
}
