import type { RunResult } from '@weft/core';
import type { Command } from 'commander';
import { loadContext, withEngine } from '../context.js';
import { EXIT } from '../errors.js';
import { exitWith } from './action.js';

export function registerRecover(program: Command): void {
  program
    .command('recover')
    .description('resume every interrupted run in the store and wait for them to end')
    .option('--json', 'print [{"run_id","status","output","error"}] on stdout')
    .addHelpText('after', '\nExit status: 0 when every recovered run completed (or there was none), else 1.')
    .action(exitWith(recoverAction));
}

async function recoverAction(options: { json?: boolean }, command: Command): Promise<number> {
  const ctx = await loadContext(command);
  const [{ toJsonResult }, { colorsFor }, { statusSymbol }, { errorLine }, { catchInterruption }] =
    await Promise.all([
      import('../follow/summary.js'),
      import('../render/colors.js'),
      import('../render/symbols.js'),
      import('../render/format.js'),
      import('../follow/interruption.js'),
    ]);
  const c = colorsFor(process.stdout);
  return withEngine(ctx, async (engine) => {
    const interruption = catchInterruption();
    try {
      const handles = await engine.recover();
      process.stderr.write(`recovering ${handles.length} run${handles.length === 1 ? '' : 's'}\n`);
      const ended = Promise.all(
        handles.map(async (handle) => {
          const result = await handle.result();
          const workflow = (await engine.getRun(result.runId))?.run.workflow ?? '';
          const why = result.error ? `: ${errorLine(result.error)}` : '';
          if (!options.json) {
            process.stdout.write(
              `${statusSymbol(result.status, c)} ${result.runId} ${workflow} ${result.status}${why}\n`,
            );
          }
          return result;
        }),
      );
      const outcome: RunResult[] | number = await Promise.race([ended, interruption.signalled]);
      if (typeof outcome === 'number') {
        await engine.close();
        process.stderr.write(
          'weft: interrupted; the runs not finished were released. Continue with: weft recover\n',
        );
        return outcome;
      }
      if (options.json) process.stdout.write(`${JSON.stringify(outcome.map(toJsonResult), null, 2)}\n`);
      return outcome.every((r) => r.status === 'completed') ? EXIT.ok : EXIT.failed;
    } finally {
      interruption.dispose();
    }
  });
}
