import {
  type AnyWeftEvent,
  type Engine,
  formatProgress,
  type RunHandle,
  type RunResult,
  type StepRecord,
} from '@weft/core';
import { EXIT } from '../errors.js';
import { type Colors, colorsFor } from '../render/colors.js';
import { LineRenderer } from '../render/line-renderer.js';
import type { RunRenderer } from '../render/renderer.js';
import { RunView } from '../render/run-view.js';
import { TreeRenderer } from '../render/tree-renderer.js';
import { catchInterruption } from './interruption.js';
import { runSummary, toJsonResult } from './summary.js';

const PROGRESS_MS = 1000;

export interface FollowOptions {
  /** Print only the `{"run_id","status","output","error"}` object on stdout. */
  json: boolean;
  /** Steps a resumed run already has, shown before its new events. */
  seed?: readonly StepRecord[];
  /** Called once the run is known; an exit code ends the command there (the run executes elsewhere). */
  started?(handle: RunHandle): number | undefined;
}

/**
 * Starts a run (or resumes one) and follows it to its end: progress on stderr, result on stdout.
 * Ctrl-C stops executing, releases the lease and says how to continue. Returns the exit code.
 */
export async function followRun(
  engine: Engine,
  start: () => Promise<RunHandle>,
  options: FollowOptions,
): Promise<number> {
  const stderr = process.stderr;
  const colors = colorsFor(stderr);
  const view = new RunView();
  let runId: string | undefined;
  let renderer: RunRenderer | undefined;
  const early: AnyWeftEvent[] = [];
  const show = (event: AnyWeftEvent): void => {
    view.apply(event);
    renderer?.event(event);
  };
  const off = engine.on('*', (event) => {
    if (runId === undefined) early.push(event);
    else if (event.runId === runId) show(event);
  });
  const interruption = catchInterruption();
  let progressTicker: NodeJS.Timeout | undefined;
  try {
    const handle = await start();
    const stop = options.started?.(handle);
    if (stop !== undefined) return stop;
    runId = handle.runId;
    if (options.seed) view.seed(options.seed);
    renderer = stderr.isTTY ? new TreeRenderer(view, stderr, colors) : new LineRenderer(stderr, colors);
    for (const event of early) if (event.runId === runId) view.apply(event);
    renderer.print(colors.dim(`▸ ${view.workflow ?? 'run'} · run ${runId}`));
    for (const event of early) if (event.runId === runId) renderer.event(event);
    early.length = 0;
    if (stderr.isTTY) progressTicker = showProgress(engine, runId, renderer, colors);

    const outcome = await Promise.race([handle.result(), interruption.signalled]);
    off();
    renderer.stop();
    if (typeof outcome === 'number') return await interrupted(engine, runId, outcome, options.json);
    stderr.write(`${runSummary(outcome, view, colors)}\n`);
    writeResult(outcome, options.json);
    return outcome.status === 'completed' ? EXIT.ok : EXIT.failed;
  } finally {
    clearInterval(progressTicker);
    renderer?.stop();
    interruption.dispose();
    off();
  }
}

/** On a terminal, a progress line (`42% (21/50 steps) · running: a · ETA 3s`) each second it changes. */
function showProgress(engine: Engine, runId: string, renderer: RunRenderer, colors: Colors): NodeJS.Timeout {
  let shown = '';
  const timer = setInterval(() => {
    void engine.progress(runId).then(
      (progress) => {
        const line = formatProgress(progress);
        if (line !== shown && progress.percent < 100) renderer.print(colors.dim(line));
        shown = line;
      },
      () => {},
    );
  }, PROGRESS_MS);
  timer.unref();
  return timer;
}

function writeResult(result: RunResult, json: boolean): void {
  if (json) process.stdout.write(`${JSON.stringify(toJsonResult(result))}\n`);
  else if (result.status === 'completed')
    process.stdout.write(`${JSON.stringify(result.output ?? null, null, 2)}\n`);
}

async function interrupted(engine: Engine, runId: string, code: number, json: boolean): Promise<number> {
  const status = (await engine.getRun(runId).catch(() => undefined))?.run.status ?? 'running';
  await engine.close();
  const ended = status === 'completed' || status === 'failed' || status === 'cancelled';
  process.stderr.write(
    ended
      ? `weft: interrupted; run ${runId} had already ended (${status})\n`
      : `weft: interrupted; run ${runId} stopped here and stays ${status}.\n  continue it with: weft runs resume ${runId}\n`,
  );
  if (json) process.stdout.write(`${JSON.stringify({ run_id: runId, status, output: null, error: null })}\n`);
  return code;
}
