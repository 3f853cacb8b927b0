import type BetterSqlite3 from 'better-sqlite3';
import { WeftError } from '../../errors.js';
import {
  FIRE_COLUMNS,
  type FireRow,
  failureCountSql,
  SCHEDULE_COLUMNS,
  type ScheduleRow,
  toFire,
  toSchedule,
} from '../schedule-rows.js';
import type {
  FireClaim,
  FireEnd,
  FireRecord,
  NewSchedule,
  ScheduleRecord,
  ScheduleStatusChange,
  ScheduleStore,
} from '../schedule-types.js';

const decode = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : null);
const OPEN = "status IN ('queued', 'running')";

function prepare(db: BetterSqlite3.Database) {
  const statement = <R = unknown>(sql: string) => db.prepare<unknown[], R>(sql);
  const finish = (failures: 'increment' | 'reset' | 'keep') =>
    statement(`UPDATE schedules SET consecutive_failures = ${failureCountSql(failures)}, updated_at = ?
      WHERE name = ?`);
  return {
    insert: statement(`INSERT INTO schedules (${SCHEDULE_COLUMNS}) VALUES (@name, @workflow, @kind, @spec,
      @tz, @input, @overlap, @maxConcurrent, @misfire, @pauseAfterFailures, @status, @pauseReason, 0,
      @nextFireAt, @createdAt, @createdAt) ON CONFLICT (name) DO NOTHING`),
    get: statement<ScheduleRow>(`SELECT ${SCHEDULE_COLUMNS} FROM schedules WHERE name = ?`),
    list: statement<ScheduleRow>(`SELECT ${SCHEDULE_COLUMNS} FROM schedules ORDER BY name`),
    setStatus: statement(`UPDATE schedules SET status = @status, pause_reason = @pauseReason,
      next_fire_at = @nextFireAt, updated_at = @now,
      consecutive_failures = CASE WHEN @reset = 1 THEN 0 ELSE consecutive_failures END WHERE name = @name`),
    removeFires: statement('DELETE FROM schedule_fires WHERE schedule = ?'),
    remove: statement('DELETE FROM schedules WHERE name = ?'),
    due: statement<ScheduleRow>(`SELECT ${SCHEDULE_COLUMNS} FROM schedules
      WHERE status = 'active' AND next_fire_at IS NOT NULL AND next_fire_at <= ? ORDER BY next_fire_at, name`),
    advance: statement(`UPDATE schedules SET next_fire_at = ?, updated_at = ?
      WHERE name = ? AND next_fire_at = ? AND status = 'active'`),
    addFire: statement(`INSERT INTO schedule_fires (${FIRE_COLUMNS}) VALUES (@schedule, @firedAt, @runId,
      @status, @reason, @startedAt, @endedAt) ON CONFLICT (schedule, fired_at) DO NOTHING`),
    startQueued: statement(`UPDATE schedule_fires SET status = 'running', run_id = ?, started_at = ?
      WHERE schedule = ? AND fired_at = ? AND status = 'queued'`),
    endFire: statement(`UPDATE schedule_fires SET status = ?, reason = COALESCE(?, reason), ended_at = ?
      WHERE schedule = ? AND fired_at = ? AND ${OPEN}`),
    count: { increment: finish('increment'), reset: finish('reset'), keep: finish('keep') },
    open: statement<FireRow>(`SELECT ${FIRE_COLUMNS} FROM schedule_fires
      WHERE ${OPEN} AND (@schedule IS NULL OR schedule = @schedule) ORDER BY fired_at, schedule`),
    history: statement<FireRow>(`SELECT ${FIRE_COLUMNS} FROM schedule_fires WHERE schedule = ?
      ORDER BY fired_at DESC LIMIT ?`),
  };
}

/** A fire row already there: the claim is undone (the transaction rolls back). */
class AlreadyFired extends Error {}

/** Schedules and their fires in SQLite; claims are IMMEDIATE transactions. */
export class SqliteSchedules implements ScheduleStore {
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

  #get(name: string): ScheduleRecord | undefined {
    const row = this.#q.get.get(name);
    return row && toSchedule(row, decode);
  }

  async create(schedule: NewSchedule): Promise<ScheduleRecord> {
    const params = {
      ...schedule,
      input: schedule.input === undefined ? null : JSON.stringify(schedule.input),
    };
    const created = this.guard(() => this.#q.insert.run(params).changes === 1);
    if (!created) throw new WeftError('conflict', `a schedule named '${schedule.name}' exists already`);
    return (await this.get(schedule.name))!;
  }

  async get(name: string): Promise<ScheduleRecord | undefined> {
    return this.guard(() => this.#get(name));
  }

  async list(): Promise<ScheduleRecord[]> {
    return this.guard(() => this.#q.list.all()).map((row) => toSchedule(row, decode));
  }

  async setStatus(name: string, change: ScheduleStatusChange): Promise<ScheduleRecord | undefined> {
    return this.guard(() => {
      const { status, pauseReason, nextFireAt, now } = change;
      this.#q.setStatus.run({
        status,
        pauseReason,
        nextFireAt,
        now,
        name,
        reset: change.resetFailures ? 1 : 0,
      });
      return this.#get(name);
    });
  }

  async remove(name: string): Promise<boolean> {
    const write = this.db.transaction(() => {
      this.#q.removeFires.run(name);
      return this.#q.remove.run(name).changes === 1;
    });
    return this.guard(() => write.immediate());
  }

  async due(now: number): Promise<ScheduleRecord[]> {
    return this.guard(() => this.#q.due.all(now)).map((row) => toSchedule(row, decode));
  }

  async claimFire(claim: FireClaim): Promise<boolean> {
    const write = this.db.transaction((): boolean => {
      const q = this.#q;
      if (q.advance.run(claim.nextFireAt, claim.now, claim.schedule, claim.dueAt).changes !== 1) return false;
      if (claim.fire && q.addFire.run(claim.fire).changes !== 1) throw new AlreadyFired();
      return true;
    });
    try {
      return this.guard(() => write.immediate());
    } catch (error) {
      if (error instanceof AlreadyFired || (error as Error)?.cause instanceof AlreadyFired) return false;
      throw error;
    }
  }

  async startQueued(schedule: string, firedAt: number, runId: string, now: number): Promise<boolean> {
    return this.guard(() => this.#q.startQueued.run(runId, now, schedule, firedAt).changes === 1);
  }

  async finishFire(end: FireEnd): Promise<ScheduleRecord | undefined> {
    const write = this.db.transaction((): ScheduleRecord | undefined => {
      const q = this.#q;
      const changed = q.endFire.run(end.status, end.reason, end.endedAt, end.schedule, end.firedAt).changes;
      if (changed !== 1) return undefined;
      q.count[end.failures].run(end.endedAt, end.schedule);
      return this.#get(end.schedule);
    });
    return this.guard(() => write.immediate());
  }

  async openFires(schedule?: string): Promise<FireRecord[]> {
    return this.guard(() => this.#q.open.all({ schedule: schedule ?? null })).map(toFire);
  }

  async history(schedule: string, limit = 50): Promise<FireRecord[]> {
    return this.guard(() => this.#q.history.all(schedule, limit)).map(toFire);
  }
}
