import type { NotificationDelivery } from '@weft/core';
import type { Command } from 'commander';
import { loadContext, withStore } from '../context.js';
import { EXIT } from '../errors.js';
import { exitWith } from './action.js';

/** `weft notifications list [--run <id>] [--json]`: every webhook delivery attempt, newest first. */
export function registerNotifications(program: Command): void {
  const notifications = program
    .command('notifications')
    .description('webhook notifications of runs (notify, global sinks): their delivery attempts');
  notifications
    .command('list')
    .description('list delivery attempts, newest first')
    .option('--run <id>', 'only those of this run')
    .option('--limit <n>', 'at most this many', (value) => Number.parseInt(value, 10), 100)
    .option('--json', 'print the attempts as a JSON array')
    .action(exitWith(listAction));
}

async function listAction(
  options: { run?: string; limit: number; json?: boolean },
  command: Command,
): Promise<number> {
  const ctx = await loadContext(command);
  const deliveries = await withStore(ctx, async (store) => {
    await store.migrate();
    return store.notifications.listDeliveries({ runId: options.run, limit: options.limit });
  });
  if (options.json) {
    process.stdout.write(`${JSON.stringify(deliveries, null, 2)}\n`);
    return EXIT.ok;
  }
  if (deliveries.length === 0) {
    process.stderr.write(
      options.run ? `no notification attempts for run ${options.run}\n` : 'no notification attempts\n',
    );
    return EXIT.ok;
  }
  const [{ table }, format] = await Promise.all([
    import('../render/table.js'),
    import('../render/format.js'),
  ]);
  const text = table(deliveries, [
    { header: 'TIME', value: (d: NotificationDelivery) => format.dateTime(d.createdAt) },
    { header: 'RUN', value: (d) => d.runId },
    { header: 'EVENT', value: (d) => d.event },
    { header: 'URL', value: (d) => d.url },
    { header: 'ATTEMPT', value: (d) => String(d.attempt), align: 'right' },
    { header: 'STATUS', value: (d) => d.status },
    { header: 'HTTP', value: (d) => (d.httpStatus === null ? '' : String(d.httpStatus)) },
    { header: 'ERROR', value: (d) => (d.error ?? '').slice(0, 80) },
  ]);
  process.stdout.write(`${text}\n`);
  return EXIT.ok;
}
