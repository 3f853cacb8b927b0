import type { RunResult } from '@weft/core';
import type { Colors } from '../render/colors.js';
import { errorLine, formatDuration } from '../render/format.js';
import type { RunView } from '../render/run-view.js';
import { statusSymbol } from '../render/symbols.js';

/** The `weft run --json` object: exactly these four keys. */
export interface JsonRunResult {
  run_id: string | null;
  status: string | null;
  output: unknown;
  error: { code: string; message: string; step: string | null } | null;
}

export function toJsonResult(result: RunResult): JsonRunResult {
  const error = result.error;
  return {
    run_id: result.runId,
    status: result.status,
    output: result.output ?? null,
    error: error ? { code: error.code, message: error.message, step: error.step ?? null } : null,
  };
}

/** `✓ completed order-pipeline in 1.20s (5 steps)`, or the failure with its step and a pointer. */
export function runSummary(result: RunResult, view: RunView, colors: Colors): string {
  const took = view.durationMs === null ? '' : ` in ${formatDuration(view.durationMs)}`;
  const name = view.workflow ? ` ${view.workflow}` : '';
  const head = `${statusSymbol(result.status, colors)} ${result.status}${name}${took}`;
  if (result.status === 'completed') {
    const steps = view.count('completed');
    return `${head} ${colors.dim(`(${steps} step${steps === 1 ? '' : 's'})`)}`;
  }
  const where = result.error?.step ? `${result.error.step}: ` : '';
  const why = result.error ? `: ${colors.red(`${where}${errorLine(result.error)}`)}` : '';
  return `${head}${why}\n  ${colors.dim(`details: weft runs show ${result.runId}`)}`;
}
