import type { Command } from 'commander';
import { loadContext, withStore } from '../context.js';
import { catchInterruption } from '../follow/interruption.js';
import { exitWith } from './action.js';

/** `weft runs watch <id>`: follows one run live from the store, wherever it executes. */
export function registerWatch(runs: Command): void {
  runs
    .command('watch')
    .description('follow a run live (it may execute in another process), with progress and ETA')
    .argument('<id>', 'run id')
    .option('--json', 'print each event as a JSON line on stdout')
    .action(exitWith(watchAction));
}

async function watchAction(id: string, options: { json?: boolean }, command: Command): Promise<number> {
  const ctx = await loadContext(command);
  const { watchRun } = await import('../follow/watch-run.js');
  const interruption = catchInterruption();
  try {
    return await withStore(ctx, async (store) => {
      await store.migrate();
      const run = await store.getRun(id);
      if (!run)
        throw new ctx.core.WeftError(
          'not_found',
          `no run with id '${id}' in this store (${ctx.core.maskUrl(ctx.storeUrl)})`,
        );
      return watchRun(store, run, { json: options.json === true, stopped: interruption.signalled });
    });
  } finally {
    interruption.dispose();
  }
}
