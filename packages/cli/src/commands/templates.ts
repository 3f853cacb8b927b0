import type { Engine, Templates, VersionWithRuns } from '@weft/core';
import { type Command, InvalidArgumentError } from 'commander';
import { buildInput } from '../args/input.js';
import { type CliContext, loadContext, withEngine } from '../context.js';
import { EXIT, errorCode, reportError, UsageError } from '../errors.js';
import { collect, exitWith, positiveInt } from './action.js';

interface InstantiateFlags {
  param?: string[];
  name: string;
  version?: number;
  message?: string;
  status?: 'draft' | 'active';
  run?: boolean;
  input?: string;
  set?: string[];
  json?: boolean;
}

const status = (value: string): 'draft' | 'active' => {
  if (value === 'draft' || value === 'active') return value;
  throw new InvalidArgumentError(`expected draft or active, got '${value}'`);
};

/** `weft templates push | list | show | versions | instantiate | delete` (docs/templates.md). */
export function registerTemplates(program: Command): void {
  const templates = program
    .command('templates')
    .description('workflow templates: typed parameters and a workflow body, registered or built in');
  templates
    .command('push')
    .description('check and register a template file, or every template under a directory')
    .argument('<file|dir>', 'template document(s): .yaml, .yml or .json')
    .option('-m, --message <summary>', "the new version's summary")
    .option('--status <status>', 'draft or active (default active)', status)
    .option('--json', 'print the outcomes as a JSON array')
    .action(exitWith(pushAction));
  templates
    .command('list')
    .description('list registered and built-in templates')
    .option('--json', 'print the templates as a JSON array')
    .action(exitWith(listAction));
  templates
    .command('show')
    .description('show a template: its parameters and document')
    .argument('<template>', 'template name')
    .option('--version <n>', 'a registered version (default the active one)', positiveInt('--version'))
    .option('--json', 'print the template as JSON')
    .action(exitWith(showAction));
  templates
    .command('versions')
    .description("list a registered template's versions")
    .argument('<template>', 'template name')
    .option('--json', 'print the versions as a JSON array')
    .action(exitWith(versionsAction));
  templates
    .command('instantiate')
    .description('make a workflow from a template and register it (and run it with --run)')
    .argument('<template>', 'template name')
    .requiredOption('--name <workflow>', 'the name of the workflow it makes')
    .option('--param <name=value>', 'a parameter value (repeatable)', collect)
    .option('--version <n>', 'the template version (default the active one)', positiveInt('--version'))
    .option('-m, --message <summary>', "the workflow version's summary")
    .option('--status <status>', "the workflow version's status: draft or active (default active)", status)
    .option('--run', 'then run the new workflow here and follow it, like `weft run`')
    .option('--input <json|@file>', 'with --run: the run input')
    .option('--set <key=value>', 'with --run: set an input field (repeatable)', collect)
    .option('--json', 'print the outcome as JSON (with --run: the run result, as `weft run --json`)')
    .addHelpText(
      'after',
      '\nExit status: 0 done (with --run: the run completed), 1 the run failed, 2 bad parameters, document or usage.',
    )
    .action(exitWith(instantiateAction));
  templates
    .command('delete')
    .description('delete every version of a registered template (built-ins cannot be deleted)')
    .argument('<template>', 'template name')
    .option('--json', 'print {"name","deleted"}')
    .action(exitWith(deleteAction));
}

/** Runs `body` with a Templates on the configured engine; refusals are reported here (exit 2). */
async function withTemplates(
  command: Command,
  json: boolean,
  body: (templates: Templates, engine: Engine, ctx: CliContext) => Promise<number>,
): Promise<number> {
  let ctx: CliContext | undefined;
  try {
    ctx = await loadContext(command);
    const { core } = ctx;
    const context = ctx;
    return await withEngine(ctx, (engine) => body(new core.Templates(engine), engine, context));
  } catch (error) {
    return report(error, json, ctx?.debug ?? false);
  }
}

/**
 * A refused document prints its `file:line:column: path: message` lines, refused parameters one
 * line each; with `--json`, stdout gets `{"error":{code,message,problems}}` too.
 */
function report(error: unknown, json: boolean, debug: boolean): number {
  const code = errorCode(error);
  const problems = (error as { details?: { problems?: unknown } }).details?.problems;
  if (json) {
    const message = error instanceof Error ? error.message : String(error);
    process.stdout.write(
      `${JSON.stringify({ error: { code: code ?? 'error', message, problems: problems ?? [] } })}\n`,
    );
  }
  if (code === 'invalid_document' && error instanceof Error) {
    process.stderr.write(`${error.message}\n`);
    return EXIT.usage;
  }
  return reportError(error, debug);
}

async function pushAction(
  target: string,
  options: { message?: string; status?: 'draft' | 'active'; json?: boolean },
  command: Command,
): Promise<number> {
  const json = options.json === true;
  return withTemplates(command, json, async (templates, _engine, ctx) => {
    const outcomes = await templates.pushPath(target, {
      message: options.message,
      status: options.status,
      cwd: ctx.cwd,
    });
    if (json) process.stdout.write(`${JSON.stringify(outcomes.map(ctx.core.pushJson), null, 2)}\n`);
    else process.stdout.write(`${outcomes.map((o) => o.message).join('\n')}\n`);
    return EXIT.ok;
  });
}

async function listAction(options: { json?: boolean }, command: Command): Promise<number> {
  const json = options.json === true;
  return withTemplates(command, json, async (templates, _engine, ctx) => {
    const list = await templates.list();
    if (json) {
      process.stdout.write(`${JSON.stringify(list.map(ctx.core.templateSummaryJson), null, 2)}\n`);
      return EXIT.ok;
    }
    const [{ table }, { oneLine }] = await Promise.all([
      import('../render/table.js'),
      import('../render/shorten.js'),
    ]);
    const text = table(list, [
      { header: 'NAME', value: (t) => t.name },
      {
        header: 'SOURCE',
        value: (t) => (t.builtin ? (t.shadowed ? 'built-in (hidden)' : 'built-in') : 'registered'),
      },
      { header: 'ACTIVE', value: (t) => (t.builtin ? '-' : String(t.active ?? '-')), align: 'right' },
      { header: 'VERSIONS', value: (t) => (t.builtin ? '-' : String(t.versions)), align: 'right' },
      { header: 'PARAMETERS', value: (t) => oneLine(t.parameters.join(', '), 50) },
      { header: 'DESCRIPTION', value: (t) => oneLine(t.description ?? '', 70) },
    ]);
    process.stdout.write(`${text}\n`);
    return EXIT.ok;
  });
}

async function showAction(
  name: string,
  options: { version?: number; json?: boolean },
  command: Command,
): Promise<number> {
  const json = options.json === true;
  return withTemplates(command, json, async (templates, _engine, ctx) => {
    const found = await templates.get(name, options.version);
    if (json) {
      process.stdout.write(`${JSON.stringify(ctx.core.foundTemplateJson(found), null, 2)}\n`);
      return EXIT.ok;
    }
    const { template } = found;
    const origin = found.builtin ? 'built-in' : `version ${found.version}`;
    const lines = [`template ${template.name} (${origin})`];
    if (template.description) lines.push(template.description);
    lines.push('', 'parameters:');
    for (const [key, p] of Object.entries(template.parameters)) {
      const type = p.type === 'enum' ? `enum ${(p.values ?? []).join('|')}` : p.type;
      const flags = [
        p.required ? 'required' : undefined,
        p.default === undefined ? undefined : `default ${JSON.stringify(p.default)}`,
        p.pattern === undefined ? undefined : `pattern /${p.pattern}/`,
      ].filter(Boolean);
      const about = p.description ? ` - ${p.description}` : '';
      lines.push(`  ${key}: ${type}${flags.length > 0 ? ` (${flags.join(', ')})` : ''}${about}`);
    }
    process.stdout.write(`${lines.join('\n')}\n\n${found.source.trimEnd()}\n`);
    return EXIT.ok;
  });
}

async function versionsAction(name: string, options: { json?: boolean }, command: Command): Promise<number> {
  const json = options.json === true;
  return withTemplates(command, json, async (templates) => {
    const versions = await templates.versions(name);
    if (json) {
      process.stdout.write(`${JSON.stringify(versions.map(versionJson), null, 2)}\n`);
      return EXIT.ok;
    }
    const [{ table }, format] = await Promise.all([
      import('../render/table.js'),
      import('../render/format.js'),
    ]);
    const text = table(versions, [
      { header: 'VERSION', value: (v) => String(v.version), align: 'right' },
      { header: 'STATUS', value: (v) => v.status },
      { header: 'CREATED', value: (v) => format.dateTime(v.createdAt) },
      { header: 'SUMMARY', value: (v) => v.summary ?? '' },
    ]);
    process.stdout.write(`${text}\n`);
    return EXIT.ok;
  });
}

async function instantiateAction(
  template: string,
  options: InstantiateFlags,
  command: Command,
): Promise<number> {
  const json = options.json === true;
  if (!options.run && (options.input !== undefined || (options.set ?? []).length > 0)) {
    throw new UsageError('weft templates instantiate: --input and --set go with --run');
  }
  return withTemplates(command, json, async (templates, engine, ctx) => {
    const parameters = parseParams(options.param ?? []);
    const input = options.run ? await buildInput(options, ctx.cwd) : undefined;
    const made = await templates.instantiate(template, parameters, {
      workflow: options.name,
      version: options.version,
      message: options.message,
      status: options.status,
    });
    if (!options.run) {
      if (json)
        process.stdout.write(
          `${JSON.stringify({ ...ctx.core.pushJson(made.push), source: made.source }, null, 2)}\n`,
        );
      else process.stdout.write(`${made.push.message}\n`);
      return EXIT.ok;
    }
    process.stderr.write(`${made.push.message}\n`);
    const { followRun } = await import('../follow/follow-run.js');
    const version = made.push.version.version;
    return followRun(engine, () => engine.start({ name: options.name, version }, input), { json });
  });
}

async function deleteAction(name: string, options: { json?: boolean }, command: Command): Promise<number> {
  const json = options.json === true;
  return withTemplates(command, json, async (templates) => {
    const deleted = await templates.remove(name);
    if (json) process.stdout.write(`${JSON.stringify({ name, deleted })}\n`);
    else process.stdout.write(`template '${name}': deleted ${deleted} version${deleted === 1 ? '' : 's'}\n`);
    return EXIT.ok;
  });
}

/** `--param k=v` pairs; the value is text, converted by the parameter's type. */
function parseParams(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--param: expected name=value, got '${pair}'`);
    out[pair.slice(0, at).trim()] = pair.slice(at + 1);
  }
  return out;
}

function versionJson(v: VersionWithRuns) {
  return {
    version: v.version,
    status: v.status,
    summary: v.summary,
    created_at: new Date(v.createdAt).toISOString(),
    updated_at: new Date(v.updatedAt).toISOString(),
  };
}
