import type { Command } from 'commander';
import { loadContext, withStore } from '../context.js';
import { EXIT } from '../errors.js';
import { catchInterruption } from '../follow/interruption.js';
import { exitWith } from './action.js';

interface TailOptions {
  workflow?: string;
  type?: string;
  json?: boolean;
}

/** `weft events tail`: every new run event in the store, as it is stored, until Ctrl-C. */
export function registerTail(events: Command): void {
  events
    .command('tail')
    .description('follow the events of all runs as they happen (any process), until Ctrl-C')
    .option('--workflow <name>', 'only events of runs of this workflow')
    .option('--type <types>', 'only these event types, comma-separated (e.g. step.failed,run.failed)')
    .option('--json', 'print each event as a JSON line')
    .action(exitWith(tailAction));
}

async function tailAction(options: TailOptions, command: Command): Promise<number> {
  const ctx = await loadContext(command);
  const [{ parseTypes, tailEvents }, { colorsFor }] = await Promise.all([
    import('../follow/tail-events.js'),
    import('../render/colors.js'),
  ]);
  const interruption = catchInterruption();
  try {
    await withStore(ctx, async (store) => {
      await store.migrate();
      await tailEvents(store, {
        filter: { workflow: options.workflow, type: parseTypes(options.type) },
        json: options.json === true,
        colors: colorsFor(process.stdout),
        stopped: interruption.signalled,
      });
    });
    return EXIT.ok;
  } finally {
    interruption.dispose();
  }
}
