import type { BreakerState } from '@weft/core';
import type { Command } from 'commander';
import { loadContext, withEngine } from '../context.js';
import { EXIT } from '../errors.js';
import { exitWith } from './action.js';

/** `weft breakers list | reset <target>`: circuit breaker states, in the store or Redis (SPEC section 4). */
export function registerBreakers(program: Command): void {
  const breakers = program
    .command('breakers')
    .description('circuit breakers per target (http host or agent): list their states, reset one');
  breakers
    .command('list')
    .description('list every breaker that has a state, by target')
    .option('--json', 'print the states as a JSON array')
    .action(exitWith(listAction));
  breakers
    .command('reset')
    .description('close a breaker now: its failures are forgotten')
    .argument('<target>', "an http host ('api.example.test', '127.0.0.1:8080') or an agent name")
    .action(exitWith(resetAction));
}

async function listAction(options: { json?: boolean }, command: Command): Promise<number> {
  const ctx = await loadContext(command);
  const states = await withEngine(ctx, (engine) => engine.breakers.list());
  if (options.json) {
    process.stdout.write(`${JSON.stringify(states, null, 2)}\n`);
    return EXIT.ok;
  }
  if (states.length === 0) {
    process.stderr.write('no breaker has a state yet (every breaker is closed)\n');
    return EXIT.ok;
  }
  const [{ table }, format] = await Promise.all([
    import('../render/table.js'),
    import('../render/format.js'),
  ]);
  const now = Date.now();
  const text = table(states, [
    { header: 'TARGET', value: (s) => s.target },
    { header: 'STATE', value: (s) => stateWord(s, now) },
    { header: 'UNTIL', value: (s) => (s.status === 'open' ? format.dateTime(s.openUntil) : '') },
    { header: 'FAILURES', value: (s) => String(s.failures), align: 'right' },
    { header: 'REASON', value: (s) => (s.status === 'closed' ? '' : (s.reason ?? '')) },
    { header: 'LAST ERROR', value: (s) => (s.lastError ?? '').slice(0, 80) },
  ]);
  process.stdout.write(`${text}\n`);
  return EXIT.ok;
}

function stateWord(state: BreakerState, now: number): string {
  if (state.status === 'half_open') return 'half-open';
  // Open past its period: the next call goes through as a trial.
  if (state.status === 'open' && (state.openUntil ?? 0) <= now) return 'open (trial next)';
  return state.status;
}

async function resetAction(target: string, _options: unknown, command: Command): Promise<number> {
  const ctx = await loadContext(command);
  const had = await withEngine(ctx, (engine) => engine.breakers.reset(target));
  process.stdout.write(
    had ? `breaker '${target}' reset: closed\n` : `breaker '${target}' had no state: it is closed\n`,
  );
  return EXIT.ok;
}
