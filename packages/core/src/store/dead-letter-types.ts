import type { ErrorInfo } from '../errors.js';
import type { StepRecord } from './types.js';

/** A step that failed for good (SPEC section 4, dead-letter queue). */
export interface DeadLetterRecord {
  id: string;
  workflow: string;
  version: number | null;
  runId: string;
  stepKey: string;
  stepId: string;
  /** The attempt that failed last (its step record's key). */
  attempt: number;
  /** The resolved inputs of that attempt, secrets redacted. */
  input: unknown;
  error: ErrorInfo;
  /** Attempts made, retries included. */
  attempts: number;
  createdAt: number;
}

export interface DeadLetterFilter {
  workflow?: string;
  runId?: string;
  /** Entries created at or after this time. */
  since?: number;
  /** Entries created strictly before this time. */
  before?: number;
  /** Newest first; default 100. */
  limit?: number;
}

/** What `Store.reopenRun` changes, in one transaction. */
export interface ReopenRun {
  runId: string;
  owner: string;
  leaseMs: number;
  now: number;
  /** The run's new deadline (`limits.timeout` counted again from now); null: none. */
  deadlineAt: number | null;
  /** Step records written over the ones with the same (step key, attempt). */
  steps: StepRecord[];
}
