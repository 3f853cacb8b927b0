import type { Pool, QueryConfig, QueryResultRow } from 'pg';
import type { DeadLetterFilter, DeadLetterRecord, ReopenRun } from '../dead-letter-types.js';
import { MIGRATIONS } from '../migrations/all-migrations.js';
import { checkRollbackCount } from '../migrations/migration.js';
import {
  type DocumentRow,
  type EventRow,
  type RunRow,
  type StepRow,
  toDocumentRecord,
  toEventRecord,
  toRunRecord,
  toStepRecord,
} from '../store-rows.js';
import type {
  ClaimOptions,
  CloudEventRecord,
  CommitResult,
  DocumentRecord,
  EventRecord,
  InboxFilter,
  InboxRecord,
  InboxTarget,
  MigrationState,
  NewRunCommand,
  NewWait,
  RunCommandRecord,
  RunFilter,
  RunRecord,
  StepRecord,
  Store,
  TakeEvent,
  WaitFilter,
  WaitRecord,
  WriteBatch,
} from '../types.js';
import { PostgresBreakers } from './postgres-breakers.js';
import { PostgresCache } from './postgres-cache.js';
import { postgresCommands as commands } from './postgres-commands.js';
import { commitPostgresBatch } from './postgres-commit.js';
import { postgresDeadLetters as deadLetters } from './postgres-dead-letters.js';
import { PostgresDefinitions } from './postgres-definitions.js';
import { postgresStoreError } from './postgres-errors.js';
import { PostgresMigrator } from './postgres-migrator.js';
import { PostgresNotifications } from './postgres-notifications.js';
import { connectPostgres, inTransaction, type PostgresStoreOptions } from './postgres-pool.js';
import { PostgresSchedules } from './postgres-schedules.js';
import { PostgresSlots } from './postgres-slots.js';
import { listRunsQuery, PG_STATEMENTS } from './postgres-sql.js';
import { postgresWaits as waits } from './postgres-waits.js';

export type { PostgresStoreOptions } from './postgres-pool.js';

/** Deadlock detected, serialization failure. */
const RETRIABLE_CODES = new Set(['40P01', '40001']);

/** pg has already parsed jsonb columns. */
const parsed = (value: unknown): unknown => value;

/**
 * The PostgreSQL store (pg Pool). Many processes on many machines may share one database;
 * claims are atomic UPDATE ... RETURNING statements.
 * @example const store = await PostgresStore.open({ url: 'postgres://weft@db:5432/weft?schema=weft' });
 */
export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  private readonly migrator: PostgresMigrator;
  private closed = false;
  readonly breakers: PostgresBreakers;
  readonly cache: PostgresCache;
  readonly slots: PostgresSlots;
  readonly notifications: PostgresNotifications;
  readonly definitions: PostgresDefinitions;
  readonly schedules: PostgresSchedules;

  private constructor(
    private readonly pool: Pool,
    /** The URL with its password masked. */
    readonly url: string,
  ) {
    this.migrator = new PostgresMigrator(pool, MIGRATIONS);
    const guard = <T>(work: () => Promise<T>): Promise<T> => this.guard(work);
    this.breakers = new PostgresBreakers(pool, guard);
    this.cache = new PostgresCache(pool, guard);
    this.slots = new PostgresSlots(pool, guard);
    this.notifications = new PostgresNotifications(pool, guard);
    this.definitions = new PostgresDefinitions(pool, guard);
    this.schedules = new PostgresSchedules(pool, guard);
  }

  /** Connects (creating the schema if one is named) without migrating. */
  static async open(options: PostgresStoreOptions | string): Promise<PostgresStore> {
    const { pool, maskedUrl } = await connectPostgres(
      typeof options === 'string' ? { url: options } : options,
    );
    return new PostgresStore(pool, maskedUrl);
  }

  async migrate(): Promise<MigrationState> {
    return this.guard(() => this.migrator.migrate());
  }

  async rollback(count = 1): Promise<MigrationState> {
    checkRollbackCount(count);
    return this.guard(() => this.migrator.rollback(count));
  }

  async migrationStatus(): Promise<MigrationState> {
    return this.guard(() => this.migrator.status());
  }

  async putDocument(doc: DocumentRecord): Promise<void> {
    await this.rows({
      ...PG_STATEMENTS.putDocument,
      values: [doc.hash, doc.name, doc.source, doc.path ?? null, doc.createdAt],
    });
  }

  async getDocument(hash: string): Promise<DocumentRecord | undefined> {
    const [row] = await this.rows<DocumentRow>({ ...PG_STATEMENTS.getDocument, values: [hash] });
    return row && toDocumentRecord(row);
  }

  async commit(batch: WriteBatch): Promise<CommitResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await inTransaction(this.pool, async (client) => {
          const result = await commitPostgresBatch(client, batch);
          if (batch.deadLetters?.length) await deadLetters.insert(client, batch.deadLetters, batch.owner);
          return result;
        });
      } catch (error) {
        // A deadlock (e.g. with a lease renewal touching the same runs) rolled everything back: retry.
        if (attempt < 3 && RETRIABLE_CODES.has((error as { code?: string }).code ?? '')) continue;
        throw postgresStoreError(error, this.url);
      }
    }
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const [row] = await this.rows<RunRow<unknown>>({ ...PG_STATEMENTS.getRun, values: [id] });
    return row && toRunRecord(row, parsed);
  }

  async listRuns(filter: RunFilter = {}): Promise<RunRecord[]> {
    const statuses = filter.status === undefined ? [] : ([] as string[]).concat(filter.status);
    if (Array.isArray(filter.status) && statuses.length === 0) return [];
    const rows = await this.rows<RunRow<unknown>>(listRunsQuery(filter, statuses));
    return rows.map((row) => toRunRecord(row, parsed));
  }

  async getSteps(runId: string): Promise<StepRecord[]> {
    const rows = await this.rows<StepRow<unknown>>({ ...PG_STATEMENTS.getSteps, values: [runId] });
    return rows.map((row) => toStepRecord(row, parsed));
  }

  async getEvents(runId: string, afterSeq = 0, limit?: number): Promise<EventRecord[]> {
    const rows = await this.rows<EventRow<unknown>>({
      ...PG_STATEMENTS.getEvents,
      values: [runId, afterSeq, limit ?? null],
    });
    return rows.map((row) => toEventRecord(row, parsed));
  }

  async claimRun(runId: string, options: ClaimOptions): Promise<RunRecord | undefined> {
    const { owner, leaseMs, now } = options;
    const [row] = await this.rows<RunRow<unknown>>({
      ...PG_STATEMENTS.claimRun,
      values: [owner, now + leaseMs, runId, now, options.deadOwners ?? []],
    });
    return row && toRunRecord(row, parsed);
  }

  async renewLeases(owner: string, leaseMs: number, now: number): Promise<string[]> {
    const rows = await this.rows<{ id: string }>({
      ...PG_STATEMENTS.renewLeases,
      values: [now + leaseMs, owner],
    });
    return rows.map((row) => row.id);
  }

  async releaseRun(runId: string, owner: string): Promise<void> {
    await this.rows({ ...PG_STATEMENTS.releaseRun, values: [runId, owner] });
  }

  async listInterrupted(now: number, deadOwners: readonly string[] = []): Promise<RunRecord[]> {
    const rows = await this.rows<RunRow<unknown>>({
      ...PG_STATEMENTS.listInterrupted,
      values: [now, deadOwners],
    });
    return rows.map((row) => toRunRecord(row, parsed));
  }

  async listOwners(): Promise<string[]> {
    const rows = await this.rows<{ owner: string }>({ ...PG_STATEMENTS.listOwners, values: [] });
    return rows.map((row) => row.owner);
  }

  async openWait(wait: NewWait): Promise<WaitRecord> {
    return this.guard(() => waits.openWait(this.pool, wait));
  }

  async getWait(runId: string, stepKey: string): Promise<WaitRecord | undefined> {
    return this.guard(() => waits.getWait(this.pool, runId, stepKey));
  }

  async getWaitByToken(token: string): Promise<WaitRecord | undefined> {
    return this.guard(() => waits.getWaitByToken(this.pool, token));
  }

  async listWaits(filter: WaitFilter = {}): Promise<WaitRecord[]> {
    return this.guard(() => waits.listWaits(this.pool, filter));
  }

  async closeWait(runId: string, stepKey: string, outcome: unknown): Promise<boolean> {
    return this.guard(() => waits.closeWait(this.pool, runId, stepKey, outcome));
  }

  async putEvent(event: CloudEventRecord, target: InboxTarget): Promise<number> {
    return this.guard(() => waits.putEvent(this.pool, event, target));
  }

  async listInbox(filter: InboxFilter): Promise<InboxRecord[]> {
    return this.guard(() => waits.listInbox(this.pool, filter));
  }

  async takeEvent(take: TakeEvent): Promise<boolean> {
    return this.guard(() => waits.takeEvent(this.pool, take));
  }

  async addRunCommand(command: NewRunCommand, after: number): Promise<RunCommandRecord | undefined> {
    return this.guard(() => commands.add(this.pool, command, after));
  }

  async lastRunCommand(runId: string): Promise<RunCommandRecord | undefined> {
    return this.guard(() => commands.last(this.pool, runId));
  }

  async listPendingCommands(runIds: readonly string[]): Promise<RunCommandRecord[]> {
    return this.guard(() => commands.pending(this.pool, runIds));
  }

  async markCommandsApplied(runId: string, upToId: number, at: number): Promise<void> {
    await this.guard(() => commands.markApplied(this.pool, runId, upToId, at));
  }

  async listDeadLetters(filter: DeadLetterFilter = {}): Promise<DeadLetterRecord[]> {
    return this.guard(() => deadLetters.list(this.pool, filter));
  }

  async getDeadLetter(id: string): Promise<DeadLetterRecord | undefined> {
    return this.guard(() => deadLetters.get(this.pool, id));
  }

  async deleteDeadLetter(id: string): Promise<boolean> {
    return this.guard(() => deadLetters.delete(this.pool, id));
  }

  async purgeDeadLetters(before: number, workflow?: string): Promise<number> {
    return this.guard(() => deadLetters.purge(this.pool, before, workflow));
  }

  async reopenRun(reopen: ReopenRun): Promise<RunRecord | undefined> {
    return this.guard(() => deadLetters.reopen(this.pool, reopen));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private async rows<R extends QueryResultRow>(query: QueryConfig): Promise<R[]> {
    return this.guard(async () => (await this.pool.query<R>(query)).rows);
  }

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw postgresStoreError(error, this.url);
    }
  }
}
