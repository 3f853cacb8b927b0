import { encodeJson } from '../store-rows.js';
import type { CommitResult, RunRecord, WriteBatch } from '../types.js';
import { PATCH_FIELDS, type SqliteStatements } from './sqlite-statements.js';

/**
 * Writes one batch; the caller runs it inside one IMMEDIATE transaction. A run's steps and events
 * are written only while `batch.owner` holds it (its patch matched, it is new, or it is owned).
 */
export function commitSqliteBatch(s: SqliteStatements, batch: WriteBatch): CommitResult {
  const { owner } = batch;
  const lostRuns: string[] = [];
  // runId -> may its records be written in this batch (decided once per run).
  const writable = new Map<string, boolean>();

  for (const run of batch.newRuns) {
    insertRun(s, run);
    writable.set(run.id, true);
  }
  for (const p of batch.runPatches) {
    let shape = 0;
    const values: unknown[] = [p.lastSeq];
    for (let bit = 0; bit < PATCH_FIELDS.length; bit++) {
      const field = PATCH_FIELDS[bit]!;
      const value = p[field.key];
      if (value === undefined) continue;
      shape |= 1 << bit;
      values.push(field.json ? encodeJson(value) : value);
    }
    values.push(p.id, owner);
    // Only the sequence moved: check the lease without rewriting the row (see SQLITE_LAST_SEQ).
    const owned = shape === 0 ? s.runOwner.get(p.id) === owner : s.patchRun(shape).run(...values).changes > 0;
    if (owned) {
      if (!writable.has(p.id)) writable.set(p.id, true);
    } else if (writable.get(p.id) !== false) {
      writable.set(p.id, false);
      lostRuns.push(p.id);
    }
  }

  const canWrite = (runId: string): boolean => {
    let ok = writable.get(runId);
    if (ok === undefined) {
      ok = s.runOwner.get(runId) === owner;
      writable.set(runId, ok);
      if (!ok) lostRuns.push(runId);
    }
    return ok;
  };
  for (const step of batch.steps) {
    if (!canWrite(step.runId)) continue;
    s.upsertStep.run(
      step.runId,
      step.stepKey,
      step.attempt,
      step.stepId,
      step.type,
      step.status,
      step.startedAt ?? null,
      step.endedAt ?? null,
      encodeJson(step.input),
      encodeJson(step.output),
      encodeJson(step.error),
      encodeJson(step.meta),
    );
  }
  for (const event of batch.events) {
    if (!canWrite(event.runId)) continue;
    s.insertEvent.run(
      event.runId,
      event.seq,
      event.type,
      event.time,
      event.stepKey ?? null,
      encodeJson(event.data),
    );
  }
  return { lostRuns };
}

function insertRun(s: SqliteStatements, run: RunRecord): void {
  s.insertRun.run(
    run.id,
    run.workflow,
    run.version ?? null,
    run.documentHash,
    run.status,
    encodeJson(run.input),
    encodeJson(run.output),
    encodeJson(run.error),
    run.parentRunId ?? null,
    run.createdAt,
    run.startedAt ?? null,
    run.endedAt ?? null,
    run.deadlineAt ?? null,
    run.owner ?? null,
    run.leaseExpiresAt ?? null,
    run.lastSeq ?? 0,
    encodeJson(run.meta),
  );
}
