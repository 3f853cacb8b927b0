import type BetterSqlite3 from 'better-sqlite3';
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

const decode = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : null);

function prepare(db: BetterSqlite3.Database) {
  const statement = <R = unknown>(sql: string) => db.prepare<unknown[], R>(sql);
  return {
    get: statement<VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM definition_versions WHERE kind = ? AND name = ? AND version = ?`,
    ),
    active: statement<VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM definition_versions WHERE kind = ? AND name = ? AND status = 'active'`,
    ),
    latest: statement<VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM definition_versions WHERE kind = ? AND name = ? ORDER BY version DESC LIMIT 1`,
    ),
    versions: statement<VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM definition_versions WHERE kind = ? AND name = ? ORDER BY version`,
    ),
    list: statement<SummaryRow>(summarySql('?')),
    lastNumber: statement<{ last_version: number }>(
      'SELECT last_version FROM definition_names WHERE kind = ? AND name = ?',
    ),
    setNumber: statement(`INSERT INTO definition_names (kind, name, last_version) VALUES (?, ?, ?)
      ON CONFLICT (kind, name) DO UPDATE SET last_version = excluded.last_version`),
    insert: statement(`INSERT INTO definition_versions (${VERSION_COLUMNS})
      VALUES (@kind, @name, @version, @status, @source, @hash, @summary, @origin, @now, @now)`),
    updateDraft: statement(`UPDATE definition_versions SET source = @source, hash = @hash,
      summary = @summary, origin = @origin, updated_at = @now
      WHERE kind = @kind AND name = @name AND version = @version`),
    deprecateActive: statement(`UPDATE definition_versions SET status = 'deprecated', updated_at = ?
      WHERE kind = ? AND name = ? AND status = 'active' AND version <> ?`),
    setStatus: statement(
      'UPDATE definition_versions SET status = ?, updated_at = ? WHERE kind = ? AND name = ? AND version = ?',
    ),
    remove: statement('DELETE FROM definition_versions WHERE kind = ? AND name = ?'),
    runCounts: statement<{ version: number; runs: number }>(
      'SELECT version, COUNT(*) AS runs FROM runs WHERE workflow = ? AND version IS NOT NULL GROUP BY version',
    ),
  };
}

/** The registry's versions in SQLite; every change is one IMMEDIATE transaction. */
export class SqliteDefinitions implements DefinitionStore {
  #s: ReturnType<typeof prepare> | undefined;

  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly guard: <T>(work: () => T) => T,
  ) {}

  // Prepared on first use: the tables exist only once the store is migrated.
  get #q(): ReturnType<typeof prepare> {
    this.#s ??= prepare(this.db);
    return this.#s;
  }

  #row(row: VersionRow | undefined): DefinitionVersion | undefined {
    return row && toVersion(row, decode);
  }

  /** Activating `version` deprecates the one active before; returns that one's number. */
  #deprecateOthers(kind: DefinitionKind, name: string, version: number, now: number): number | null {
    const before = this.#q.active.get(kind, name);
    if (!before || Number(before.version) === version) return null;
    this.#q.deprecateActive.run(now, kind, name, version);
    return Number(before.version);
  }

  async push(push: NewDefinitionVersion): Promise<PushResult> {
    const write = this.db.transaction((): PushResult => {
      const q = this.#q;
      const latest = this.#row(q.latest.get(push.kind, push.name));
      const decision = decidePush(latest, push);
      if (decision.action === 'unchanged') {
        return { version: latest!, created: false, updated: false, deprecated: null };
      }
      const params = { ...push, origin: push.origin === null ? null : JSON.stringify(push.origin) };
      if (decision.action === 'update-draft') {
        q.updateDraft.run({ ...params, version: latest!.version });
        const version = this.#row(q.get.get(push.kind, push.name, latest!.version))!;
        return { version, created: false, updated: true, deprecated: null };
      }
      const last = q.lastNumber.get(push.kind, push.name)?.last_version ?? 0;
      const number = Math.max(decision.version, last + 1);
      const deprecated =
        push.status === 'active' ? this.#deprecateOthers(push.kind, push.name, number, push.now) : null;
      q.insert.run({ ...params, version: number });
      q.setNumber.run(push.kind, push.name, number);
      const version = this.#row(q.get.get(push.kind, push.name, number))!;
      return { version, created: true, updated: false, deprecated };
    });
    return this.guard(() => write.immediate());
  }

  async get(kind: DefinitionKind, name: string, version?: number): Promise<DefinitionVersion | undefined> {
    return this.guard(() =>
      this.#row(
        version === undefined ? this.#q.active.get(kind, name) : this.#q.get.get(kind, name, version),
      ),
    );
  }

  async latest(kind: DefinitionKind, name: string): Promise<DefinitionVersion | undefined> {
    return this.guard(() => this.#row(this.#q.latest.get(kind, name)));
  }

  async list(kind: DefinitionKind): Promise<DefinitionSummary[]> {
    return this.guard(() => this.#q.list.all(kind)).map(toSummary);
  }

  async versions(kind: DefinitionKind, name: string): Promise<DefinitionVersion[]> {
    return this.guard(() => this.#q.versions.all(kind, name)).map((row) => toVersion(row, decode));
  }

  async setStatus(
    kind: DefinitionKind,
    name: string,
    version: number,
    status: VersionStatus,
    now: number,
  ): Promise<{ version: DefinitionVersion; deprecated: number | null }> {
    const write = this.db.transaction(() => {
      checkStatusChange(this.#row(this.#q.get.get(kind, name, version)), { kind, name, version, status });
      const deprecated = status === 'active' ? this.#deprecateOthers(kind, name, version, now) : null;
      this.#q.setStatus.run(status, now, kind, name, version);
      return { version: this.#row(this.#q.get.get(kind, name, version))!, deprecated };
    });
    return this.guard(() => write.immediate());
  }

  async remove(kind: DefinitionKind, name: string): Promise<number> {
    return this.guard(() => this.#q.remove.run(kind, name).changes);
  }

  async runCounts(workflow: string): Promise<Map<number, number>> {
    const rows = this.guard(() => this.#q.runCounts.all(workflow));
    return new Map(rows.map((row) => [Number(row.version), Number(row.runs)]));
  }
}
