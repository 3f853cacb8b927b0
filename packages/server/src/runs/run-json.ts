import type { EventRecord, RunRecord, StepRecord, Store } from '@weft/core';

/** A durable wait as the store keeps it (not exported by name from @weft/core). */
type WaitRecord = Awaited<ReturnType<Store['listWaits']>>[number];

/** The API's JSON shapes: snake_case fields, ISO 8601 times. Event `data` is the engine's payload as is. */
export interface RunSummaryJson {
  id: string;
  workflow: string;
  version: number | null;
  status: RunRecord['status'];
  error: RunRecord['error'];
  parent_run_id: string | null;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  last_seq: number;
}

export interface RunJson extends RunSummaryJson {
  input: unknown;
  output: unknown;
  meta: Record<string, unknown>;
}

export interface AttemptJson {
  attempt: number;
  status: string;
  started_at: string | null;
  ended_at: string | null;
  input: unknown;
  output: unknown;
  error: StepRecord['error'];
  meta: Record<string, unknown> | null;
}

export interface StepJson {
  key: string;
  id: string;
  type: string;
  status: string;
  attempts: AttemptJson[];
}

export interface EventJson {
  run_id: string;
  seq: number;
  type: string;
  time: string;
  step_key: string | null;
  data: unknown;
}

export function iso(ms: number): string;
export function iso(ms: number | null): string | null;
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export function runSummaryJson(run: RunRecord): RunSummaryJson {
  return {
    id: run.id,
    workflow: run.workflow,
    version: run.version,
    status: run.status,
    error: run.error,
    parent_run_id: run.parentRunId,
    created_at: iso(run.createdAt),
    started_at: iso(run.startedAt),
    ended_at: iso(run.endedAt),
    last_seq: run.lastSeq,
  };
}

export function runJson(run: RunRecord): RunJson {
  return { ...runSummaryJson(run), input: run.input ?? null, output: run.output ?? null, meta: run.meta };
}

/** Attempts grouped by step key, in the order the steps first ran. */
export function stepsJson(records: readonly StepRecord[]): StepJson[] {
  const byKey = new Map<string, StepJson>();
  for (const r of records) {
    let step = byKey.get(r.stepKey);
    if (!step) {
      step = { key: r.stepKey, id: r.stepId, type: r.type, status: r.status, attempts: [] };
      byKey.set(r.stepKey, step);
    }
    step.attempts.push({
      attempt: r.attempt,
      status: r.status,
      started_at: iso(r.startedAt),
      ended_at: iso(r.endedAt),
      input: r.input ?? null,
      output: r.output ?? null,
      error: r.error,
      meta: r.meta,
    });
  }
  for (const step of byKey.values()) {
    step.attempts.sort((a, b) => a.attempt - b.attempt);
    step.status = step.attempts[step.attempts.length - 1]?.status ?? step.status;
  }
  return [...byKey.values()];
}

export function eventJson(e: EventRecord): EventJson {
  return {
    run_id: e.runId,
    seq: e.seq,
    type: e.type,
    time: iso(e.time),
    step_key: e.stepKey,
    data: e.data ?? null,
  };
}

/** A step waiting for a timer, an event or a person; an event wait has its webhook path. */
export interface WaitJson {
  step_key: string;
  kind: WaitRecord['kind'];
  /** Event waits: the types that end the wait (a state machine may wait for several). */
  event_types: string[] | null;
  until: string | null;
  since: string;
  details: Record<string, unknown> | null;
  webhook: string | null;
}

export function waitJson(wait: WaitRecord): WaitJson {
  return {
    step_key: wait.stepKey,
    kind: wait.kind,
    event_types: eventTypes(wait.eventType),
    until: iso(wait.until),
    since: iso(wait.createdAt),
    details: wait.details,
    webhook: wait.kind === 'event' ? `/hooks/${wait.token}` : null,
  };
}

/** The store keeps several types as a JSON array in one column. */
function eventTypes(stored: string | null): string[] | null {
  if (stored === null) return null;
  if (!stored.startsWith('[')) return [stored];
  try {
    const parsed: unknown = JSON.parse(stored);
    return Array.isArray(parsed) ? parsed.map(String) : [stored];
  } catch {
    return [stored];
  }
}
