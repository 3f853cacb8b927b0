/** How a schedule's times are given: a cron expression, a fixed interval, or one instant. */
export type ScheduleKind = 'cron' | 'every' | 'at';
/** What a fire does while `maxConcurrent` runs of its schedule are still going. */
export type OverlapPolicy = 'skip' | 'queue' | 'allow' | 'cancel_previous';
/** What happens to fires missed while no scheduler was running. */
export type MisfirePolicy = 'skip' | 'run_once' | 'run_all';
export type ScheduleStatus = 'active' | 'paused';
/** `queued` and `running` are open; the others are final. */
export type FireStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'skipped';

export const OVERLAP_POLICIES: readonly OverlapPolicy[] = ['skip', 'queue', 'allow', 'cancel_previous'];
export const MISFIRE_POLICIES: readonly MisfirePolicy[] = ['skip', 'run_once', 'run_all'];

/** A stored schedule (scheduler/): when to start runs of which workflow, with what input. */
export interface ScheduleRecord {
  name: string;
  /** A registered workflow name, or an absolute path to a document. */
  workflow: string;
  kind: ScheduleKind;
  /** The cron expression, the duration (`30s`), or the ISO timestamp. */
  spec: string;
  /** IANA time zone of a cron schedule; null: UTC. */
  tz: string | null;
  /** The run input, with `${ }` expressions (`schedule.fired_at`, `schedule.name`, `now`). */
  input: unknown;
  overlap: OverlapPolicy;
  maxConcurrent: number;
  misfire: MisfirePolicy;
  /** Consecutive failed runs after which the schedule pauses itself; null: never. */
  pauseAfterFailures: number | null;
  status: ScheduleStatus;
  pauseReason: string | null;
  consecutiveFailures: number;
  /** The next time it fires; null when it never fires again (an `at` schedule that fired). */
  nextFireAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export type NewSchedule = Omit<ScheduleRecord, 'consecutiveFailures' | 'updatedAt'>;

/** One fire of a schedule, as `weft schedules history` shows it; keyed by (schedule, firedAt). */
export interface FireRecord {
  schedule: string;
  /** The scheduled time (not when it actually started). */
  firedAt: number;
  /** The run it started (chosen before it starts); null when skipped, or queued. */
  runId: string | null;
  status: FireStatus;
  /** Why it was skipped, failed to start, or was a misfire. */
  reason: string | null;
  startedAt: number | null;
  endedAt: number | null;
}

/**
 * Takes the fire due at `dueAt`: moves the schedule's `nextFireAt` from `dueAt` to `nextFireAt`
 * (compare-and-set) and, with `fire`, records it, in one transaction.
 */
export interface FireClaim {
  schedule: string;
  dueAt: number;
  nextFireAt: number | null;
  fire: FireRecord | null;
  now: number;
}

/** How a finished fire changes its schedule's count of consecutive failures. */
export type FailureCount = 'increment' | 'reset' | 'keep';

export interface FireEnd {
  schedule: string;
  firedAt: number;
  status: 'completed' | 'failed' | 'cancelled' | 'skipped';
  reason: string | null;
  endedAt: number;
  failures: FailureCount;
}

export interface ScheduleStatusChange {
  status: ScheduleStatus;
  pauseReason: string | null;
  nextFireAt: number | null;
  /** Sets the consecutive failures back to 0 (resume). */
  resetFailures: boolean;
  now: number;
}

/**
 * Schedules and their fire history. Every fire is claimed with a compare-and-set on
 * `nextFireAt` plus a row unique per (schedule, firedAt), so it happens once across processes.
 */
export interface ScheduleStore {
  /** Stores a new schedule; throws `conflict` when the name is taken. */
  create(schedule: NewSchedule): Promise<ScheduleRecord>;
  get(name: string): Promise<ScheduleRecord | undefined>;
  /** Every schedule, by name. */
  list(): Promise<ScheduleRecord[]>;
  /** Pauses or resumes; undefined when there is no such schedule. */
  setStatus(name: string, change: ScheduleStatusChange): Promise<ScheduleRecord | undefined>;
  /** Deletes a schedule and its history; false when there was none. */
  remove(name: string): Promise<boolean>;
  /** Active schedules due at or before `now`, the earliest first. */
  due(now: number): Promise<ScheduleRecord[]>;
  /** See FireClaim; false, changing nothing, when another process (or call) took it first. */
  claimFire(claim: FireClaim): Promise<boolean>;
  /** A queued fire gets its run: false when it is not queued any more. */
  startQueued(schedule: string, firedAt: number, runId: string, now: number): Promise<boolean>;
  /**
   * Ends an open (queued or running) fire and counts failures on its schedule, in one transaction.
   * Returns the schedule after the change, or undefined when the fire was not open (ended elsewhere).
   */
  finishFire(end: FireEnd): Promise<ScheduleRecord | undefined>;
  /** Queued and running fires (of one schedule, when given), the oldest first. */
  openFires(schedule?: string): Promise<FireRecord[]>;
  /** Fires of a schedule, newest first; default 50. */
  history(schedule: string, limit?: number): Promise<FireRecord[]>;
}
