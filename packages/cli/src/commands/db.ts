import type { MigrationState, Store } from '@weft/core';
import type { Command } from 'commander';
import { loadContext, withStore } from '../context.js';
import { EXIT } from '../errors.js';
import { exitWith, positiveInt } from './action.js';

export function registerDb(program: Command): void {
  const db = program.command('db').description('manage the store schema');
  db.command('migrate')
    .description('apply every pending migration')
    .option('--json', 'print the migration state as JSON')
    .action(
      exitWith((options: { json?: boolean }, command: Command) =>
        change(command, options, (s) => s.migrate()),
      ),
    );
  db.command('rollback')
    .description('revert the latest applied migrations')
    .option('--steps <n>', 'how many migrations to revert', positiveInt('--steps'), 1)
    .option('--json', 'print the migration state as JSON')
    .action(
      exitWith((options: { steps: number; json?: boolean }, command: Command) =>
        change(command, options, (s) => s.rollback(options.steps)),
      ),
    );
  db.command('status')
    .description('show applied and pending migrations')
    .option('--json', 'print the migration state as JSON')
    .action(
      exitWith((options: { json?: boolean }, command: Command) =>
        change(command, options, async () => undefined),
      ),
    );
}

type Change = (store: Store) => Promise<MigrationState | undefined>;

/** Prints the state after `apply`, and what it applied or reverted. */
async function change(command: Command, options: { json?: boolean }, apply: Change): Promise<number> {
  const ctx = await loadContext(command);
  const { before, after } = await withStore(ctx, async (store) => {
    const first = await store.migrationStatus();
    return { before: first, after: (await apply(store)) ?? first };
  });
  if (options.json) {
    process.stdout.write(`${JSON.stringify(after, null, 2)}\n`);
    return EXIT.ok;
  }
  const applied = after.applied.filter((v) => !before.applied.includes(v));
  const reverted = before.applied.filter((v) => !after.applied.includes(v));
  const lines = [`store     ${ctx.core.maskUrl(ctx.storeUrl)}`];
  if (applied.length > 0) lines.push(`migrated  ${list(applied)}`);
  if (reverted.length > 0) lines.push(`reverted  ${list(reverted)}`);
  lines.push(
    `applied   ${list(after.applied)}`,
    `pending   ${list(after.pending)}`,
    `latest    ${after.latest}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}

function list(versions: readonly number[]): string {
  return versions.length === 0 ? 'none' : versions.join(', ');
}
