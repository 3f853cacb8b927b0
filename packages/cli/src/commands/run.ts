import type { Engine, WorkflowRef } from '@weft/core';
import type { Command } from 'commander';
import { buildInput } from '../args/input.js';
import { loadContext, withEngine } from '../context.js';
import { UsageError } from '../errors.js';
import { reportNotStarted } from '../follow/not-started.js';
import { collect, exitWith, positiveInt } from './action.js';

/**
 * What `weft run` runs: a path names a file; a bare name a registered workflow (its active
 * version, or `--version`; a deprecated one runs with a warning, an archived one is refused).
 */
async function workflowRef(engine: Engine, arg: string, version: number | undefined): Promise<WorkflowRef> {
  const { isWorkflowPath } = await import('@weft/core');
  if (isWorkflowPath(arg)) {
    if (version !== undefined) {
      throw new UsageError(`--version picks a version of a registered workflow; '${arg}' is a file`);
    }
    return arg;
  }
  const { definition, warning } = await engine.workflows.resolve(arg, version);
  if (warning) process.stderr.write(`weft: warning: ${warning}\n`);
  return { name: arg, version: definition.version };
}

export interface RunOptions {
  version?: number;
  input?: string;
  set?: string[];
  json?: boolean;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a workflow file, or a registered workflow, in this process until the run ends')
    .argument('<file|name>', 'workflow document (.yaml, .yml or .json), or a registered workflow name')
    .option(
      '--version <n>',
      'with a registered name: run this version (default the active one)',
      positiveInt('--version'),
    )
    .option('--input <json|@file>', 'the run input: JSON text, or @file.json')
    .option(
      '--set <key=value>',
      'set an input field (repeatable; a.b=1 nests; values are JSON when they parse, else text)',
      collect,
    )
    .option('--json', 'print only {"run_id","status","output","error"} on stdout')
    .addHelpText(
      'after',
      '\nExit status: 0 completed, 1 failed or cancelled, 2 invalid document, input or usage, 130 interrupted.',
    )
    .action(exitWith(runAction));
}

/** `weft run`: also what `weft create` calls to run the document it wrote. */
export async function runAction(file: string, options: RunOptions, command: Command): Promise<number> {
  const json = options.json === true;
  const debug = command.optsWithGlobals<{ debug?: boolean }>().debug === true;
  try {
    const input = await buildInput(options, process.cwd());
    const ctx = await loadContext(command);
    const { followRun } = await import('../follow/follow-run.js');
    return await withEngine(ctx, async (engine) => {
      const ref = await workflowRef(engine, file, options.version);
      return followRun(engine, () => engine.start(ref, input), { json });
    });
  } catch (error) {
    return reportNotStarted(error, { file, json, debug });
  }
}
