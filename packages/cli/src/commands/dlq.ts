import type { DeadLetterRecord, Engine } from '@weft/core';
import type { Command } from 'commander';
import { parseJsonOption } from '../args/json-option.js';
import { type CliContext, loadContext, withEngine } from '../context.js';
import { EXIT, UsageError } from '../errors.js';
import { reportNotStarted } from '../follow/not-started.js';
import { exitWith, positiveInt } from './action.js';

interface ListOptions {
  workflow?: string;
  since?: string;
  limit: number;
  json?: boolean;
}

interface ReplayOptions {
  input?: string;
  all?: boolean;
  workflow?: string;
  json?: boolean;
}

/** `weft dlq list | show | replay | delete | purge`: steps that failed for good (SPEC section 4). */
export function registerDlq(program: Command): void {
  const dlq = program
    .command('dlq')
    .description('the dead-letter queue: steps that failed for good, to inspect, replay or delete');
  dlq
    .command('list')
    .description('list entries, newest first')
    .option('--workflow <name>', 'only entries of this workflow')
    .option(
      '--since <when>',
      "only entries this recent: a duration ('2h', '7d') or a time (2026-01-31T09:00:00Z)",
    )
    .option('--limit <n>', 'at most this many entries', positiveInt('--limit'), 100)
    .option('--json', 'print the entries as a JSON array')
    .action(exitWith(listAction));
  dlq
    .command('show')
    .description('show an entry: its step, error, attempts and resolved inputs')
    .argument('<id>', 'entry id')
    .option('--json', 'print the entry as JSON')
    .action(exitWith(showAction));
  dlq
    .command('replay')
    .description("resume an entry's failed run from its step, here, and follow it like `weft run`")
    .argument('[id]', 'entry id (or --all)')
    .option('--input <json>', "the step's input instead of its resolved inputs: JSON or @file.json")
    .option('--all', 'replay every entry (one replay per run), oldest first')
    .option('--workflow <name>', 'with --all: only entries of this workflow')
    .option('--json', 'print the result as JSON')
    .action(exitWith(replayAction));
  dlq
    .command('delete')
    .description('delete an entry')
    .argument('<id>', 'entry id')
    .action(exitWith(deleteAction));
  dlq
    .command('purge')
    .description('delete entries older than a duration')
    .requiredOption('--older-than <duration>', "e.g. '30d'")
    .option('--workflow <name>', 'only entries of this workflow')
    .action(exitWith(purgeAction));
}

async function listAction(options: ListOptions, command: Command): Promise<number> {
  const ctx = await loadContext(command);
  const since = options.since === undefined ? undefined : sinceTime(ctx, options.since);
  const filter = { workflow: options.workflow, since, limit: options.limit };
  const entries = await withEngine(ctx, (engine) => engine.dlq.list(filter));
  if (options.json) {
    process.stdout.write(`${JSON.stringify(entries.map(entryJson), null, 2)}\n`);
    return EXIT.ok;
  }
  if (entries.length === 0) {
    process.stderr.write('no dead-letter entries\n');
    return EXIT.ok;
  }
  const [{ table }, format, { oneLine }] = await Promise.all([
    import('../render/table.js'),
    import('../render/format.js'),
    import('../render/shorten.js'),
  ]);
  const text = table(entries, [
    { header: 'ID', value: (e) => e.id },
    { header: 'WORKFLOW', value: (e) => e.workflow },
    { header: 'RUN', value: (e) => e.runId },
    { header: 'STEP', value: (e) => e.stepKey },
    { header: 'ATTEMPTS', value: (e) => String(e.attempts), align: 'right' },
    { header: 'CREATED', value: (e) => format.dateTime(e.createdAt) },
    { header: 'ERROR', value: (e) => oneLine(format.errorLine(e.error), 60) },
  ]);
  process.stdout.write(`${text}\n`);
  return EXIT.ok;
}

async function showAction(id: string, options: { json?: boolean }, command: Command): Promise<number> {
  const ctx = await loadContext(command);
  const entry = await withEngine(ctx, (engine) => requireEntry(ctx, engine, id));
  if (options.json) {
    process.stdout.write(`${JSON.stringify(entryJson(entry), null, 2)}\n`);
    return EXIT.ok;
  }
  const [format, { colorsFor }] = await Promise.all([
    import('../render/format.js'),
    import('../render/colors.js'),
  ]);
  const c = colorsFor(process.stdout);
  const fields: [string, string][] = [
    ['entry', entry.id],
    ['workflow', `${entry.workflow}${entry.version === null ? '' : ` (version ${entry.version})`}`],
    ['run', entry.runId],
    ['step', entry.stepKey],
    ['attempts', String(entry.attempts)],
    ['created', format.dateTime(entry.createdAt)],
    ['error', c.red(format.errorLine(entry.error))],
  ];
  const header = fields.map(([label, value]) => `${c.dim(label.padEnd(9))}${value}`).join('\n');
  const input = JSON.stringify(entry.input ?? null, null, 2);
  process.stdout.write(`${header}\n${c.dim('input')}\n${input}\n`);
  return EXIT.ok;
}

async function replayAction(
  id: string | undefined,
  options: ReplayOptions,
  command: Command,
): Promise<number> {
  if (id !== undefined && options.all)
    throw new UsageError('weft dlq replay: give an entry id or --all, not both');
  if (id === undefined && !options.all)
    throw new UsageError('weft dlq replay: expected an entry id, or --all');
  if (options.all && options.input !== undefined) {
    throw new UsageError('weft dlq replay: --input applies to one entry; it cannot go with --all');
  }
  if (!options.all && options.workflow !== undefined) {
    throw new UsageError('weft dlq replay: --workflow chooses entries with --all');
  }
  if (options.all) return replayAll(options, command);
  const json = options.json === true;
  try {
    const ctx = await loadContext(command);
    const input =
      options.input === undefined ? undefined : await parseJsonOption('--input', options.input, ctx.cwd);
    const { followRun } = await import('../follow/follow-run.js');
    return await withEngine(ctx, async (engine) => {
      const entry = await requireEntry(ctx, engine, id!);
      const seed = (await engine.getRun(entry.runId))?.steps ?? [];
      const replay = input === undefined ? {} : { input };
      return followRun(engine, () => engine.dlq.replay(entry.id, replay), { json, seed });
    });
  } catch (error) {
    const debug = command.optsWithGlobals<{ debug?: boolean }>().debug === true;
    return reportNotStarted(error, { json, debug });
  }
}

/** Replays every entry (one per run), waits for the runs, one line (or JSON object) per entry. */
async function replayAll(options: ReplayOptions, command: Command): Promise<number> {
  const ctx = await loadContext(command);
  return withEngine(ctx, async (engine) => {
    const replays = await engine.dlq.replayAll({ workflow: options.workflow });
    const rows = await Promise.all(
      replays.map(async (replay) => {
        const result = replay.run ? await replay.run.result() : undefined;
        return {
          id: replay.id,
          run_id: replay.runId,
          status: result?.status ?? null,
          error: result?.error ?? replay.error ?? null,
          same_run_as: replay.sameRunAs ?? null,
        };
      }),
    );
    if (options.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    else if (rows.length === 0) process.stderr.write('no dead-letter entries to replay\n');
    else {
      const { errorLine } = await import('../render/format.js');
      for (const row of rows) {
        const outcome =
          row.same_run_as !== null
            ? `replayed with ${row.same_run_as} (same run)`
            : row.status === null
              ? `not replayed: ${errorLine(row.error)}`
              : `${row.status}${row.error ? `: ${errorLine(row.error)}` : ''}`;
        process.stdout.write(`${row.id}  run ${row.run_id}  ${outcome}\n`);
      }
    }
    const ok = rows.every((row) => row.status === 'completed' || row.same_run_as !== null);
    return ok ? EXIT.ok : EXIT.failed;
  });
}

async function deleteAction(id: string, _options: unknown, command: Command): Promise<number> {
  const ctx = await loadContext(command);
  const deleted = await withEngine(ctx, (engine) => engine.dlq.delete(id));
  if (!deleted) throw notFound(ctx, id);
  process.stdout.write(`deleted dead-letter entry ${id}\n`);
  return EXIT.ok;
}

async function purgeAction(
  options: { olderThan: string; workflow?: string },
  command: Command,
): Promise<number> {
  const ctx = await loadContext(command);
  const olderThanMs = duration(ctx, '--older-than', options.olderThan);
  const count = await withEngine(ctx, (engine) =>
    engine.dlq.purge({ olderThanMs, workflow: options.workflow }),
  );
  process.stdout.write(
    `purged ${count} dead-letter ${count === 1 ? 'entry' : 'entries'} older than ${options.olderThan}\n`,
  );
  return EXIT.ok;
}

async function requireEntry(ctx: CliContext, engine: Engine, id: string): Promise<DeadLetterRecord> {
  const entry = await engine.dlq.get(id);
  if (!entry) throw notFound(ctx, id);
  return entry;
}

function notFound(ctx: CliContext, id: string): Error {
  return new ctx.core.WeftError(
    'not_found',
    `no dead-letter entry with id '${id}' in this store (${ctx.core.maskUrl(ctx.storeUrl)})`,
  );
}

function duration(ctx: CliContext, option: string, value: string): number {
  try {
    return ctx.core.parseDuration(value);
  } catch (error) {
    throw new UsageError(`${option}: ${(error as Error).message}`, { cause: error });
  }
}

/** `--since`: a duration back from now, or a timestamp. */
function sinceTime(ctx: CliContext, value: string): number {
  const at = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isFinite(at)) return at;
  return Date.now() - duration(ctx, '--since', value);
}

/** An entry as printed by `--json` (snake_case, like the other listings). */
function entryJson(entry: DeadLetterRecord) {
  return {
    id: entry.id,
    workflow: entry.workflow,
    version: entry.version,
    run_id: entry.runId,
    step_key: entry.stepKey,
    step_id: entry.stepId,
    attempts: entry.attempts,
    error: entry.error,
    input: entry.input,
    created_at: new Date(entry.createdAt).toISOString(),
  };
}
