import type { AnyWeftEvent, ErrorInfo, StepRecord } from '@weft/core';
import type { DisplayStatus } from './symbols.js';

export interface StepView {
  key: string;
  type: string;
  status: DisplayStatus;
  attempt: number;
  startedAt: number | null;
  durationMs: number | null;
  error: ErrorInfo | null;
  /** Skip reason, what blocks it, what it waits for, or its progress. */
  note: string | null;
  depth: number;
  children: string[];
}

export type RunState = 'pending' | 'running' | 'paused' | 'completed' | 'failed' | 'cancelled';

/**
 * The state of one run as its events describe it: the steps as a tree (by step key), for the
 * live display of `weft run`. Pure: events in, state out.
 */
export class RunView {
  runId: string | null = null;
  workflow: string | null = null;
  status: RunState = 'pending';
  startedAt: number | null = null;
  durationMs: number | null = null;
  error: ErrorInfo | null = null;
  readonly steps = new Map<string, StepView>();
  readonly roots: string[] = [];

  /** Shows the steps a resumed run already has, before its new events arrive. */
  seed(records: readonly StepRecord[]): void {
    for (const record of records) {
      const step = this.step(record.stepKey, record.type);
      step.status = record.status;
      step.attempt = Math.max(step.attempt, record.attempt);
      step.startedAt = record.startedAt;
      step.durationMs =
        record.startedAt !== null && record.endedAt !== null ? record.endedAt - record.startedAt : null;
      step.error = record.error;
    }
  }

  apply(event: AnyWeftEvent): void {
    this.runId ??= event.runId;
    this.workflow ??= event.workflow;
    switch (event.type) {
      case 'run.started':
        this.status = 'running';
        this.startedAt ??= event.time;
        return;
      case 'run.paused':
        this.status = 'paused';
        return;
      case 'run.resumed':
        this.status = 'running';
        return;
      case 'run.completed':
        this.finish('completed', event.data.durationMs, null);
        return;
      case 'run.failed':
        this.finish('failed', event.data.durationMs, event.data.error);
        return;
      case 'run.cancelled':
        this.finish('cancelled', event.data.durationMs, null);
        return;
    }
    if (event.stepKey === null) return;
    const step = this.step(event.stepKey, 'type' in event.data ? event.data.type : 'step');
    switch (event.type) {
      case 'step.started':
        update(step, {
          status: 'running',
          attempt: event.data.attempt,
          startedAt: event.time,
          durationMs: null,
          note: null,
        });
        break;
      case 'step.completed':
        update(step, {
          status: 'completed',
          attempt: event.data.attempt,
          durationMs: event.data.durationMs,
          note: null,
        });
        break;
      case 'step.failed':
        update(step, {
          status: 'failed',
          attempt: event.data.attempt,
          durationMs: event.data.durationMs,
          error: event.data.error,
        });
        break;
      case 'step.retrying':
        update(step, { status: 'retrying', attempt: event.data.attempt, error: event.data.error });
        step.note = `retry in ${Math.round(event.data.delayMs)}ms`;
        break;
      case 'step.skipped':
        update(step, { status: 'skipped', note: event.data.reason });
        break;
      case 'step.blocked':
        update(step, { status: 'blocked', note: `blocked by ${event.data.by}` });
        break;
      case 'step.waiting':
        update(step, { status: 'waiting', note: event.data.reason });
        break;
      case 'step.cancelled':
        update(step, { status: 'cancelled', note: event.data.reason });
        break;
      case 'step.compensated':
        update(step, { status: 'compensated', note: 'undone' });
        break;
      case 'step.compensation_failed':
        step.note = `compensation failed: ${event.data.error.message}`;
        break;
      case 'step.progress':
        step.note =
          typeof event.data.value === 'number' ? `${Math.round(event.data.value * 100)}%` : event.data.value;
        break;
    }
  }

  /** Steps in display order: each followed by its children, depth-first. */
  ordered(): StepView[] {
    const result: StepView[] = [];
    const visit = (key: string): void => {
      const step = this.steps.get(key);
      if (!step) return;
      result.push(step);
      for (const child of step.children) visit(child);
    };
    for (const root of this.roots) visit(root);
    return result;
  }

  count(status: DisplayStatus): number {
    let n = 0;
    for (const step of this.steps.values()) if (step.status === status) n++;
    return n;
  }

  private finish(status: RunState, durationMs: number, error: ErrorInfo | null): void {
    this.status = status;
    this.durationMs = durationMs;
    this.error = error;
  }

  private step(key: string, type: string): StepView {
    const existing = this.steps.get(key);
    if (existing) return existing;
    const parent = this.ancestor(key);
    const step: StepView = {
      key,
      type,
      status: 'pending',
      attempt: 0,
      startedAt: null,
      durationMs: null,
      error: null,
      note: null,
      depth: parent ? parent.depth + 1 : 0,
      children: [],
    };
    this.steps.set(key, step);
    (parent ? parent.children : this.roots).push(key);
    return step;
  }

  /** The nearest step already seen whose key is a prefix of this one (`loop[3].b` -> `loop`). */
  private ancestor(key: string): StepView | undefined {
    for (let k = parentKey(key); k !== null; k = parentKey(k)) {
      const step = this.steps.get(k);
      if (step) return step;
    }
    return undefined;
  }
}

/** One level up: `loop[3].b` -> `loop[3]` -> `loop`; `par.child` -> `par`; `a` -> null. */
export function parentKey(key: string): string | null {
  const withoutIndex = key.replace(/\[\d+\]$/, '');
  if (withoutIndex !== key) return withoutIndex;
  const dot = key.lastIndexOf('.');
  return dot < 0 ? null : key.slice(0, dot);
}

function update(step: StepView, patch: Partial<StepView>): void {
  Object.assign(step, patch);
}
