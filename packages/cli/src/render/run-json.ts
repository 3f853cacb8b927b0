import type { EventRecord, RunRecord, StepRecord } from '@weft/core';

/** Times in `--json` output are ISO 8601 strings; durations are milliseconds. */
function iso(time: number | null): string | null {
  return time === null ? null : new Date(time).toISOString();
}

function duration(start: number | null, end: number | null): number | null {
  return start === null || end === null ? null : end - start;
}

/** A run as `weft runs list/show --json` print it (snake_case, like `weft run --json`). */
export function runJson(run: RunRecord): Record<string, unknown> {
  return {
    id: run.id,
    workflow: run.workflow,
    version: run.version,
    status: run.status,
    input: run.input,
    output: run.output ?? null,
    error: run.error,
    parent_run_id: run.parentRunId,
    created_at: iso(run.createdAt),
    started_at: iso(run.startedAt),
    ended_at: iso(run.endedAt),
    duration_ms: duration(run.startedAt, run.endedAt),
  };
}

export function stepJson(step: StepRecord): Record<string, unknown> {
  return {
    key: step.stepKey,
    id: step.stepId,
    type: step.type,
    attempt: step.attempt,
    status: step.status,
    started_at: iso(step.startedAt),
    ended_at: iso(step.endedAt),
    duration_ms: duration(step.startedAt, step.endedAt),
    input: step.input ?? null,
    output: step.output ?? null,
    error: step.error,
    meta: step.meta,
  };
}

export function eventJson(event: EventRecord): Record<string, unknown> {
  return { seq: event.seq, time: iso(event.time), type: event.type, step: event.stepKey, data: event.data };
}
