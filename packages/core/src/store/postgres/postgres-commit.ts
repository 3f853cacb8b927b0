import type { PoolClient } from 'pg';
import type { CommitResult, RunPatch, StepRecord, WriteBatch } from '../types.js';
import { PG_STATEMENTS } from './postgres-sql.js';

/**
 * Writes one batch inside the caller's transaction, one statement per kind of record (each carries
 * all its rows as one jsonb parameter). A run's steps and events are written only while
 * `batch.owner` holds it (its patch matched, it is new, or it is owned).
 */
export async function commitPostgresBatch(client: PoolClient, batch: WriteBatch): Promise<CommitResult> {
  const { owner } = batch;
  const lostRuns: string[] = [];
  const writable = new Map<string, boolean>();

  if (batch.newRuns.length > 0) {
    await client.query({ ...PG_STATEMENTS.insertRuns, values: [JSON.stringify(batch.newRuns)] });
    for (const run of batch.newRuns) writable.set(run.id, true);
  }
  if (batch.runPatches.length > 0) {
    const patches = mergePatches(batch.runPatches);
    const { rows } = await client.query<{ id: string }>({
      ...PG_STATEMENTS.patchRuns,
      values: [JSON.stringify(patches), owner],
    });
    const matched = new Set(rows.map((row) => row.id));
    for (const { id } of patches) {
      if (matched.has(id)) {
        if (!writable.has(id)) writable.set(id, true);
      } else {
        writable.set(id, false);
        lostRuns.push(id);
      }
    }
  }

  const unchecked = new Set<string>();
  for (const record of [...batch.steps, ...batch.events]) {
    if (!writable.has(record.runId)) unchecked.add(record.runId);
  }
  if (unchecked.size > 0) {
    const { rows } = await client.query<{ id: string }>({
      ...PG_STATEMENTS.ownedRuns,
      values: [[...unchecked], owner],
    });
    const owned = new Set(rows.map((row) => row.id));
    for (const id of unchecked) {
      writable.set(id, owned.has(id));
      if (!owned.has(id)) lostRuns.push(id);
    }
  }

  const steps = lastAttemptRecords(batch.steps.filter((step) => writable.get(step.runId)));
  if (steps.length > 0) {
    await client.query({ ...PG_STATEMENTS.upsertSteps, values: [JSON.stringify(steps)] });
  }
  const events = batch.events.filter((event) => writable.get(event.runId));
  if (events.length > 0) {
    await client.query({ ...PG_STATEMENTS.insertEvents, values: [JSON.stringify(events)] });
  }
  return { lostRuns };
}

/** One patch per run (later fields win): one UPDATE ... FROM applies only one source row per target. */
export function mergePatches(patches: readonly RunPatch[]): readonly RunPatch[] {
  if (patches.length < 2) return patches;
  const byId = new Map<string, RunPatch>();
  for (const patch of patches) {
    const previous = byId.get(patch.id);
    if (!previous) {
      byId.set(patch.id, patch);
      continue;
    }
    const merged: Record<string, unknown> = { ...previous };
    for (const [key, value] of Object.entries(patch)) if (value !== undefined) merged[key] = value;
    byId.set(patch.id, merged as unknown as RunPatch);
  }
  return byId.size === patches.length ? patches : [...byId.values()];
}

/** The last record per (run, step key, attempt): ON CONFLICT DO UPDATE cannot touch a row twice. */
export function lastAttemptRecords(steps: readonly StepRecord[]): readonly StepRecord[] {
  if (steps.length < 2) return steps;
  const byKey = new Map<string, StepRecord>();
  for (const step of steps) byKey.set(`${step.runId}\u0000${step.stepKey}\u0000${step.attempt}`, step);
  return byKey.size === steps.length ? steps : [...byKey.values()];
}
