import { type EventFilter, type EventType, matchesFilter, type RunRecord, type Store } from '@weft/core';
import type { Colors } from '../render/colors.js';
import { clock } from '../render/format.js';
import { WATCH_POLL_MS } from './watch-run.js';

export interface TailOptions {
  filter: EventFilter;
  json: boolean;
  colors: Colors;
  /** Resolves to stop (Ctrl-C). */
  stopped: Promise<unknown>;
  /** Recent runs read per poll; default 100. */
  runs?: number;
}

/**
 * Prints every new event of the store's recent runs as it is stored (any process), until stopped:
 * events already stored when the tail starts are not shown, those of runs created later all are.
 */
export async function tailEvents(store: Store, options: TailOptions): Promise<void> {
  let stop = false;
  void options.stopped.then(() => {
    stop = true;
  });
  const seen = new Map<string, number>();
  const startedAt = Date.now();
  let first = true;
  const types = options.filter.type;
  const single = typeof types === 'string' ? types : undefined;
  while (!stop) {
    const runs = await store.listRuns({ workflow: options.filter.workflow, limit: options.runs ?? 100 });
    for (const run of runs.reverse()) {
      const known = seen.get(run.id);
      // A run that existed before the tail started begins at its current end; a new one at its start.
      const from = known ?? (first && run.createdAt < startedAt ? run.lastSeq : 0);
      seen.set(run.id, from);
      if (run.lastSeq <= from) continue;
      for (const record of await store.getEvents(run.id, from)) {
        seen.set(run.id, record.seq);
        if (single !== undefined && record.type !== single) continue;
        if (!matchesFilter(options.filter, record, run.workflow)) continue;
        process.stdout.write(
          `${options.json ? JSON.stringify({ ...record, workflow: run.workflow }) : line(record, run, options.colors)}\n`,
        );
      }
    }
    if (first) process.stderr.write('weft: following new events (Ctrl-C to stop)\n');
    first = false;
    await Promise.race([new Promise((resolve) => setTimeout(resolve, WATCH_POLL_MS)), options.stopped]);
  }
}

function line(
  record: { type: string; seq: number; time: number; stepKey: string | null },
  run: RunRecord,
  c: Colors,
): string {
  const step = record.stepKey === null ? '' : ` ${record.stepKey}`;
  return `${c.dim(clock(record.time))} ${run.workflow} ${c.dim(run.id)} #${record.seq} ${record.type}${step}`;
}

export function parseTypes(value: string | undefined): EventType[] | undefined {
  return value === undefined
    ? undefined
    : (value
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean) as EventType[]);
}
