import type { Command } from 'commander';
import { loadContext, withEngine } from '../context.js';
import { EXIT } from '../errors.js';
import { exitWith, positiveInt } from './action.js';

interface ListOptions {
  prefix?: string;
  limit: number;
  json?: boolean;
}

const PREFIX_HELP = "only keys starting with this ('workflow:orders:', 'user:ada:', 'global:')";

/** `weft cache list | clear`: cached step results, in the store or Redis (SPEC section 4). */
export function registerCache(program: Command): void {
  const cache = program.command('cache').description('cached step results: list them, clear them');
  cache
    .command('list')
    .description('list live entries by key')
    .option('--prefix <text>', PREFIX_HELP)
    .option('--limit <n>', 'at most this many entries', positiveInt('--limit'), 100)
    .option('--json', 'print the entries (with their values) as a JSON array')
    .action(exitWith(listAction));
  cache
    .command('clear')
    .description('delete entries (every one, unless --prefix)')
    .option('--prefix <text>', PREFIX_HELP)
    .action(exitWith(clearAction));
}

async function listAction(options: ListOptions, command: Command): Promise<number> {
  const ctx = await loadContext(command);
  const entries = await withEngine(ctx, (engine) => engine.cache.list(options.prefix, options.limit));
  if (options.json) {
    process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
    return EXIT.ok;
  }
  if (entries.length === 0) {
    process.stderr.write(
      options.prefix ? `no cache entries under '${options.prefix}'\n` : 'the cache is empty\n',
    );
    return EXIT.ok;
  }
  const [{ table }, format] = await Promise.all([
    import('../render/table.js'),
    import('../render/format.js'),
  ]);
  const text = table(entries, [
    { header: 'KEY', value: (e) => e.key },
    { header: 'CREATED', value: (e) => format.dateTime(e.createdAt) },
    { header: 'EXPIRES', value: (e) => (e.expiresAt === null ? 'never' : format.dateTime(e.expiresAt)) },
    { header: 'BYTES', value: (e) => String(Buffer.byteLength(JSON.stringify(e.value))), align: 'right' },
  ]);
  process.stdout.write(`${text}\n`);
  return EXIT.ok;
}

async function clearAction(options: { prefix?: string }, command: Command): Promise<number> {
  const ctx = await loadContext(command);
  const count = await withEngine(ctx, (engine) => engine.cache.clear(options.prefix));
  const where = options.prefix ? ` under '${options.prefix}'` : '';
  process.stdout.write(`cleared ${count} cache ${count === 1 ? 'entry' : 'entries'}${where}\n`);
  return EXIT.ok;
}
