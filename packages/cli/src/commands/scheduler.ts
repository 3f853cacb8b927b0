import type { Engine } from '@weft/core';
import type { Command } from 'commander';
import { type CliContext, loadContext, openEngine } from '../context.js';
import { EXIT } from '../errors.js';
import { exitWith } from './action.js';

export interface DaemonOptions {
  /** `weft worker`: resume interrupted runs at start and every `recoverMs`. */
  recover: boolean;
  pollMs: number;
  recoverMs: number;
  graceMs: number;
  json?: boolean;
}

/** `weft scheduler`: fires due schedules (runs execute in this process) until SIGTERM or Ctrl-C. */
export function registerScheduler(program: Command): void {
  program
    .command('scheduler')
    .description('fire due schedules until stopped; several may share a store (each fire happens once)')
    .option('--poll <duration>', 'longest wait between checks of the store', '1s')
    .option('--grace <duration>', 'on stop, how long running steps may take to finish', '10s')
    .option('--json', 'on stop, print {"runs_started","recovered"} as JSON')
    .addHelpText(
      'after',
      '\nSIGTERM or Ctrl-C stops gracefully: no new fire, running steps get --grace to finish.',
    )
    .action(
      exitWith(async (options: Record<string, string | boolean>, command: Command) => {
        const ctx = await loadContext(command);
        return runDaemon(ctx, 'scheduler', daemonOptions(ctx, options, false));
      }),
    );
}

export function daemonOptions(
  ctx: CliContext,
  options: Record<string, string | boolean>,
  recover: boolean,
): DaemonOptions {
  const ms = (flag: string, value: unknown) => {
    try {
      return ctx.core.parseDuration(value);
    } catch (error) {
      throw new ctx.core.WeftError('invalid_input', `--${flag}: ${(error as Error).message}`);
    }
  };
  return {
    recover,
    pollMs: Math.max(50, ms('poll', options.poll ?? '1s')),
    recoverMs: ms('recover-every', options.recoverEvery ?? '10s'),
    graceMs: ms('grace', options.grace ?? '10s'),
    json: options.json === true,
  };
}

/**
 * The engine plus the scheduler (plus recovery for `weft worker`) until SIGTERM or SIGINT; then
 * the scheduler stops firing and the engine closes, giving running steps `graceMs` to finish.
 */
export async function runDaemon(ctx: CliContext, what: string, options: DaemonOptions): Promise<number> {
  const engine = await openEngine(ctx);
  let started = 0;
  let recovered = 0;
  const scheduler = new ctx.core.Scheduler({
    engine,
    pollMs: options.pollMs,
    onError: (error) => process.stderr.write(`weft ${what}: ${(error as Error)?.message ?? error}\n`),
    onTick: (report) => {
      started += report.started.length;
      for (const name of report.paused) process.stderr.write(`weft ${what}: paused schedule '${name}'\n`);
    },
  });
  let recovering: ReturnType<typeof setInterval> | undefined;
  try {
    if (options.recover) {
      recovered += await recoverRuns(engine);
      recovering = setInterval(() => {
        void recoverRuns(engine).then(
          (n) => {
            recovered += n;
          },
          (error: unknown) =>
            process.stderr.write(`weft ${what}: recovery failed: ${(error as Error)?.message}\n`),
        );
      }, options.recoverMs);
    }
    scheduler.start();
    const schedules = (await engine.store.schedules.list()).filter((s) => s.status === 'active').length;
    const resumed = options.recover ? `, ${recovered} interrupted runs resumed` : '';
    process.stderr.write(
      `weft ${what}: running on ${ctx.core.maskUrl(ctx.storeUrl)} (${schedules} active schedules${resumed}); SIGTERM or Ctrl-C stops\n`,
    );
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM')).once('SIGINT', () => resolve('SIGINT'));
    });
    process.stderr.write(`weft ${what}: ${signal}: stopping\n`);
  } finally {
    if (recovering) clearInterval(recovering);
    await scheduler.stop();
    await engine.close({ graceMs: options.graceMs });
  }
  if (options.json) process.stdout.write(`${JSON.stringify({ runs_started: started, recovered })}\n`);
  process.stderr.write(`weft ${what}: stopped (${started} runs started)\n`);
  return EXIT.ok;
}

async function recoverRuns(engine: Engine): Promise<number> {
  const handles = await engine.recover();
  for (const handle of handles) handle.result().catch(() => {});
  return handles.length;
}
