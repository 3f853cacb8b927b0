import type { Command } from 'commander';
import { currentUser } from '../args/current-user.js';
import { parseJsonOption } from '../args/json-option.js';
import { loadContext, withEngine } from '../context.js';
import { EXIT } from '../errors.js';
import { exitWith } from './action.js';

interface ApproveOptions {
  reject?: boolean;
  comment?: string;
  data?: string;
  by?: string;
}

export function registerApprove(program: Command): void {
  program
    .command('approve')
    .description('approve (or with --reject, reject) a step waiting for approval, from any process')
    .argument('<run>', 'run id')
    .argument('<step>', 'step key, e.g. sign_off')
    .option('--reject', 'reject instead of approving')
    .option('--comment <text>', 'a comment kept with the decision')
    .option('--data <json>', "the approval form's fields: JSON or @file.json")
    .option('--by <name>', 'who decides (default: the current user)')
    .action(exitWith(approveAction));
}

async function approveAction(
  runId: string,
  stepKey: string,
  options: ApproveOptions,
  command: Command,
): Promise<number> {
  const ctx = await loadContext(command);
  const data =
    options.data === undefined ? undefined : await parseJsonOption('--data', options.data, ctx.cwd);
  const approved = options.reject !== true;
  const decision = { approved, by: options.by ?? currentUser(), comment: options.comment, data };
  await withEngine(ctx, (engine) => engine.approve(runId, stepKey, decision));
  process.stdout.write(`${approved ? 'approved' : 'rejected'} step '${stepKey}' of run ${runId}\n`);
  return EXIT.ok;
}
