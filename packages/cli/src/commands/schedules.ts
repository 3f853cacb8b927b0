import type { FireRecord, ScheduleAdmin, ScheduleDefinition, ScheduleView } from '@weft/core';
import { type Command, Option } from 'commander';
import { parseJsonOption } from '../args/json-option.js';
import { type CliContext, loadContext, withStore } from '../context.js';
import { EXIT, UsageError } from '../errors.js';
import { exitWith, positiveInt } from './action.js';

interface CreateOptions {
  cron?: string;
  tz?: string;
  every?: string;
  at?: string;
  input?: string;
  overlap?: ScheduleDefinition['overlap'];
  maxConcurrent?: number;
  misfire?: ScheduleDefinition['misfire'];
  pauseAfterFailures?: number;
  name?: string;
  json?: boolean;
}

const json = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

/** `weft schedules create | list | show | history | pause | resume | delete | preview`. */
export function registerSchedules(program: Command): void {
  const schedules = program
    .command('schedules')
    .description('start runs on a schedule: cron (with time zones), every <duration>, or once at a time');
  schedules
    .command('create')
    .description('create a schedule for a registered workflow or a document path')
    .argument('<workflow>', 'a registered workflow name, or a path to a .yaml/.json document')
    .option('--cron <expr>', "cron expression: 5 fields, or 6 with seconds first (e.g. '30 2 * * *')")
    .option('--tz <zone>', 'IANA time zone of --cron (default UTC), e.g. America/New_York')
    .option('--every <duration>', "a fixed interval, e.g. '30s', '5m', '1h30m'")
    .option('--at <timestamp>', 'once, at an ISO 8601 time with a zone, e.g. 2026-05-01T09:00:00Z')
    .option(
      '--input <json>',
      'run input: JSON or @file.json; ${ } expressions see schedule.fired_at, schedule.name, now',
    )
    .addOption(
      new Option('--overlap <policy>', 'when max-concurrent runs still run')
        .choices(['skip', 'queue', 'allow', 'cancel_previous'])
        .default('skip'),
    )
    .option(
      '--max-concurrent <n>',
      'runs of this schedule at once before --overlap applies',
      positiveInt('--max-concurrent'),
      1,
    )
    .addOption(
      new Option('--misfire <policy>', 'fires missed while no scheduler ran')
        .choices(['skip', 'run_once', 'run_all'])
        .default('skip'),
    )
    .option(
      '--pause-after-failures <n>',
      'pause after this many consecutive failed runs',
      positiveInt('--pause-after-failures'),
    )
    .option('--name <name>', "the schedule's name (default: the workflow's)")
    .option('--json', 'print the schedule as JSON')
    .addHelpText(
      'after',
      `\nExamples:\n  weft schedules create deploy --cron "0 9 * * 1-5" --tz Europe/Berlin\n  weft schedules create ./report.yaml --every 15m --input '{"day":"\${ schedule.fired_at }"}'\n  weft schedules create cleanup --at 2026-05-01T03:00:00Z`,
    )
    .action(exitWith(createAction));
  schedules
    .command('list')
    .description('list schedules with their next 5 fire times')
    .option('--json', 'print the schedules as a JSON array')
    .action(exitWith(listAction));
  schedules
    .command('show')
    .description('show a schedule, its next fires and its last fires')
    .argument('<name>', 'schedule name')
    .option('--json', 'print the schedule as JSON')
    .action(exitWith(showAction));
  schedules
    .command('history')
    .description("a schedule's fires, newest first: fired at, run id, status, duration")
    .argument('<name>', 'schedule name')
    .option('--limit <n>', 'at most this many fires', positiveInt('--limit'), 50)
    .option('--json', 'print the fires as a JSON array')
    .action(exitWith(historyAction));
  for (const verb of ['pause', 'resume', 'delete'] as const) {
    schedules
      .command(verb)
      .description(
        verb === 'pause'
          ? 'stop firing until resumed (runs already started go on)'
          : verb === 'resume'
            ? 'fire again from now on (fires missed while paused are not made up)'
            : 'delete a schedule and its history (runs are kept)',
      )
      .argument('<name>', 'schedule name')
      .option('--json', 'print the result as JSON')
      .action(
        exitWith((name: string, options: { json?: boolean }, command: Command) =>
          changeAction(verb, name, options, command),
        ),
      );
  }
  schedules
    .command('preview')
    .description('the next fire times of a cron expression')
    .argument('<cron>', "cron expression, e.g. '30 2 * * *'")
    .option('--tz <zone>', 'IANA time zone (default UTC)')
    .option('--count <n>', 'how many fire times', positiveInt('--count'), 5)
    .option('--json', 'print {"cron","tz","fires":[...]} as JSON')
    .action(exitWith(previewAction));
}

async function withAdmin<T>(ctx: CliContext, body: (admin: ScheduleAdmin) => Promise<T>): Promise<T> {
  return withStore(ctx, async (store) => {
    await store.migrate();
    return body(new ctx.core.ScheduleAdmin({ store, cwd: ctx.cwd }));
  });
}

async function createAction(workflow: string, options: CreateOptions, command: Command): Promise<number> {
  checkTimingFlags(options);
  const ctx = await loadContext(command);
  const input =
    options.input === undefined ? undefined : await parseJsonOption('--input', options.input, ctx.cwd);
  const def: ScheduleDefinition = {
    workflow,
    name: options.name,
    cron: options.cron,
    tz: options.tz,
    every: options.every,
    at: options.at,
    input,
    overlap: options.overlap,
    maxConcurrent: options.maxConcurrent,
    misfire: options.misfire,
    pauseAfterFailures: options.pauseAfterFailures,
  };
  const schedule = await withAdmin(ctx, (admin) => admin.create(def));
  if (options.json) json(ctx.core.scheduleJson(schedule));
  else
    process.stdout.write(
      `created schedule '${schedule.name}': ${timing(schedule)} -> ${schedule.workflow}\n${await nextLines(schedule)}\n`,
    );
  return EXIT.ok;
}

/** Exactly one of --cron, --every, --at; --tz only with --cron. */
function checkTimingFlags(options: CreateOptions): void {
  const given = (['cron', 'every', 'at'] as const)
    .filter((k) => options[k] !== undefined)
    .map((k) => `--${k}`);
  if (given.length !== 1) {
    throw new UsageError(
      `weft schedules create: expected exactly one of --cron, --every or --at, got ${given.join(' and ') || 'none'}`,
    );
  }
  if (options.tz !== undefined && options.cron === undefined) {
    throw new UsageError('weft schedules create: --tz applies to --cron only');
  }
}

async function listAction(options: { json?: boolean }, command: Command): Promise<number> {
  const ctx = await loadContext(command);
  const list = await withAdmin(ctx, (admin) => admin.list());
  if (options.json) {
    json(list.map(ctx.core.scheduleJson));
    return EXIT.ok;
  }
  if (list.length === 0) {
    process.stderr.write('no schedules; create one with: weft schedules create <workflow> --cron "<expr>"\n');
    return EXIT.ok;
  }
  const [{ table }, format] = await Promise.all([
    import('../render/table.js'),
    import('../render/format.js'),
  ]);
  const text = table(list, [
    { header: 'NAME', value: (s) => s.name },
    { header: 'WORKFLOW', value: (s) => s.workflow },
    { header: 'WHEN', value: (s) => timing(s) },
    { header: 'STATUS', value: (s) => s.status },
    { header: 'NEXT FIRES', value: (s) => s.upcoming.map((t) => format.dateTime(t)).join(', ') || '-' },
  ]);
  process.stdout.write(`${text}\n`);
  return EXIT.ok;
}

async function showAction(name: string, options: { json?: boolean }, command: Command): Promise<number> {
  const ctx = await loadContext(command);
  const [schedule, fires] = await withAdmin(
    ctx,
    async (admin) => [await admin.get(name), await admin.history(name, 5)] as const,
  );
  if (options.json) {
    json({ ...ctx.core.scheduleJson(schedule), last_fires: fires.map(ctx.core.fireJson) });
    return EXIT.ok;
  }
  const format = await import('../render/format.js');
  const status = schedule.pauseReason ? `${schedule.status} (${schedule.pauseReason})` : schedule.status;
  const fields: [string, string][] = [
    ['schedule', schedule.name],
    ['workflow', schedule.workflow],
    ['when', timing(schedule)],
    ['status', status],
    ['input', JSON.stringify(schedule.input)],
    ['overlap', `${schedule.overlap} (max concurrent ${schedule.maxConcurrent})`],
    ['misfire', schedule.misfire],
    [
      'failures',
      `${schedule.consecutiveFailures} in a row${schedule.pauseAfterFailures === null ? '' : ` (pauses at ${schedule.pauseAfterFailures})`}`,
    ],
    ['created', format.dateTime(schedule.createdAt)],
  ];
  const last = fires.map((f) => `  ${fireLine(f, format)}`).join('\n') || '  none yet';
  process.stdout.write(
    `${fields.map(([label, value]) => `${label.padEnd(10)}${value}`).join('\n')}\n${await nextLines(schedule)}\nlast fires\n${last}\n`,
  );
  return EXIT.ok;
}

async function historyAction(
  name: string,
  options: { limit: number; json?: boolean },
  command: Command,
): Promise<number> {
  const ctx = await loadContext(command);
  const fires = await withAdmin(ctx, (admin) => admin.history(name, options.limit));
  if (options.json) {
    json(fires.map(ctx.core.fireJson));
    return EXIT.ok;
  }
  if (fires.length === 0) {
    process.stderr.write(`schedule '${name}' has not fired yet\n`);
    return EXIT.ok;
  }
  const [{ table }, format] = await Promise.all([
    import('../render/table.js'),
    import('../render/format.js'),
  ]);
  const text = table(fires, [
    { header: 'FIRED AT', value: (f) => format.dateTime(f.firedAt) },
    { header: 'RUN', value: (f) => f.runId ?? '-' },
    { header: 'STATUS', value: (f) => f.status },
    {
      header: 'DURATION',
      value: (f) => (f.startedAt === null ? '-' : format.span(f.startedAt, f.endedAt)),
      align: 'right',
    },
    { header: 'REASON', value: (f) => f.reason ?? '' },
  ]);
  process.stdout.write(`${text}\n`);
  return EXIT.ok;
}

async function changeAction(
  verb: 'pause' | 'resume' | 'delete',
  name: string,
  options: { json?: boolean },
  command: Command,
): Promise<number> {
  const ctx = await loadContext(command);
  const result = await withAdmin(ctx, async (admin) => {
    if (verb === 'delete') {
      await admin.remove(name);
      return undefined;
    }
    return verb === 'pause'
      ? admin.pause(name, `paused by ${process.env.USER ?? 'request'}`)
      : admin.resume(name);
  });
  if (options.json) json(result ? ctx.core.scheduleJson(result) : { name, deleted: true });
  else if (!result) process.stdout.write(`deleted schedule '${name}'\n`);
  else
    process.stdout.write(
      `${verb === 'pause' ? 'paused' : 'resumed'} schedule '${name}'${verb === 'resume' ? `\n${await nextLines(result)}` : ''}\n`,
    );
  return EXIT.ok;
}

async function previewAction(
  cron: string,
  options: { tz?: string; count: number; json?: boolean },
  command: Command,
): Promise<number> {
  const ctx = await loadContext(command);
  const fires = ctx.core.previewCron(cron, { tz: options.tz, count: options.count, now: Date.now() });
  const tz = options.tz === undefined ? 'UTC' : ctx.core.checkTimeZone(options.tz);
  if (options.json) {
    json({ cron, tz, fires: fires.map((t) => new Date(t).toISOString()) });
    return EXIT.ok;
  }
  process.stdout.write(`${fires.map((t) => `${zoned(t, tz)}  ${new Date(t).toISOString()}`).join('\n')}\n`);
  return EXIT.ok;
}

/** `2026-03-08 03:00:00 EDT`: the wall-clock time in the schedule's zone. */
function zoned(time: number, tz: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).formatToParts(new Date(time));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')} ${get('timeZoneName')}`;
}

function timing(s: ScheduleView): string {
  if (s.kind === 'cron') return `cron '${s.spec}' ${s.tz ?? 'UTC'}`;
  return `${s.kind} ${s.spec}`;
}

async function nextLines(s: ScheduleView): Promise<string> {
  if (s.upcoming.length === 0)
    return s.status === 'paused' ? 'next fires: none while paused' : 'next fires: none';
  const tz = s.tz ?? 'UTC';
  return `next fires:\n${s.upcoming.map((t) => `  ${zoned(t, tz)}`).join('\n')}`;
}

function fireLine(f: FireRecord, format: typeof import('../render/format.js')): string {
  const duration = f.startedAt === null ? '' : ` ${format.span(f.startedAt, f.endedAt)}`;
  return `${format.dateTime(f.firedAt)} ${f.status}${f.runId ? ` run ${f.runId}` : ''}${duration}${f.reason ? ` (${f.reason})` : ''}`;
}
