import { parse } from 'yaml';
import type { RunRecord, StepRecord, StepStatus, Store } from '../store/types.js';
import { TERMINAL_RUN_STATUSES } from '../store/types.js';

/** How far a run has come: see `Engine.progress`. */
export interface RunProgress {
  /** 0..100, whole number: `finished` over `known`. */
  percent: number;
  finished: number;
  /** The document's top-level steps plus every step key started so far (loops and streams grow it). */
  known: number;
  /** Step keys running or waiting now. */
  running: string[];
  /** Estimated time left: median duration of recent completed runs of this document, minus the time spent; null without history. */
  etaMs: number | null;
}

/** Completed runs of the same workflow and document hash whose durations make the ETA. */
export const ETA_HISTORY = 20;

const FINISHED: ReadonlySet<StepStatus> = new Set([
  'completed',
  'failed',
  'skipped',
  'cancelled',
  'compensated',
]);
const ACTIVE: ReadonlySet<StepStatus> = new Set(['running', 'waiting']);

/** Reads the run, its steps and document, and recent runs, then computes its progress. */
export async function runProgress(store: Store, run: RunRecord, now: number): Promise<RunProgress> {
  const [steps, doc, history] = await Promise.all([
    store.getSteps(run.id),
    store.getDocument(run.documentHash),
    TERMINAL_RUN_STATUSES.has(run.status)
      ? Promise.resolve([])
      : store.listRuns({ workflow: run.workflow, status: 'completed', limit: ETA_HISTORY * 5 }),
  ]);
  const durations = history
    .filter((r) => r.documentHash === run.documentHash && r.startedAt !== null && r.endedAt !== null)
    .slice(0, ETA_HISTORY)
    .map((r) => (r.endedAt as number) - (r.startedAt as number));
  return progressOf({ run, steps, topLevel: topLevelIds(doc?.source), durations, now });
}

export interface ProgressInput {
  run: Pick<RunRecord, 'status' | 'startedAt'>;
  steps: readonly StepRecord[];
  topLevel: readonly string[];
  durations: readonly number[];
  now: number;
}

/** Pure: steps finished over steps known, the running ones, and the ETA. */
export function progressOf({ run, steps, topLevel, durations, now }: ProgressInput): RunProgress {
  const latest = new Map<string, StepStatus>();
  for (const id of topLevel) latest.set(id, 'pending');
  // Records come in start order: the last one of a key is its latest attempt.
  for (const step of steps) latest.set(step.stepKey, step.status);
  let finished = 0;
  const running: string[] = [];
  for (const [key, status] of latest) {
    if (FINISHED.has(status)) finished += 1;
    else if (ACTIVE.has(status)) running.push(key);
  }
  const known = latest.size;
  const ended = TERMINAL_RUN_STATUSES.has(run.status as RunRecord['status']);
  const percent = run.status === 'completed' ? 100 : known === 0 ? 0 : Math.floor((finished / known) * 100);
  return { percent, finished, known, running, etaMs: ended ? 0 : eta(durations, run.startedAt, now) };
}

function eta(durations: readonly number[], startedAt: number | null, now: number): number | null {
  if (durations.length === 0) return null;
  const sorted = [...durations].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1
      ? (sorted[mid] as number)
      : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return Math.max(0, Math.round(median - (startedAt === null ? 0 : now - startedAt)));
}

/** Ids of the document's top-level steps; none when it cannot be read (the steps started still count). */
function topLevelIds(source: string | undefined): string[] {
  if (source === undefined) return [];
  try {
    const doc = parse(source) as { steps?: unknown } | null;
    if (!Array.isArray(doc?.steps)) return [];
    return doc.steps.flatMap((step: unknown) =>
      typeof step === 'object' && step !== null && typeof (step as { id?: unknown }).id === 'string'
        ? [(step as { id: string }).id]
        : [],
    );
  } catch {
    return [];
  }
}

/** `42% (21/50 steps) · running: a, b · ETA 3s`, for `weft run`, `weft runs show` and `weft runs watch`. */
export function formatProgress(progress: RunProgress): string {
  const parts = [`${progress.percent}% (${progress.finished}/${progress.known} steps)`];
  if (progress.running.length > 0) parts.push(`running: ${progress.running.join(', ')}`);
  if (progress.etaMs !== null && progress.etaMs > 0) parts.push(`ETA ${formatEta(progress.etaMs)}`);
  return parts.join(' · ');
}

function formatEta(ms: number): string {
  const s = Math.ceil(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m ${s % 60}s` : `${Math.floor(m / 60)}h ${m % 60}m`;
}
