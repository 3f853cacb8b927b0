import type { RunStatus, Store } from '@weft/core';
import { type Command, Option } from 'commander';
import { type CliContext, loadContext, withStore } from '../context.js';
import { EXIT } from '../errors.js';
import { exitWith, positiveInt } from './action.js';
import { registerRunControl } from './runs-control.js';
import { registerRerun } from './runs-rerun.js';
import { registerWatch } from './runs-watch.js';

const RUN_STATUSES = ['pending', 'running', 'paused', 'completed', 'failed', 'cancelled'] as const;

interface ListOptions {
  workflow?: string;
  status?: RunStatus;
  limit: number;
  json?: boolean;
}

export function registerRuns(program: Command): void {
  const runs = program
    .command('runs')
    .description('list, inspect, pause, resume and cancel runs in the store');
  runs
    .command('list')
    .description('list runs, newest first')
    .option('--workflow <name>', 'only runs of this workflow')
    .addOption(new Option('--status <status>', 'only runs in this state').choices(RUN_STATUSES))
    .option('--limit <n>', 'at most this many runs', positiveInt('--limit'), 50)
    .option('--json', 'print the runs as a JSON array')
    .action(exitWith(listAction));
  runs
    .command('show')
    .description('show a run and its steps')
    .argument('<id>', 'run id')
    .option('--json', 'print {"run", "steps"} as JSON')
    .action(exitWith(showAction));
  runs
    .command('logs')
    .description("print a run's log lines and step failures, in order")
    .argument('<id>', 'run id')
    .option('--json', 'print the events as a JSON array')
    .option('-f, --follow', 'keep printing new lines until the run ends')
    .action(exitWith(logsAction));
  registerRunControl(runs);
  registerRerun(runs);
  registerWatch(runs);
}

/** The store, migrated like an engine would, for reading. */
async function reading<T>(ctx: CliContext, body: (store: Store) => Promise<T>): Promise<T> {
  return withStore(ctx, async (store) => {
    await store.migrate();
    return body(store);
  });
}

async function listAction(options: ListOptions, command: Command): Promise<number> {
  const ctx = await loadContext(command);
  const [{ runJson }, { table }, { colorsFor }, format, symbols] = await Promise.all([
    import('../render/run-json.js'),
    import('../render/table.js'),
    import('../render/colors.js'),
    import('../render/format.js'),
    import('../render/symbols.js'),
  ]);
  const filter = { workflow: options.workflow, status: options.status, limit: options.limit };
  const runs = await reading(ctx, (store) => store.listRuns(filter));
  if (options.json) {
    process.stdout.write(`${JSON.stringify(runs.map(runJson), null, 2)}\n`);
    return EXIT.ok;
  }
  if (runs.length === 0) {
    process.stderr.write('no runs\n');
    return EXIT.ok;
  }
  const c = colorsFor(process.stdout);
  const text = table(runs, [
    { header: 'ID', value: (r) => r.id },
    { header: 'WORKFLOW', value: (r) => r.workflow },
    {
      header: 'STATUS',
      value: (r) => `${symbols.statusSymbol(r.status, c)} ${symbols.statusWord(r.status, c)}`,
    },
    { header: 'STARTED', value: (r) => format.dateTime(r.startedAt ?? r.createdAt) },
    { header: 'DURATION', value: (r) => format.span(r.startedAt, r.endedAt), align: 'right' },
  ]);
  process.stdout.write(`${text}\n`);
  return EXIT.ok;
}

async function showAction(id: string, options: { json?: boolean }, command: Command): Promise<number> {
  const ctx = await loadContext(command);
  const { run, steps, children } = await reading(ctx, async (store) => {
    const found = await requireRun(ctx, store, id);
    const [steps, children] = await Promise.all([
      store.getSteps(id),
      store.listRuns({ parentRunId: id, limit: 500 }),
    ]);
    return { run: found, steps, children: children.reverse() };
  });
  if (options.json) {
    const { runJson, stepJson } = await import('../render/run-json.js');
    const usage = ctx.core.runUsage(steps);
    const body = {
      run: runJson(run),
      steps: steps.map(stepJson),
      children: children.map(runJson),
      ...(usage ? { usage } : {}),
    };
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    return EXIT.ok;
  }
  const [{ childTable, runHeader, stepTable }, { colorsFor }] = await Promise.all([
    import('../render/run-details.js'),
    import('../render/colors.js'),
  ]);
  const c = colorsFor(process.stdout);
  const childLines = children.length > 0 ? `\n\nchild runs\n${childTable(children, c)}` : '';
  const usage = ctx.core.runUsage(steps);
  const tokens = usage
    ? `\n${c.dim('tokens'.padEnd(9))}${usage.total_tokens} (prompt ${usage.prompt_tokens}, completion ${usage.completion_tokens})${usage.cost === undefined ? '' : `\n${c.dim('cost'.padEnd(9))}${usage.cost}${usage.currency ? ` ${usage.currency}` : ''}`}`
    : '';
  const progress = await reading(ctx, (store) => ctx.core.runProgress(store, run, Date.now()));
  const progressLine = `\n${c.dim('progress'.padEnd(9))}${ctx.core.formatProgress(progress)}`;
  process.stdout.write(
    `${runHeader(run, c)}${progressLine}${tokens}\n\n${stepTable(steps, c)}${childLines}\n`,
  );
  return EXIT.ok;
}

async function logsAction(
  id: string,
  options: { json?: boolean; follow?: boolean },
  command: Command,
): Promise<number> {
  const ctx = await loadContext(command);
  const { LOG_EVENT_TYPES, logRecordLine } = await import('../render/run-details.js');
  if (options.follow) {
    const [{ followLogs }, { colorsFor }, { eventJson }] = await Promise.all([
      import('../follow/follow-logs.js'),
      import('../render/colors.js'),
      import('../render/run-json.js'),
    ]);
    const c = colorsFor(process.stdout);
    await reading(ctx, async (store) => {
      await requireRun(ctx, store, id);
      await followLogs({
        store,
        runId: id,
        isLog: (event) => LOG_EVENT_TYPES.has(event.type),
        // With --json, one JSON object per line (NDJSON), as they come.
        write: (event) => {
          const line = options.json ? JSON.stringify(eventJson(event)) : logRecordLine(event, c);
          if (line !== undefined) process.stdout.write(`${line}\n`);
        },
      });
    });
    return EXIT.ok;
  }
  const events = await reading(ctx, async (store) => {
    await requireRun(ctx, store, id);
    return (await store.getEvents(id)).filter((event) => LOG_EVENT_TYPES.has(event.type));
  });
  if (options.json) {
    const { eventJson } = await import('../render/run-json.js');
    process.stdout.write(`${JSON.stringify(events.map(eventJson), null, 2)}\n`);
    return EXIT.ok;
  }
  const { colorsFor } = await import('../render/colors.js');
  const c = colorsFor(process.stdout);
  const lines = events.map((event) => logRecordLine(event, c)).filter((line) => line !== undefined);
  if (lines.length === 0) process.stderr.write(`no log lines for run ${id}\n`);
  else process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}

async function requireRun(ctx: CliContext, store: Store, id: string) {
  const run = await store.getRun(id);
  if (!run)
    throw new ctx.core.WeftError(
      'not_found',
      `no run with id '${id}' in this store (${ctx.core.maskUrl(ctx.storeUrl)})`,
    );
  return run;
}
