import type { Engine, VersionStatus } from '@weft/core';
import { type Command, InvalidArgumentError } from 'commander';
import { loadContext, type WeftCore, withEngine } from '../context.js';
import { EXIT } from '../errors.js';
import { reportNotStarted } from '../follow/not-started.js';
import { exitWith, positiveInt } from './action.js';

const STATUSES: readonly VersionStatus[] = ['draft', 'active', 'deprecated', 'archived'];

interface PushOptions {
  message?: string;
  status?: 'draft' | 'active';
  json?: boolean;
}

/**
 * `weft workflows push | list | show | versions | diff | rollback | status | delete`: registered
 * workflows and their versions. `weft run <name>` runs the active version.
 */
export function registerWorkflows(program: Command): void {
  const workflows = program
    .command('workflows')
    .description('registered workflows and their versions (`weft run <name>` runs the active one)');
  workflows
    .command('push')
    .description('register documents: a new version when the content changed, none when it did not')
    .argument('<path>', 'a workflow document, or a directory of them (.yaml, .yml, .json)')
    .option('-m, --message <summary>', 'what changed, kept with the version')
    .option('--status <status>', 'draft or active (default active)', choice('--status', ['draft', 'active']))
    .option('--json', 'print what each push did as JSON')
    .action(exitWith(pushAction));
  workflows
    .command('list')
    .description('list registered workflows with their latest and active versions')
    .option('--json', 'print them as a JSON array')
    .action(exitWith(listAction));
  workflows
    .command('show')
    .description('print a version of a workflow document (default: the active one)')
    .argument('<name>', 'registered workflow')
    .option('--version <n>', 'this version', positiveInt('--version'))
    .option('--json', 'print the version and its document as JSON')
    .action(exitWith(showAction));
  workflows
    .command('versions')
    .description('list the versions of a workflow: number, status, time, summary, run count')
    .argument('<name>', 'registered workflow')
    .option('--json', 'print them as a JSON array')
    .action(exitWith(versionsAction));
  workflows
    .command('diff')
    .description('a unified diff of two versions of a workflow document')
    .argument('<name>', 'registered workflow')
    .argument('<v1>', 'from version', positiveInt('<v1>'))
    .argument('<v2>', 'to version', positiveInt('<v2>'))
    .action(exitWith(diffAction));
  workflows
    .command('rollback')
    .description("make an old version's content active again, as a new version")
    .argument('<name>', 'registered workflow')
    .argument('<version>', 'the version whose content to restore', positiveInt('<version>'))
    .option('-m, --message <summary>', "the new version's summary (default 'rollback to version N')")
    .option('--json', 'print what it did as JSON')
    .action(exitWith(rollbackAction));
  workflows
    .command('status')
    .description('set the status of a version: draft, active, deprecated or archived')
    .argument('<name>', 'registered workflow')
    .argument('<version>', 'version', positiveInt('<version>'))
    .argument('<status>', STATUSES.join(' | '), choice('<status>', STATUSES))
    .action(exitWith(statusAction));
  workflows
    .command('delete')
    .description('delete a workflow and all its versions (runs keep their own copy)')
    .argument('<name>', 'registered workflow')
    .option('--force', 'even while some of its runs have not ended')
    .action(exitWith(deleteAction));
}

function choice<T extends string>(name: string, values: readonly T[]): (value: string) => T {
  return (value) => {
    if ((values as readonly string[]).includes(value)) return value as T;
    throw new InvalidArgumentError(`expected one of ${values.join(', ')} for ${name}, got '${value}'`);
  };
}

type Json = Pick<WeftCore, 'pushJson' | 'versionJson'>;

/** Opens the engine, runs `work`; a refused document or missing name is reported as `weft run` does. */
async function registry(
  command: Command,
  work: (engine: Engine, json: Json) => Promise<number>,
): Promise<number> {
  const debug = command.optsWithGlobals<{ debug?: boolean }>().debug === true;
  try {
    const ctx = await loadContext(command);
    return await withEngine(ctx, (engine) => work(engine, ctx.core));
  } catch (error) {
    return reportNotStarted(error, { json: false, debug });
  }
}

const print = (text: string) => process.stdout.write(`${text}\n`);
const printJson = (value: unknown) => print(JSON.stringify(value, null, 2));

async function pushAction(path: string, options: PushOptions, command: Command): Promise<number> {
  return registry(command, async (engine, { pushJson }) => {
    const outcomes = await engine.workflows.pushPath(path, {
      message: options.message,
      status: options.status,
    });
    if (options.json) printJson(outcomes.map(pushJson));
    else for (const outcome of outcomes) print(outcome.message);
    return EXIT.ok;
  });
}

async function listAction(options: { json?: boolean }, command: Command): Promise<number> {
  return registry(command, async (engine) => {
    const definitions = await engine.workflows.list();
    if (options.json) {
      printJson(
        definitions.map((d) => ({
          name: d.name,
          latest: d.latest,
          active: d.active,
          versions: d.versions,
          updated_at: new Date(d.updatedAt).toISOString(),
        })),
      );
      return EXIT.ok;
    }
    if (definitions.length === 0) {
      process.stderr.write('no registered workflows (register one with `weft workflows push <file>`)\n');
      return EXIT.ok;
    }
    const [{ table }, { dateTime }] = await Promise.all([
      import('../render/table.js'),
      import('../render/format.js'),
    ]);
    print(
      table(definitions, [
        { header: 'NAME', value: (d) => d.name },
        { header: 'ACTIVE', value: (d) => (d.active === null ? '-' : String(d.active)), align: 'right' },
        { header: 'LATEST', value: (d) => String(d.latest), align: 'right' },
        { header: 'VERSIONS', value: (d) => String(d.versions), align: 'right' },
        { header: 'UPDATED', value: (d) => dateTime(d.updatedAt) },
      ]),
    );
    return EXIT.ok;
  });
}

async function showAction(
  name: string,
  options: { version?: number; json?: boolean },
  command: Command,
): Promise<number> {
  return registry(command, async (engine, { versionJson }) => {
    const version = await engine.workflows.show(name, options.version);
    if (options.json) printJson(versionJson(version, true));
    else {
      const summary = version.summary === null ? '' : `: ${version.summary}`;
      process.stderr.write(`# ${name} version ${version.version} (${version.status})${summary}\n`);
      process.stdout.write(version.source.endsWith('\n') ? version.source : `${version.source}\n`);
    }
    return EXIT.ok;
  });
}

async function versionsAction(name: string, options: { json?: boolean }, command: Command): Promise<number> {
  return registry(command, async (engine, { versionJson }) => {
    const versions = await engine.workflows.versions(name);
    if (options.json) {
      printJson(versions.map((v) => versionJson(v)));
      return EXIT.ok;
    }
    const [{ table }, { dateTime }] = await Promise.all([
      import('../render/table.js'),
      import('../render/format.js'),
    ]);
    print(
      table(versions, [
        { header: 'VERSION', value: (v) => String(v.version), align: 'right' },
        { header: 'STATUS', value: (v) => v.status },
        { header: 'CREATED', value: (v) => dateTime(v.createdAt) },
        { header: 'RUNS', value: (v) => String(v.runs), align: 'right' },
        { header: 'SUMMARY', value: (v) => v.summary ?? (originLine(v.origin) || '') },
      ]),
    );
    return EXIT.ok;
  });
}

/** `from template http-check@2`, for versions made by `weft templates instantiate`. */
function originLine(origin: Record<string, unknown> | null): string {
  if (!origin || typeof origin.template !== 'string') return '';
  return `from template ${origin.template}${origin.version == null ? '' : `@${String(origin.version)}`}`;
}

async function diffAction(
  name: string,
  from: number,
  to: number,
  _o: unknown,
  command: Command,
): Promise<number> {
  return registry(command, async (engine) => {
    process.stdout.write(await engine.workflows.diff(name, from, to));
    return EXIT.ok;
  });
}

async function rollbackAction(
  name: string,
  version: number,
  options: { message?: string; json?: boolean },
  command: Command,
): Promise<number> {
  return registry(command, async (engine, { pushJson }) => {
    const outcome = await engine.workflows.rollback(name, version, options.message);
    if (options.json) printJson(pushJson(outcome));
    else print(outcome.message);
    return EXIT.ok;
  });
}

async function statusAction(
  name: string,
  version: number,
  status: VersionStatus,
  _o: unknown,
  command: Command,
): Promise<number> {
  return registry(command, async (engine) => {
    const changed = await engine.workflows.setStatus(name, version, status);
    const after = changed.deprecated === null ? '' : ` (version ${changed.deprecated} deprecated)`;
    print(`workflow '${name}' version ${version} is ${changed.version.status}${after}`);
    return EXIT.ok;
  });
}

async function deleteAction(name: string, options: { force?: boolean }, command: Command): Promise<number> {
  return registry(command, async (engine) => {
    const count = await engine.workflows.remove(name, { force: options.force === true });
    print(`deleted workflow '${name}' (${count} version${count === 1 ? '' : 's'})`);
    return EXIT.ok;
  });
}
