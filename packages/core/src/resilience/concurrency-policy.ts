import { WeftError } from '../errors.js';
import { compileValue, type Evaluable } from '../expr/index.js';

/** A step's `concurrency: { key, limit }`: at most `limit` steps with this key run at once, everywhere. */
export interface StepConcurrency {
  key: Evaluable;
  limit: number;
}

export type OnConflict = 'queue' | 'cancel_new' | 'cancel_running';

/** The workflow's `concurrency: { key, limit, on_conflict }`: runs of it at once, everywhere. */
export interface RunConcurrency {
  /** undefined: one key for the workflow. */
  key: Evaluable | undefined;
  limit: number;
  onConflict: OnConflict;
}

/**
 * `limits:` in weft.config.yaml: running runs and running steps across every process sharing the
 * store, and calls per skill. Child runs (`workflow` steps) do not count against `runningRuns`,
 * so a parent waiting for its child never holds the slot that child needs.
 */
export interface LimitSettings {
  runningRuns?: number;
  runningSteps?: number;
  skills?: Record<string, number>;
}

function checkLimit(value: unknown, where: string): number {
  const limit = value === undefined ? 1 : value;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
    throw new WeftError(
      'invalid_document',
      `${where}: expected an integer >= 1, got ${JSON.stringify(limit)}`,
    );
  }
  return limit;
}

export function compileStepConcurrency(
  definition: unknown,
  path: string,
  value: (value: unknown, field: string) => Evaluable,
): StepConcurrency | undefined {
  if (definition === undefined) return undefined;
  const fields = (definition ?? {}) as Record<string, unknown>;
  if (fields.key === undefined) throw new WeftError('invalid_document', `${path}.concurrency.key: missing`);
  return {
    key: value(fields.key, 'concurrency.key'),
    limit: checkLimit(fields.limit, `${path}.concurrency.limit`),
  };
}

export function compileRunConcurrency(definition: unknown): RunConcurrency | undefined {
  if (definition === undefined) return undefined;
  const fields = (definition ?? {}) as Record<string, unknown>;
  const onConflict = (fields.on_conflict ?? 'queue') as OnConflict;
  return {
    key: fields.key === undefined ? undefined : compileValue(fields.key, ['concurrency', 'key']),
    limit: checkLimit(fields.limit, 'concurrency.limit'),
    onConflict,
  };
}

/** Checks limits given to `createEngine` (weft.config.yaml is checked when it is read). */
export function checkLimitSettings(limits: LimitSettings): void {
  const problems: string[] = [];
  const check = (where: string, value: unknown) => {
    if (value !== undefined && !(typeof value === 'number' && Number.isInteger(value) && value >= 1))
      problems.push(`limits.${where}: expected an integer >= 1, got ${JSON.stringify(value)}`);
  };
  check('runningRuns', limits.runningRuns);
  check('runningSteps', limits.runningSteps);
  for (const [skill, limit] of Object.entries(limits.skills ?? {})) check(`skills.${skill}`, limit);
  if (problems.length > 0)
    throw new WeftError('invalid_config', problems.join('\n'), { details: { problems } });
}

/** Slot keys, one namespace each so a step key can never take a run's slots. */
export const slotKeys = {
  step: (key: string) => `step:${key}`,
  skill: (name: string) => `skill:${name}`,
  steps: 'steps',
  runs: 'runs',
  workflow: (name: string, key: string | undefined) =>
    key === undefined ? `workflow:${name}` : `workflow:${name}:${key}`,
};
