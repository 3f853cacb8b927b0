import type { Scope } from '../expr/index.js';
import type { StepRecord } from '../store/types.js';
import type { PlanStep } from './plan-types.js';

/** Names every run scope has; anything else was bound around a step (loop item, alias, batch...). */
const RUN_NAMES = new Set(['inputs', 'context', 'vars', 'steps', 'run', 'secrets', 'now']);

/** The names bound around a step beyond the run's own, or undefined when there are none. */
export function bindingsOf(scope: Scope): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined;
  for (const name of Object.keys(scope)) {
    if (RUN_NAMES.has(name)) continue;
    out ??= {};
    out[name] = scope[name];
  }
  return out;
}

/**
 * The meta of a completed step: a step with `compensate` keeps the names bound around it (loop
 * item and index...), so its compensation sees them, in this process or after a restart.
 */
export function completionMeta(
  step: PlanStep,
  scope: Scope,
  meta: Record<string, unknown> | null | undefined,
): Record<string, unknown> | null {
  if (!step.compensate) return meta ?? null;
  const bindings = bindingsOf(scope);
  return bindings ? { ...meta, bindings } : (meta ?? null);
}

/** `steps.<id>` for an expression: what the step's record says. */
export function stepEntry(record: StepRecord): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    output: record.output,
    status: record.status,
    error: record.error,
    attempts: record.attempt,
  };
  if (record.meta?.branch !== undefined) entry.branch = record.meta.branch;
  return entry;
}
