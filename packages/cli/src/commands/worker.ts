import type { Command } from 'commander';
import { loadContext } from '../context.js';
import { exitWith } from './action.js';
import { daemonOptions, runDaemon } from './scheduler.js';

/** `weft worker`: resumes interrupted runs (at start and periodically) and fires schedules. */
export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('execute runs left by stopped processes and fire due schedules, until stopped')
    .option('--poll <duration>', 'longest wait between checks of the schedules', '1s')
    .option('--recover-every <duration>', 'how often to look for interrupted runs', '10s')
    .option('--grace <duration>', 'on stop, how long running steps may take to finish', '10s')
    .option('--json', 'on stop, print {"runs_started","recovered"} as JSON')
    .addHelpText(
      'after',
      '\nSIGTERM or Ctrl-C stops gracefully; runs not finished are released for another worker.',
    )
    .action(
      exitWith(async (options: Record<string, string | boolean>, command: Command) => {
        const ctx = await loadContext(command);
        return runDaemon(ctx, 'worker', daemonOptions(ctx, options, true));
      }),
    );
}
