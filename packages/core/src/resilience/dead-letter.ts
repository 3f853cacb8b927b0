import { randomUUID } from 'node:crypto';
import type { ErrorInfo, WeftError } from '../errors.js';
import type { DeadLetterRecord, RunRecord, StepRecord } from '../store/types.js';

export interface DeadLetterSource {
  run: Pick<RunRecord, 'id' | 'workflow' | 'version'>;
  /** The step's final record (status failed). */
  record: StepRecord;
  error: WeftError;
  /** Whether the step's type makes attempts (skill, agent, workflow): only those are dead-lettered. */
  attempts: boolean;
  /** The step's list was stopped (run cancelled, timed out, rolling back; a sibling failed). */
  cutShort: boolean;
  redact(value: unknown): unknown;
  now: number;
}

/**
 * The dead-letter entry of a step that failed for good, or undefined when it is not one: only
 * steps that make attempts (skill, agent, workflow) and that failed on their own, not because
 * their run or list was stopped.
 */
export function deadLetterFor(source: DeadLetterSource): DeadLetterRecord | undefined {
  const { run, record, error } = source;
  if (!source.attempts || source.cutShort || error.code === 'cancelled') return undefined;
  return {
    id: randomUUID(),
    workflow: run.workflow,
    version: run.version,
    runId: run.id,
    stepKey: record.stepKey,
    stepId: record.stepId,
    attempt: record.attempt,
    input: source.redact(record.input ?? null),
    error: source.redact(error.toInfo()) as ErrorInfo,
    attempts: record.attempt,
    createdAt: source.now,
  };
}
