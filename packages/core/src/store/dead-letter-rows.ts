import type { ErrorInfo } from '../errors.js';
import type { DeadLetterRecord } from './dead-letter-types.js';
import type { JsonDecoder } from './store-rows.js';

export const DEAD_LETTER_COLUMNS =
  'id, workflow, version, run_id, step_key, step_id, attempt, input, error, attempts, created_at';

/** Newest entries come first in every listing. */
export const DEAD_LETTER_ORDER = 'ORDER BY created_at DESC, id DESC';

/** Default of `DeadLetterFilter.limit`. */
export const DEAD_LETTER_LIMIT = 100;

/** A `dlq` row as the drivers return it; `J` is a JSON column (TEXT in SQLite, jsonb in PostgreSQL). */
export interface DeadLetterRow<J> {
  id: string;
  workflow: string;
  version: number | null;
  run_id: string;
  step_key: string;
  step_id: string;
  attempt: number;
  input: J | null;
  error: J;
  attempts: number;
  created_at: number;
}

export function toDeadLetterRecord<J>(row: DeadLetterRow<J>, decode: JsonDecoder<J>): DeadLetterRecord {
  return {
    id: row.id,
    workflow: row.workflow,
    version: row.version,
    runId: row.run_id,
    stepKey: row.step_key,
    stepId: row.step_id,
    attempt: row.attempt,
    input: decode(row.input),
    error: decode(row.error) as ErrorInfo,
    attempts: row.attempts,
    createdAt: row.created_at,
  };
}
