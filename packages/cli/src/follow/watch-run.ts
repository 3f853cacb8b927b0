import {
  type AnyWeftEvent,
  type EventRecord,
  formatProgress,
  type RunRecord,
  type RunStatus,
  runProgress,
  type Store,
} from '@weft/core';
import { EXIT } from '../errors.js';
import { colorsFor } from '../render/colors.js';
import { LineRenderer } from '../render/line-renderer.js';
import type { RunRenderer } from '../render/renderer.js';
import { RunView } from '../render/run-view.js';
import { TreeRenderer } from '../render/tree-renderer.js';
import { runSummary } from './summary.js';

const ENDED: ReadonlySet<RunStatus> = new Set(['completed', 'failed', 'cancelled']);

/** How often the store is read: the run may execute in another process. */
export const WATCH_POLL_MS = 200;

export interface WatchOptions {
  /** Print each event as a JSON line on stdout instead of the display. */
  json: boolean;
  /** Resolves to stop watching early (Ctrl-C). */
  stopped: Promise<unknown>;
}

/** A stored event as the bus delivered it (the display reads the same shape). */
export function toWeftEvent(record: EventRecord, workflow: string): AnyWeftEvent {
  return { ...record, workflow } as AnyWeftEvent;
}

/**
 * Follows one run from the store until it ends, with the display of `weft run` and a progress
 * line (`42% (21/50 steps) · running: a · ETA 3s`) whenever it changes. Returns the exit code.
 */
export async function watchRun(store: Store, first: RunRecord, options: WatchOptions): Promise<number> {
  const stderr = process.stderr;
  const colors = colorsFor(stderr);
  const view = new RunView();
  let renderer: RunRenderer | undefined;
  if (!options.json) {
    renderer = stderr.isTTY ? new TreeRenderer(view, stderr, colors) : new LineRenderer(stderr, colors);
    renderer.print(colors.dim(`▸ ${first.workflow} · run ${first.id}`));
  }
  let stop = false;
  void options.stopped.then(() => {
    stop = true;
  });
  let afterSeq = 0;
  let shown = '';
  let run = first;
  try {
    while (!stop) {
      const records = await store.getEvents(run.id, afterSeq);
      for (const record of records) {
        afterSeq = record.seq;
        const event = toWeftEvent(record, run.workflow);
        if (options.json) process.stdout.write(`${JSON.stringify(event)}\n`);
        else {
          view.apply(event);
          renderer?.event(event);
        }
      }
      run = (await store.getRun(run.id)) ?? run;
      const ended = ENDED.has(run.status) && afterSeq >= run.lastSeq;
      if (!options.json && !ended) {
        const line = formatProgress(await runProgress(store, run, Date.now()));
        if (line !== shown) renderer?.print(colors.dim(line));
        shown = line;
      }
      if (ended) {
        renderer?.stop();
        const result = { runId: run.id, status: run.status, output: run.output, error: run.error };
        if (!options.json) stderr.write(`${runSummary(result, view, colors)}\n`);
        return run.status === 'completed' ? EXIT.ok : EXIT.failed;
      }
      await Promise.race([new Promise((resolve) => setTimeout(resolve, WATCH_POLL_MS)), options.stopped]);
    }
    return EXIT.interrupted;
  } finally {
    renderer?.stop();
  }
}
