import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/open-store.js';
import { type RunRecord, type StepRecord, TERMINAL_RUN_STATUSES } from '../../src/store/types.js';

const WORKER = join(import.meta.dirname, '..', 'fixtures', 'crash-worker.mjs');

export interface CrashOutcome {
  /** How many kills landed before the run finished. */
  kills: number;
  /** The SQLite store the workers shared (`sqlite:<db>`). */
  db: string;
  run: RunRecord | undefined;
  steps: StepRecord[];
  /** One line per execution of the `mark` skill: its step key. */
  executions: string[];
  /** Per kill: the steps the store had completed, and how many executions had happened. */
  snapshots: { doneBefore: Set<string>; executionsAt: number }[];
}

function lines(path: string): string[] {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : [];
}

function spawnWorker(args: string[], cwd: string) {
  const child: ChildProcess = spawn(process.execPath, [WORKER, ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const runId = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /run (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.on('exit', () => reject(new Error(`worker exited before starting a run: ${err}`)));
  });
  runId.catch(() => {});
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, runId, exited, stderr: () => err };
}

async function waitForLines(path: string, count: number, exited: Promise<unknown>): Promise<void> {
  let done = false;
  void exited.then(() => {
    done = true;
  });
  while (!done && lines(path).length < count) await new Promise((r) => setTimeout(r, 1));
}

/**
 * Runs `workflow` in a real child process, SIGKILLs it after each count of executions in
 * `killAfter` (plus a few ms, varied), resumes it in a new process each time, and lets the last
 * one finish. Returns what the store and the execution log say. `files` (name -> content) are
 * written beside the workflow, in the workers' working directory (child workflows, data).
 */
export async function crashAndRecover(
  workflow: string,
  killAfter: number[],
  options: { files?: Record<string, string> } = {},
): Promise<CrashOutcome> {
  const dir = mkdtempSync(join(tmpdir(), 'weft-crash-'));
  const db = join(dir, 'weft.db');
  const markers = join(dir, 'markers.txt');
  const flow = join(dir, 'flow.yaml');
  writeFileSync(flow, workflow);
  for (const [name, content] of Object.entries(options.files ?? {})) writeFileSync(join(dir, name), content);
  let worker = spawnWorker(['start', db, markers, flow], dir);
  const runId = await worker.runId;
  const snapshots: CrashOutcome['snapshots'] = [];
  let ended = false;
  for (const [i, target] of killAfter.entries()) {
    await waitForLines(markers, target, worker.exited);
    await new Promise((r) => setTimeout(r, i % 4));
    // The run may have finished before this kill point: nothing left to interrupt.
    if (worker.child.exitCode !== null) break;
    worker.child.kill('SIGKILL');
    await worker.exited;
    const store = await openStore(`sqlite:${db}`);
    const steps = await store.getSteps(runId);
    // Child runs (`workflow` steps) count too: their steps must not run again once done either.
    for (const child of await store.listRuns({ parentRunId: runId }))
      steps.push(...(await store.getSteps(child.id)));
    // On a loaded machine the run can end between the last count and the kill landing.
    ended = TERMINAL_RUN_STATUSES.has((await store.getRun(runId))!.status);
    await store.close();
    if (ended) break;
    snapshots.push({
      doneBefore: new Set(steps.filter((s) => s.status === 'completed').map((s) => s.stepKey)),
      executionsAt: lines(markers).length,
    });
    worker = spawnWorker(['resume', db, markers, runId], dir);
    await worker.runId;
  }
  if (!ended) {
    const code = await worker.exited;
    if (code !== 0) throw new Error(`the last worker exited with ${code}: ${worker.stderr()}`);
  }
  const store = await openStore(`sqlite:${db}`);
  const run = await store.getRun(runId);
  const steps = await store.getSteps(runId);
  await store.close();
  return { db, kills: snapshots.length, run, steps, executions: lines(markers), snapshots };
}

/** Step keys recorded completed more than once (there must be none). */
export function completedTwice(steps: StepRecord[]): string[] {
  const seen = new Map<string, number>();
  for (const step of steps)
    if (step.status === 'completed') seen.set(step.stepKey, (seen.get(step.stepKey) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([key]) => key);
}

/** Executions that happened after a kill of a step the store already had completed then. */
export function reExecutedAfterCompletion(outcome: CrashOutcome): string[] {
  const bad: string[] = [];
  for (const { doneBefore, executionsAt } of outcome.snapshots) {
    for (const key of outcome.executions.slice(executionsAt)) if (doneBefore.has(key)) bad.push(key);
  }
  return bad;
}
