import type { RerunResult } from '@weft/core';
import type { Command } from 'commander';
import { parseJsonOption } from '../args/json-option.js';
import { loadContext, withEngine } from '../context.js';
import { EXIT } from '../errors.js';
import { reportNotStarted } from '../follow/not-started.js';
import { exitWith } from './action.js';

interface RerunCommandOptions {
  from: string;
  input?: string;
  dryRun?: boolean;
  json?: boolean;
}

/** `weft runs rerun <run> --from <step-key> [--input <json>] [--dry-run]`. */
export function registerRerun(runs: Command): void {
  runs
    .command('rerun')
    .description(
      'start a new run of the same document from a step: steps that do not depend on it keep their recorded results',
    )
    .argument('<run>', 'run id (an ended run)')
    .requiredOption('--from <step-key>', 'the step to run again, e.g. charge or each[2].charge')
    .option('--input <json>', "the new run's input: JSON or @file.json (default: the old run's)")
    .option('--dry-run', 'only list which steps would run again and which would be reused')
    .option('--json', 'print only JSON on stdout (the dry-run lists, or the run result)')
    .action(exitWith(rerunAction));
}

async function rerunAction(runId: string, options: RerunCommandOptions, command: Command): Promise<number> {
  const json = options.json === true;
  try {
    const ctx = await loadContext(command);
    const input =
      options.input === undefined ? undefined : await parseJsonOption('--input', options.input, ctx.cwd);
    const request = { from: options.from, input };
    return await withEngine(ctx, async (engine) => {
      if (options.dryRun) {
        printPlan(await engine.rerun(runId, { ...request, dryRun: true }), json);
        return EXIT.ok;
      }
      const { followRun } = await import('../follow/follow-run.js');
      let rerun: RerunResult | undefined;
      const code = await followRun(
        engine,
        async () => {
          rerun = await engine.rerun(runId, request);
          return rerun.run!;
        },
        { json },
      );
      if (rerun && !json) process.stderr.write(`reused ${rerun.reuse.length} step(s) of run ${runId}\n`);
      return code;
    });
  } catch (error) {
    const debug = command.optsWithGlobals<{ debug?: boolean }>().debug === true;
    return reportNotStarted(error, { json, debug });
  }
}

function printPlan(plan: RerunResult, json: boolean): void {
  if (json) {
    const { sourceRunId, from, execute, reuse } = plan;
    process.stdout.write(`${JSON.stringify({ run_id: sourceRunId, from, execute, reuse }, null, 2)}\n`);
    return;
  }
  const lines = [
    `rerun of run ${plan.sourceRunId} from '${plan.from}' (dry run: nothing started)`,
    `would run again (${plan.execute.length}):`,
    ...plan.execute.map((key) => `  ${key}`),
    `would reuse (${plan.reuse.length}):`,
    ...plan.reuse.map((key) => `  ${key}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
