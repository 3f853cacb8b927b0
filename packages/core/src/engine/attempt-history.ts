import { WeftError } from '../errors.js';
import type { StepRecord } from '../store/types.js';

/** `meta.replay` on a step record: a dead-letter replay starts a new attempt after this one. */
export interface ReplayMark {
  dlq_id: string;
  /** The edited input that replaces the step's resolved inputs (absent: resolve them again). */
  input?: unknown;
}

/**
 * What the recorded attempts of each step say about its next one: a retry that was pending when
 * the process stopped (it is waited for, at the time first set), and a dead-letter replay (retries
 * count again from it, with its edited input).
 */
export class AttemptHistory {
  /** The record of the highest attempt per step key. */
  readonly #latest = new Map<string, StepRecord>();
  /** The newest replay mark per step key, with its attempt. */
  readonly #replays = new Map<string, { attempt: number; mark: ReplayMark }>();

  constructor(history: readonly StepRecord[]) {
    for (const record of history) {
      const key = record.stepKey;
      if (record.attempt >= (this.#latest.get(key)?.attempt ?? 0)) this.#latest.set(key, record);
      const mark = replayMark(record);
      if (mark && record.attempt >= (this.#replays.get(key)?.attempt ?? 0))
        this.#replays.set(key, { attempt: record.attempt, mark });
    }
  }

  /**
   * The error of the step's last attempt when it failed and was waiting to be retried (or for its
   * `catch`) as the process stopped; undefined otherwise. Asked once per step key.
   */
  takePendingFailure(key: string): WeftError | undefined {
    const record = this.#latest.get(key);
    this.#latest.delete(key);
    if (record?.status !== 'failed' || record.meta?.final === true) return undefined;
    if (replayMark(record) || !record.error || record.error.code === 'interrupted') return undefined;
    const { code, message, ...details } = record.error;
    return new WeftError(code, message, { details });
  }

  /** Attempts before this one do not count against `max_attempts` (a dead-letter replay started here). */
  retryBase(key: string): number {
    return this.#replays.get(key)?.attempt ?? 0;
  }

  /** The edited input of a dead-letter replay of this step, as `{ input }`; undefined when none. */
  replayInput(key: string): { input: unknown } | undefined {
    const mark = this.#replays.get(key)?.mark;
    return mark && 'input' in mark ? { input: mark.input } : undefined;
  }
}

function replayMark(record: StepRecord): ReplayMark | undefined {
  const mark = record.meta?.replay;
  return mark !== null && typeof mark === 'object' ? (mark as ReplayMark) : undefined;
}
