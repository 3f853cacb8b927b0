import type { RunRecord } from '@weft/core';
import type { Colors } from './colors.js';
import { errorLine } from './format.js';

interface Compensation {
  ran?: unknown;
  failed?: unknown;
}

/**
 * The `compensated` line of `weft runs show` for a run that rolled back: the steps undone, in
 * order, and the compensations that failed; none when the run did not roll back.
 * @example compensationLine(run, colors) // 'b, a undone; failed: c (skill_error: refund refused)'
 */
export function compensationLine(run: RunRecord, colors: Colors): string | undefined {
  const compensation = run.error?.compensation as Compensation | undefined;
  if (!compensation || typeof compensation !== 'object') return undefined;
  const ran = Array.isArray(compensation.ran) ? compensation.ran.map(String) : [];
  const failed = Array.isArray(compensation.failed)
    ? (compensation.failed as { step?: unknown; error?: { code?: unknown; message?: unknown } }[])
    : [];
  const parts = [ran.length > 0 ? `${ran.join(', ')} undone` : 'nothing to undo'];
  if (failed.length > 0) {
    const list = failed.map((f) => `${String(f.step)} (${errorLine(f.error)})`).join(', ');
    parts.push(colors.red(`failed: ${list}`));
  }
  return parts.join('; ');
}
