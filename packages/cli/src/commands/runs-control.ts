import { createInterface } from 'node:readline/promises';
import type { ControlResult, Engine, ResumedRun, RunRecord, RunResult, RunStatus } from '@weft/core';
import { type Command, Option } from 'commander';
import { currentUser } from '../args/current-user.js';
import { type CliContext, loadContext, withEngine } from '../context.js';
import { describeError, EXIT, exitCodeFor, UsageError } from '../errors.js';
import { reportNotStarted } from '../follow/not-started.js';
import { exitWith } from './action.js';

type Action = 'pause' | 'resume' | 'cancel';

const RUN_STATUSES = ['pending', 'running', 'paused', 'completed', 'failed', 'cancelled'] as const;

/** The statuses of the runs each action applies to, when runs are chosen by filter. */
const APPLIES_TO: Record<Action, readonly RunStatus[]> = {
  pause: ['pending', 'running'],
  resume: ['paused'],
  cancel: ['pending', 'running', 'paused'],
};

const DONE: Record<Action, string> = { pause: 'paused', resume: 'resumed', cancel: 'cancelled' };

const DESCRIPTIONS: Record<Action, string> = {
  pause: 'pause runs, wherever they execute: running steps finish, no new step starts, timers are held',
  resume:
    'resume a paused run (where it executes), or continue an interrupted run here and follow it like `weft run`',
  cancel: 'cancel runs, wherever they execute: running steps are aborted, child runs cancelled',
};

interface ControlOptions {
  workflow?: string;
  status?: RunStatus;
  all?: boolean;
  yes?: boolean;
  by?: string;
  reason?: string;
  json?: boolean;
}

/** `weft runs pause | resume | cancel`, by id or by filter. */
export function registerRunControl(runs: Command): void {
  for (const action of ['pause', 'resume', 'cancel'] as const) {
    const command = runs
      .command(action)
      .description(DESCRIPTIONS[action])
      .argument('[id]', 'run id (or choose runs with --workflow, --status, --all)')
      .option('--workflow <name>', `the runs of this workflow it applies to`)
      .addOption(new Option('--status <status>', 'only runs in this state').choices(RUN_STATUSES))
      .option('--all', `every run it applies to (${APPLIES_TO[action].join(', ')})`)
      .option('-y, --yes', 'do not ask for confirmation when choosing runs by filter')
      .option('--by <name>', 'who asks, recorded with the run (default: the current user)');
    if (action !== 'resume') command.option('--reason <text>', 'why, recorded with the run');
    command
      .option('--json', 'print what was done as JSON')
      .addHelpText(
        'after',
        '\nBy filter, the runs are listed and confirmed on a terminal; elsewhere --yes is required (else exit 2).',
      )
      .action(
        exitWith((id: string | undefined, options: ControlOptions, cmd: Command) =>
          control(action, id, options, cmd),
        ),
      );
  }
}

async function control(action: Action, id: string | undefined, options: ControlOptions, command: Command) {
  const filtered = options.workflow !== undefined || options.status !== undefined || options.all === true;
  if (id !== undefined && filtered) {
    throw new UsageError(`runs ${action}: give a run id or a filter (--workflow, --status, --all), not both`);
  }
  if (id === undefined && !filtered) {
    throw new UsageError(
      `runs ${action}: expected a run id, or --workflow <name>, --status <status> or --all`,
    );
  }
  if (id !== undefined && action === 'resume') return resumeOne(id, options, command);
  const ctx = await loadContext(command);
  const request = { by: options.by ?? currentUser(), reason: options.reason };
  return withEngine(ctx, async (engine) => {
    if (id !== undefined) {
      const done = await applyTo(engine, action, id, request);
      print(action, [{ id, done }], options.json === true, true);
      return EXIT.ok;
    }
    const runs = await select(engine, action, options);
    if (runs.length === 0) {
      if (options.json) process.stdout.write('[]\n');
      process.stderr.write(`no runs to ${action}\n`);
      return EXIT.ok;
    }
    if (!(await confirmed(action, runs, options.yes === true))) {
      process.stderr.write('nothing changed\n');
      return EXIT.failed;
    }
    const outcomes: Outcome[] = [];
    for (const run of runs) {
      try {
        outcomes.push({ id: run.id, done: await applyTo(engine, action, run.id, request) });
      } catch (error) {
        outcomes.push({ id: run.id, error });
      }
    }
    print(action, outcomes, options.json === true, false);
    const local = outcomes.flatMap((o) => (o.done && 'local' in o.done && o.done.local ? [o.done] : []));
    const codes = outcomes.map((o) => (o.error === undefined ? EXIT.ok : exitCodeFor(o.error)));
    const ended = await waitForLocal(local, options.json === true);
    return Math.max(...codes, ended);
  });
}

type Done = ControlResult | ResumedRun;
interface Outcome {
  id: string;
  done?: Done;
  error?: unknown;
}

function applyTo(engine: Engine, action: Action, id: string, request: { by?: string; reason?: string }) {
  if (action === 'pause') return engine.pause(id, request);
  if (action === 'cancel') return engine.cancel(id, request);
  return engine.resume(id, { by: request.by });
}

/** The runs a filter names that the action applies to, newest first. */
async function select(engine: Engine, action: Action, options: ControlOptions): Promise<RunRecord[]> {
  const applies = APPLIES_TO[action];
  if (options.status !== undefined && !applies.includes(options.status)) {
    throw new UsageError(
      `--status ${options.status}: runs that are ${options.status} cannot be ${DONE[action]}; expected one of ${applies.join(', ')}`,
    );
  }
  const status = options.status === undefined ? [...applies] : [options.status];
  return engine.listRuns({ workflow: options.workflow, status, limit: 100_000 });
}

/** On a terminal: lists the runs and asks. Elsewhere only `--yes` confirms (else a usage error). */
async function confirmed(action: Action, runs: readonly RunRecord[], yes: boolean): Promise<boolean> {
  if (yes) return true;
  const what = `${action} ${runs.length} run${runs.length === 1 ? '' : 's'}`;
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    throw new UsageError(
      `refusing to ${what} without confirmation: add --yes (there is no terminal to ask on)`,
    );
  }
  for (const run of runs) process.stderr.write(`  ${run.id}  ${run.workflow}  ${run.status}\n`);
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await prompt.question(`${what}? [y/N] `)).trim());
  } finally {
    prompt.close();
  }
}

function print(action: Action, outcomes: readonly Outcome[], json: boolean, single: boolean): void {
  if (json) {
    const rows = outcomes.map(({ id, done, error }) => ({
      run_id: id,
      action,
      applied_by: done ? ('appliedBy' in done ? done.appliedBy : done.local ? 'here' : 'owner') : null,
      owner: done?.owner ?? null,
      error:
        error === undefined
          ? null
          : { code: (error as { code?: string }).code ?? 'error', message: String((error as Error).message) },
    }));
    process.stdout.write(`${JSON.stringify(single ? rows[0] : rows, null, 2)}\n`);
    return;
  }
  for (const { id, done, error } of outcomes) {
    if (error !== undefined) process.stderr.write(`${describeError(error).join('\n')}\n`);
    else if (done) process.stdout.write(`${sentence(action, id, done)}\n`);
  }
}

function sentence(action: Action, id: string, done: Done): string {
  const owner = done.owner ?? 'the process executing it';
  if ('appliedBy' in done) {
    if (done.appliedBy === 'here') return `${DONE[action]} run ${id}`;
    return action === 'pause'
      ? `pausing run ${id}: ${owner} executes it and pauses it within a second`
      : `cancelling run ${id}: ${owner} executes it and stops it within a second`;
  }
  if (!done.local) return `resumed run ${id}: it continues in ${owner}`;
  return done.unpaused ? `resumed run ${id}: it continues here` : `continuing interrupted run ${id} here`;
}

/** Resumed runs that continue in this process: wait for them, one line each (like `weft recover`). */
async function waitForLocal(handles: readonly ResumedRun[], json: boolean): Promise<number> {
  if (handles.length === 0) return EXIT.ok;
  const results: RunResult[] = await Promise.all(handles.map((handle) => handle.result()));
  if (!json) {
    for (const result of results) process.stdout.write(`run ${result.runId} ${result.status}\n`);
  }
  return results.every((r) => r.status === 'completed') ? EXIT.ok : EXIT.failed;
}

/** `weft runs resume <id>`: un-pauses where the run executes, or continues it here and follows it. */
async function resumeOne(id: string, options: ControlOptions, command: Command): Promise<number> {
  const json = options.json === true;
  try {
    const ctx: CliContext = await loadContext(command);
    const { followRun } = await import('../follow/follow-run.js');
    return await withEngine(ctx, async (engine) => {
      const seed = (await engine.getRun(id))?.steps ?? [];
      const by = options.by ?? currentUser();
      return followRun(engine, () => engine.resume(id, { by }), {
        json,
        seed,
        started: (handle) => announce(handle as ResumedRun, json),
      });
    });
  } catch (error) {
    const debug = command.optsWithGlobals<{ debug?: boolean }>().debug === true;
    return reportNotStarted(error, { json, debug });
  }
}

/** Says what `resume` did; a run that continues in another process is not followed here. */
function announce(resumed: ResumedRun, json: boolean): number | undefined {
  process.stderr.write(`weft: ${sentence('resume', resumed.runId, resumed)}\n`);
  if (resumed.local) return undefined;
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ run_id: resumed.runId, status: 'running', output: null, error: null })}\n`,
    );
  }
  return EXIT.ok;
}
