import type { EventRecord, StepRecord } from '../store/types.js';
import type { Plan } from './plan-types.js';

/** Records that say a step is done and may be undone. */
const UNDOABLE = new Set(['completed', 'compensated']);
const ENDINGS = new Set(['step.completed', 'step.failed']);

/** The newest record of each step key (the highest attempt). */
export function latestRecords(records: readonly StepRecord[]): StepRecord[] {
  const latest = new Map<string, StepRecord>();
  for (const record of records) {
    const seen = latest.get(record.stepKey);
    if (!seen || record.attempt >= seen.attempt) latest.set(record.stepKey, record);
  }
  return [...latest.values()];
}

/**
 * Whether `key` is a step of a compensation (`<undone key>.compensate.<id>...`): a compensation is
 * not undone in turn. The plan tells it apart from a fork_join branch named `compensate`.
 */
export function isCompensationKey(key: string, plan: Plan, keys: ReadonlySet<string>): boolean {
  for (let at = key.indexOf('.compensate.'); at >= 0; at = key.indexOf('.compensate.', at + 1)) {
    const owner = key.slice(0, at);
    if (!keys.has(owner)) continue;
    const ownerId = /(?:^|[.\]])([A-Za-z_][A-Za-z0-9_]*)$/.exec(owner)?.[1];
    const first = /^[A-Za-z_][A-Za-z0-9_]*/.exec(key.slice(at + '.compensate.'.length))?.[0];
    const compensate = ownerId === undefined ? undefined : plan.steps.get(ownerId)?.compensate;
    if (compensate?.steps.some((step) => step.id === first)) return true;
  }
  return false;
}

/**
 * The steps a rollback undoes, in order: completed steps (loop iterations and branches included)
 * that have `compensate`, newest completion first. The order comes from the store only (end
 * time, then the event that ended its attempt), so a resumed rollback takes the same path. Steps reused from
 * another run (rerun) were not executed by this run and are not undone by it.
 */
export function compensationTargets(
  plan: Plan,
  records: readonly StepRecord[],
  events: readonly EventRecord[],
): StepRecord[] {
  const latest = latestRecords(records);
  const keys = new Set(latest.map((record) => record.stepKey));
  const lastSeq = new Map<string, number>();
  // The attempt's own end (not later compensation events): stable across a resumed rollback.
  for (const event of events) {
    if (event.stepKey !== null && ENDINGS.has(event.type)) lastSeq.set(event.stepKey, event.seq);
  }
  const position = new Map(records.map((record, index) => [record, index]));
  return latest
    .filter(
      (record) =>
        UNDOABLE.has(record.status) &&
        plan.steps.get(record.stepId)?.compensate !== undefined &&
        record.meta?.reused_from === undefined &&
        !isCompensationKey(record.stepKey, plan, keys),
    )
    .sort(
      (a, b) =>
        (b.endedAt ?? 0) - (a.endedAt ?? 0) ||
        (lastSeq.get(b.stepKey) ?? 0) - (lastSeq.get(a.stepKey) ?? 0) ||
        (position.get(b) ?? 0) - (position.get(a) ?? 0),
    );
}
