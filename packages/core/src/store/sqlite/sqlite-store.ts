import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import Database from 'better-sqlite3';
import { WeftError } from '../../errors.js';
import type { DeadLetterFilter, DeadLetterRecord, ReopenRun } from '../dead-letter-types.js';
import { MIGRATIONS } from '../migrations/all-migrations.js';
import { checkRollbackCount } from '../migrations/migration.js';
import {
  decodeJson,
  type RunRow,
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
import { SqliteBreakers } from './sqlite-breakers.js';
import { SqliteCache } from './sqlite-cache.js';
import { SqliteCommands } from './sqlite-commands.js';
import { commitSqliteBatch } from './sqlite-commit.js';
import { SqliteDeadLetters } from './sqlite-dead-letters.js';
import { SqliteDefinitions } from './sqlite-definitions.js';
import { sqliteStoreError } from './sqlite-errors.js';
import { SqliteMigrator } from './sqlite-migrator.js';
import { SqliteNotifications } from './sqlite-notifications.js';
import { SqliteSchedules } from './sqlite-schedules.js';
import { SqliteSlots } from './sqlite-slots.js';
import { listRunsSql, prepareSqliteStatements, type SqliteStatements } from './sqlite-statements.js';
import { SqliteWaits } from './sqlite-waits.js';

export interface SqliteStoreOptions {
  /** How long a write waits for another connection's lock before failing; default 5000. */
  busyTimeoutMs?: number;
}

const NO_OWNERS = '[]';

/**
 * The SQLite store (better-sqlite3, WAL, synchronous=NORMAL). Several processes may share one file;
 * leases keep them from running the same run.
 * @example const store = SqliteStore.open('/app/.weft/weft.db'); await store.migrate();
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private statements: SqliteStatements | undefined;
  private waitStatements: SqliteWaits | undefined;
  private deadLetterStatements: SqliteDeadLetters | undefined;
  private commandStatements: SqliteCommands | undefined;
  private readonly listRunsStatements = new Map<string, BetterSqlite3.Statement<unknown[], RunRow<string>>>();
  private readonly commitTx: BetterSqlite3.Transaction<(batch: WriteBatch) => CommitResult>;
  private readonly migrator: SqliteMigrator;
  readonly breakers: SqliteBreakers;
  readonly cache: SqliteCache;
  readonly slots: SqliteSlots;
  readonly notifications: SqliteNotifications;
  readonly definitions: SqliteDefinitions;
  readonly schedules: SqliteSchedules;

  private constructor(
    private readonly db: BetterSqlite3.Database,
    /** Absolute path of the database file, or `:memory:`. */
    readonly filename: string,
    private readonly busyTimeoutMs: number,
  ) {
    this.commitTx = db.transaction((batch: WriteBatch) => {
      const result = commitSqliteBatch(this.s, batch);
      if (batch.deadLetters?.length) this.d.insert(batch.deadLetters, batch.owner);
      return result;
    });
    this.migrator = new SqliteMigrator(db, MIGRATIONS);
    const guard = <T>(work: () => T): T => this.guard(work);
    this.breakers = new SqliteBreakers(db, guard);
    this.cache = new SqliteCache(db, guard);
    this.slots = new SqliteSlots(db, guard);
    this.notifications = new SqliteNotifications(db, guard);
    this.definitions = new SqliteDefinitions(db, guard);
    this.schedules = new SqliteSchedules(db, guard);
  }

  /** Opens (creating the file and its directory if missing) without migrating. */
  static open(filename: string, options: SqliteStoreOptions = {}): SqliteStore {
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    if (filename !== ':memory:') prepareLocation(filename);
    let db: BetterSqlite3.Database | undefined;
    try {
      // `timeout` is SQLite's busy_timeout: how long a write waits for another connection's lock.
      db = new Database(filename, { timeout: busyTimeoutMs });
      // Reads the header: a file that is not a database fails here, not at the first commit.
      if (filename !== ':memory:') db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      // Checkpoints (two fsyncs each) every ~40 MB of WAL instead of ~4 MB: a third off a small commit.
      db.pragma('wal_autocheckpoint = 10000');
      db.pragma('foreign_keys = ON');
      return new SqliteStore(db, filename, busyTimeoutMs);
    } catch (error) {
      db?.close();
      throw sqliteStoreError(error, filename, busyTimeoutMs);
    }
  }

  async migrate(): Promise<MigrationState> {
    return this.guard(() => this.changeSchema(() => this.migrator.migrate()));
  }

  async rollback(count = 1): Promise<MigrationState> {
    checkRollbackCount(count);
    return this.guard(() => this.changeSchema(() => this.migrator.rollback(count)));
  }

  async migrationStatus(): Promise<MigrationState> {
    return this.guard(() => this.migrator.status());
  }

  async putDocument(doc: DocumentRecord): Promise<void> {
    this.guard(() => this.s.putDocument.run(doc.hash, doc.name, doc.source, doc.path ?? null, doc.createdAt));
  }

  async getDocument(hash: string): Promise<DocumentRecord | undefined> {
    const row = this.guard(() => this.s.getDocument.get(hash));
    return row && toDocumentRecord(row);
  }

  async commit(batch: WriteBatch): Promise<CommitResult> {
    try {
      return this.commitTx.immediate(batch);
    } catch (error) {
      throw sqliteStoreError(error, this.filename, this.busyTimeoutMs);
    }
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const row = this.guard(() => this.s.getRun.get(id));
    return row && toRunRecord(row, decodeJson);
  }

  async listRuns(filter: RunFilter = {}): Promise<RunRecord[]> {
    const statuses = filter.status === undefined ? [] : ([] as string[]).concat(filter.status);
    if (Array.isArray(filter.status) && statuses.length === 0) return [];
    const params: unknown[] = [];
    if (filter.workflow !== undefined) params.push(filter.workflow);
    params.push(...statuses);
    if (filter.parentRunId !== undefined) params.push(filter.parentRunId);
    if (filter.before !== undefined) params.push(filter.before);
    params.push(filter.limit ?? 50);
    const rows = this.guard(() => this.listRunsStatement(filter, statuses.length).all(...params));
    return rows.map((row) => toRunRecord(row, decodeJson));
  }

  async getSteps(runId: string): Promise<StepRecord[]> {
    return this.guard(() => this.s.getSteps.all(runId)).map((row) => toStepRecord(row, decodeJson));
  }

  async getEvents(runId: string, afterSeq = 0, limit?: number): Promise<EventRecord[]> {
    const rows = this.guard(() => this.s.getEvents.all(runId, afterSeq, limit ?? -1));
    return rows.map((row) => toEventRecord(row, decodeJson));
  }

  async claimRun(runId: string, options: ClaimOptions): Promise<RunRecord | undefined> {
    const { owner, leaseMs, now } = options;
    const dead = options.deadOwners?.length ? JSON.stringify(options.deadOwners) : NO_OWNERS;
    const row = this.guard(() => this.s.claimRun.get(owner, now + leaseMs, runId, owner, now, dead));
    return row && toRunRecord(row, decodeJson);
  }

  async renewLeases(owner: string, leaseMs: number, now: number): Promise<string[]> {
    return this.guard(() => this.s.renewLeases.all(now + leaseMs, owner));
  }

  async releaseRun(runId: string, owner: string): Promise<void> {
    this.guard(() => this.s.releaseRun.run(runId, owner));
  }

  async listInterrupted(now: number, deadOwners: readonly string[] = []): Promise<RunRecord[]> {
    const dead = deadOwners.length ? JSON.stringify(deadOwners) : NO_OWNERS;
    return this.guard(() => this.s.listInterrupted.all(now, dead)).map((row) => toRunRecord(row, decodeJson));
  }

  async listOwners(): Promise<string[]> {
    return this.guard(() => this.s.listOwners.all());
  }

  async openWait(wait: NewWait): Promise<WaitRecord> {
    return this.guard(() => this.w.openWait(wait));
  }

  async getWait(runId: string, stepKey: string): Promise<WaitRecord | undefined> {
    return this.guard(() => this.w.getWait(runId, stepKey));
  }

  async getWaitByToken(token: string): Promise<WaitRecord | undefined> {
    return this.guard(() => this.w.getWaitByToken(token));
  }

  async listWaits(filter: WaitFilter = {}): Promise<WaitRecord[]> {
    return this.guard(() => this.w.listWaits(filter));
  }

  async closeWait(runId: string, stepKey: string, outcome: unknown): Promise<boolean> {
    return this.guard(() => this.w.closeWait(runId, stepKey, outcome));
  }

  async putEvent(event: CloudEventRecord, target: InboxTarget): Promise<number> {
    return this.guard(() => this.w.putEvent(event, target));
  }

  async listInbox(filter: InboxFilter): Promise<InboxRecord[]> {
    return this.guard(() => this.w.listInbox(filter));
  }

  async takeEvent(take: TakeEvent): Promise<boolean> {
    return this.guard(() => this.w.takeEvent(take));
  }

  async addRunCommand(command: NewRunCommand, after: number): Promise<RunCommandRecord | undefined> {
    return this.guard(() => this.c.add(command, after));
  }

  async lastRunCommand(runId: string): Promise<RunCommandRecord | undefined> {
    return this.guard(() => this.c.last(runId));
  }

  async listPendingCommands(runIds: readonly string[]): Promise<RunCommandRecord[]> {
    return this.guard(() => this.c.pending(runIds));
  }

  async markCommandsApplied(runId: string, upToId: number, at: number): Promise<void> {
    this.guard(() => this.c.markApplied(runId, upToId, at));
  }

  async listDeadLetters(filter: DeadLetterFilter = {}): Promise<DeadLetterRecord[]> {
    return this.guard(() => this.d.list(filter));
  }

  async getDeadLetter(id: string): Promise<DeadLetterRecord | undefined> {
    return this.guard(() => this.d.get(id));
  }

  async deleteDeadLetter(id: string): Promise<boolean> {
    return this.guard(() => this.d.delete(id));
  }

  async purgeDeadLetters(before: number, workflow?: string): Promise<number> {
    return this.guard(() => this.d.purge(before, workflow));
  }

  async reopenRun(reopen: ReopenRun): Promise<RunRecord | undefined> {
    return this.guard(() => this.d.reopen(reopen));
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /** The prepared statements, prepared on first use (the tables exist only after migrate). */
  private get s(): SqliteStatements {
    this.statements ??= prepareSqliteStatements(this.db);
    return this.statements;
  }

  /** The wait and inbox statements, prepared on first use like `s`. */
  private get w(): SqliteWaits {
    this.waitStatements ??= new SqliteWaits(this.db);
    return this.waitStatements;
  }

  /** The run-control statements, prepared on first use like `s`. */
  private get c(): SqliteCommands {
    this.commandStatements ??= new SqliteCommands(this.db);
    return this.commandStatements;
  }

  /** The dead-letter statements, prepared on first use like `s`. */
  private get d(): SqliteDeadLetters {
    this.deadLetterStatements ??= new SqliteDeadLetters(this.db);
    return this.deadLetterStatements;
  }

  private listRunsStatement(filter: RunFilter, statusCount: number) {
    const sql = listRunsSql(filter, statusCount);
    let statement = this.listRunsStatements.get(sql);
    if (!statement) {
      statement = this.db.prepare<unknown[], RunRow<string>>(sql);
      this.listRunsStatements.set(sql, statement);
    }
    return statement;
  }

  private changeSchema(change: () => MigrationState): MigrationState {
    this.statements = undefined;
    this.waitStatements = undefined;
    this.deadLetterStatements = undefined;
    this.commandStatements = undefined;
    this.listRunsStatements.clear();
    return change();
  }

  private guard<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw sqliteStoreError(error, this.filename, this.busyTimeoutMs);
    }
  }
}

/** Creates the parent directory; refuses a directory where the database file should be. */
function prepareLocation(filename: string): void {
  const existing = statSync(filename, { throwIfNoEntry: false });
  if (existing?.isDirectory()) {
    throw new WeftError('store_error', `${filename} is a directory; expected a SQLite database file path`);
  }
  try {
    mkdirSync(dirname(filename), { recursive: true });
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new WeftError(
      'store_error',
      `Cannot create the directory of SQLite database ${filename} (${reason}); expected a writable directory`,
      { cause },
    );
  }
}
