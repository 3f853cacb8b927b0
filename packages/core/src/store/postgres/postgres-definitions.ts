import type { Pool, PoolClient } from 'pg';
import {
  checkStatusChange,
  decidePush,
  type SummaryRow,
  summarySql,
  toSummary,
  toVersion,
  VERSION_COLUMNS,
  type VersionRow,
} from '../definition-rows.js';
import type {
  DefinitionKind,
  DefinitionStore,
  DefinitionSummary,
  DefinitionVersion,
  NewDefinitionVersion,
  PushResult,
  VersionStatus,
} from '../definition-types.js';
import { inTransaction } from './postgres-pool.js';

/** pg has already parsed jsonb columns. */
const decode = (value: unknown): unknown => value ?? null;

const SELECT = `SELECT ${VERSION_COLUMNS} FROM definition_versions WHERE kind = $1 AND name = $2`;

const Q = {
  get: { name: 'weft_definition_get', text: `${SELECT} AND version = $3` },
  active: { name: 'weft_definition_active', text: `${SELECT} AND status = 'active'` },
  latest: { name: 'weft_definition_latest', text: `${SELECT} ORDER BY version DESC LIMIT 1` },
  versions: { name: 'weft_definition_versions', text: `${SELECT} ORDER BY version` },
  list: { name: 'weft_definition_list', text: summarySql('$1') },
  // Creates the name's row if needed, then locks it: pushes of one name wait for each other.
  lockName: {
    name: 'weft_definition_lock',
    text: `INSERT INTO definition_names (kind, name, last_version) VALUES ($1, $2, 0)
      ON CONFLICT (kind, name) DO UPDATE SET last_version = definition_names.last_version
      RETURNING last_version`,
  },
  setNumber: {
    name: 'weft_definition_number',
    text: 'UPDATE definition_names SET last_version = $3 WHERE kind = $1 AND name = $2',
  },
  insert: {
    name: 'weft_definition_insert',
    text: `INSERT INTO definition_versions (${VERSION_COLUMNS})
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`,
  },
  updateDraft: {
    name: 'weft_definition_update_draft',
    text: `UPDATE definition_versions SET source = $4, hash = $5, summary = $6, origin = $7, updated_at = $8
      WHERE kind = $1 AND name = $2 AND version = $3`,
  },
  deprecateActive: {
    name: 'weft_definition_deprecate',
    text: `UPDATE definition_versions SET status = 'deprecated', updated_at = $4
      WHERE kind = $1 AND name = $2 AND status = 'active' AND version <> $3`,
  },
  setStatus: {
    name: 'weft_definition_status',
    text: 'UPDATE definition_versions SET status = $4, updated_at = $5 WHERE kind = $1 AND name = $2 AND version = $3',
  },
  remove: {
    name: 'weft_definition_remove',
    text: 'DELETE FROM definition_versions WHERE kind = $1 AND name = $2',
  },
  runCounts: {
    name: 'weft_definition_run_counts',
    text: 'SELECT version, COUNT(*) AS runs FROM runs WHERE workflow = $1 AND version IS NOT NULL GROUP BY version',
  },
} as const;

/** The registry's versions in PostgreSQL; a change locks the definition's name row first. */
export class PostgresDefinitions implements DefinitionStore {
  constructor(
    private readonly pool: Pool,
    private readonly guard: <T>(work: () => Promise<T>) => Promise<T>,
  ) {}

  async #one(
    db: Pool | PoolClient,
    query: { name: string; text: string },
    values: unknown[],
  ): Promise<DefinitionVersion | undefined> {
    const { rows } = await db.query<VersionRow>({ ...query, values });
    return rows[0] && toVersion(rows[0], decode);
  }

  async #lock(client: PoolClient, kind: DefinitionKind, name: string): Promise<number> {
    const { rows } = await client.query<{ last_version: number }>({ ...Q.lockName, values: [kind, name] });
    return Number(rows[0]!.last_version);
  }

  async #deprecateOthers(
    client: PoolClient,
    kind: DefinitionKind,
    name: string,
    version: number,
    now: number,
  ): Promise<number | null> {
    const before = await this.#one(client, Q.active, [kind, name]);
    if (!before || before.version === version) return null;
    await client.query({ ...Q.deprecateActive, values: [kind, name, version, now] });
    return before.version;
  }

  async push(push: NewDefinitionVersion): Promise<PushResult> {
    const { kind, name } = push;
    return this.guard(() =>
      inTransaction(this.pool, async (client): Promise<PushResult> => {
        const last = await this.#lock(client, kind, name);
        const latest = await this.#one(client, Q.latest, [kind, name]);
        const decision = decidePush(latest, push);
        if (decision.action === 'unchanged') {
          return { version: latest!, created: false, updated: false, deprecated: null };
        }
        if (decision.action === 'update-draft') {
          const values = [
            kind,
            name,
            latest!.version,
            push.source,
            push.hash,
            push.summary,
            push.origin,
            push.now,
          ];
          await client.query({ ...Q.updateDraft, values });
          const version = (await this.#one(client, Q.get, [kind, name, latest!.version]))!;
          return { version, created: false, updated: true, deprecated: null };
        }
        const number = Math.max(decision.version, last + 1);
        const deprecated =
          push.status === 'active' ? await this.#deprecateOthers(client, kind, name, number, push.now) : null;
        const values = [
          kind,
          name,
          number,
          push.status,
          push.source,
          push.hash,
          push.summary,
          push.origin,
          push.now,
        ];
        await client.query({ ...Q.insert, values });
        await client.query({ ...Q.setNumber, values: [kind, name, number] });
        const version = (await this.#one(client, Q.get, [kind, name, number]))!;
        return { version, created: true, updated: false, deprecated };
      }),
    );
  }

  async get(kind: DefinitionKind, name: string, version?: number): Promise<DefinitionVersion | undefined> {
    return this.guard(() =>
      version === undefined
        ? this.#one(this.pool, Q.active, [kind, name])
        : this.#one(this.pool, Q.get, [kind, name, version]),
    );
  }

  async latest(kind: DefinitionKind, name: string): Promise<DefinitionVersion | undefined> {
    return this.guard(() => this.#one(this.pool, Q.latest, [kind, name]));
  }

  async list(kind: DefinitionKind): Promise<DefinitionSummary[]> {
    const { rows } = await this.guard(() => this.pool.query<SummaryRow>({ ...Q.list, values: [kind] }));
    return rows.map(toSummary);
  }

  async versions(kind: DefinitionKind, name: string): Promise<DefinitionVersion[]> {
    const values = [kind, name];
    const { rows } = await this.guard(() => this.pool.query<VersionRow>({ ...Q.versions, values }));
    return rows.map((row) => toVersion(row, decode));
  }

  async setStatus(
    kind: DefinitionKind,
    name: string,
    version: number,
    status: VersionStatus,
    now: number,
  ): Promise<{ version: DefinitionVersion; deprecated: number | null }> {
    return this.guard(() =>
      inTransaction(this.pool, async (client) => {
        await this.#lock(client, kind, name);
        const current = await this.#one(client, Q.get, [kind, name, version]);
        checkStatusChange(current, { kind, name, version, status });
        const deprecated =
          status === 'active' ? await this.#deprecateOthers(client, kind, name, version, now) : null;
        await client.query({ ...Q.setStatus, values: [kind, name, version, status, now] });
        return { version: (await this.#one(client, Q.get, [kind, name, version]))!, deprecated };
      }),
    );
  }

  async remove(kind: DefinitionKind, name: string): Promise<number> {
    const result = await this.guard(() => this.pool.query({ ...Q.remove, values: [kind, name] }));
    return result.rowCount ?? 0;
  }

  async runCounts(workflow: string): Promise<Map<number, number>> {
    const { rows } = await this.guard(() =>
      this.pool.query<{ version: number; runs: string }>({ ...Q.runCounts, values: [workflow] }),
    );
    return new Map(rows.map((row) => [Number(row.version), Number(row.runs)]));
  }
}
