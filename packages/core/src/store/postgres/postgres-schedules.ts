import type { Pool } from 'pg';
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
import { inTransaction } from './postgres-pool.js';

/** pg has already parsed jsonb columns. */
const decode = (value: unknown): unknown => value ?? null;
const OPEN = "status IN ('queued', 'running')";
const count = (failures: 'increment' | 'reset' | 'keep') => ({
  name: `weft_schedule_count_${failures}`,
  text: `UPDATE schedules SET consecutive_failures = ${failureCountSql(failures)}, updated_at = $1 WHERE name = $2`,
});

const Q = {
  insert: {
    name: 'weft_schedule_insert',
    text: `INSERT INTO schedules (${SCHEDULE_COLUMNS})
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, $13, $14, $14) ON CONFLICT (name) DO NOTHING`,
  },
  get: { name: 'weft_schedule_get', text: `SELECT ${SCHEDULE_COLUMNS} FROM schedules WHERE name = $1` },
  list: { name: 'weft_schedule_list', text: `SELECT ${SCHEDULE_COLUMNS} FROM schedules ORDER BY name` },
  setStatus: {
    name: 'weft_schedule_status',
    text: `UPDATE schedules SET status = $2, pause_reason = $3, next_fire_at = $4, updated_at = $5,
      consecutive_failures = CASE WHEN $6::boolean THEN 0 ELSE consecutive_failures END WHERE name = $1`,
  },
  removeFires: { name: 'weft_schedule_remove_fires', text: 'DELETE FROM schedule_fires WHERE schedule = $1' },
  remove: { name: 'weft_schedule_remove', text: 'DELETE FROM schedules WHERE name = $1' },
  due: {
    name: 'weft_schedule_due',
    text: `SELECT ${SCHEDULE_COLUMNS} FROM schedules
      WHERE status = 'active' AND next_fire_at IS NOT NULL AND next_fire_at <= $1 ORDER BY next_fire_at, name`,
  },
  advance: {
    name: 'weft_schedule_advance',
    text: `UPDATE schedules SET next_fire_at = $1, updated_at = $2
      WHERE name = $3 AND next_fire_at = $4 AND status = 'active'`,
  },
  addFire: {
    name: 'weft_schedule_add_fire',
    text: `INSERT INTO schedule_fires (${FIRE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)
      ON CONFLICT (schedule, fired_at) DO NOTHING`,
  },
  startQueued: {
    name: 'weft_schedule_start_queued',
    text: `UPDATE schedule_fires SET status = 'running', run_id = $1, started_at = $2
      WHERE schedule = $3 AND fired_at = $4 AND status = 'queued'`,
  },
  endFire: {
    name: 'weft_schedule_end_fire',
    text: `UPDATE schedule_fires SET status = $1, reason = COALESCE($2, reason), ended_at = $3
      WHERE schedule = $4 AND fired_at = $5 AND ${OPEN}`,
  },
  count: { increment: count('increment'), reset: count('reset'), keep: count('keep') },
  open: {
    name: 'weft_schedule_open_fires',
    text: `SELECT ${FIRE_COLUMNS} FROM schedule_fires
      WHERE ${OPEN} AND ($1::text IS NULL OR schedule = $1) ORDER BY fired_at, schedule`,
  },
  history: {
    name: 'weft_schedule_history',
    text: `SELECT ${FIRE_COLUMNS} FROM schedule_fires WHERE schedule = $1 ORDER BY fired_at DESC LIMIT $2`,
  },
} as const;

/** A fire row already there: the claim is undone (the transaction rolls back). */
class AlreadyFired extends Error {}

/** Schedules and their fires in PostgreSQL; a claim is one transaction on the schedule's row. */
export class PostgresSchedules implements ScheduleStore {
  constructor(
    private readonly pool: Pool,
    private readonly guard: <T>(work: () => Promise<T>) => Promise<T>,
  ) {}

  async create(s: NewSchedule): Promise<ScheduleRecord> {
    const input = s.input === undefined ? null : JSON.stringify(s.input);
    const values = [
      s.name,
      s.workflow,
      s.kind,
      s.spec,
      s.tz,
      input,
      s.overlap,
      s.maxConcurrent,
      s.misfire,
      s.pauseAfterFailures,
      s.status,
      s.pauseReason,
      s.nextFireAt,
      s.createdAt,
    ];
    const result = await this.guard(() => this.pool.query({ ...Q.insert, values }));
    if (result.rowCount !== 1) throw new WeftError('conflict', `a schedule named '${s.name}' exists already`);
    return (await this.get(s.name))!;
  }

  async get(name: string): Promise<ScheduleRecord | undefined> {
    const { rows } = await this.guard(() => this.pool.query<ScheduleRow>({ ...Q.get, values: [name] }));
    return rows[0] && toSchedule(rows[0], decode);
  }

  async list(): Promise<ScheduleRecord[]> {
    const { rows } = await this.guard(() => this.pool.query<ScheduleRow>(Q.list));
    return rows.map((row) => toSchedule(row, decode));
  }

  async setStatus(name: string, c: ScheduleStatusChange): Promise<ScheduleRecord | undefined> {
    const values = [name, c.status, c.pauseReason, c.nextFireAt, c.now, c.resetFailures];
    await this.guard(() => this.pool.query({ ...Q.setStatus, values }));
    return this.get(name);
  }

  async remove(name: string): Promise<boolean> {
    return this.guard(() =>
      inTransaction(this.pool, async (client) => {
        await client.query({ ...Q.removeFires, values: [name] });
        return (await client.query({ ...Q.remove, values: [name] })).rowCount === 1;
      }),
    );
  }

  async due(now: number): Promise<ScheduleRecord[]> {
    const { rows } = await this.guard(() => this.pool.query<ScheduleRow>({ ...Q.due, values: [now] }));
    return rows.map((row) => toSchedule(row, decode));
  }

  async claimFire(claim: FireClaim): Promise<boolean> {
    try {
      return await this.guard(() =>
        inTransaction(this.pool, async (client) => {
          const values = [claim.nextFireAt, claim.now, claim.schedule, claim.dueAt];
          if ((await client.query({ ...Q.advance, values })).rowCount !== 1) return false;
          const f = claim.fire;
          if (!f) return true;
          const fire = [f.schedule, f.firedAt, f.runId, f.status, f.reason, f.startedAt, f.endedAt];
          if ((await client.query({ ...Q.addFire, values: fire })).rowCount !== 1) throw new AlreadyFired();
          return true;
        }),
      );
    } catch (error) {
      if (error instanceof AlreadyFired || (error as Error)?.cause instanceof AlreadyFired) return false;
      throw error;
    }
  }

  async startQueued(schedule: string, firedAt: number, runId: string, now: number): Promise<boolean> {
    const values = [runId, now, schedule, firedAt];
    return (await this.guard(() => this.pool.query({ ...Q.startQueued, values }))).rowCount === 1;
  }

  async finishFire(end: FireEnd): Promise<ScheduleRecord | undefined> {
    const ended = await this.guard(() =>
      inTransaction(this.pool, async (client) => {
        const values = [end.status, end.reason, end.endedAt, end.schedule, end.firedAt];
        if ((await client.query({ ...Q.endFire, values })).rowCount !== 1) return false;
        await client.query({ ...Q.count[end.failures], values: [end.endedAt, end.schedule] });
        return true;
      }),
    );
    return ended ? this.get(end.schedule) : undefined;
  }

  async openFires(schedule?: string): Promise<FireRecord[]> {
    const values = [schedule ?? null];
    const { rows } = await this.guard(() => this.pool.query<FireRow>({ ...Q.open, values }));
    return rows.map(toFire);
  }

  async history(schedule: string, limit = 50): Promise<FireRecord[]> {
    const values = [schedule, limit];
    const { rows } = await this.guard(() => this.pool.query<FireRow>({ ...Q.history, values }));
    return rows.map(toFire);
  }
}
