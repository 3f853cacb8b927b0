import type { Command } from 'commander';
import { buildInput } from '../args/input.js';
import { loadContext, withEngine } from '../context.js';
import { reportNotStarted } from '../follow/not-started.js';
import { collect, exitWith } from './action.js';

interface RunOptions {
  input?: string;
  set?: string[];
  json?: boolean;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a workflow file in this process until the run ends')
    .argument('<file>', 'workflow document (.yaml, .yml or .json)')
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

async function runAction(file: string, options: RunOptions, command: Command): Promise<number> {
  const json = options.json === true;
  const debug = command.optsWithGlobals<{ debug?: boolean }>().debug === true;
  try {
    const input = await buildInput(options, process.cwd());
    const ctx = await loadContext(command);
    const { followRun } = await import('../follow/follow-run.js');
    return await withEngine(ctx, (engine) => followRun(engine, () => engine.start(file, input), { json }));
  } catch (error) {
    return reportNotStarted(error, { file, json, debug });
  }
}
