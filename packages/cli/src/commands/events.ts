import type { Command } from 'commander';
import { parseJsonOption } from '../args/json-option.js';
import { loadContext, withEngine } from '../context.js';
import { EXIT } from '../errors.js';
import { exitWith } from './action.js';
import { registerTail } from './events-tail.js';

interface SendOptions {
  data?: string;
  source?: string;
  id?: string;
  run?: string;
  token?: string;
  json?: boolean;
}

export function registerEvents(program: Command): void {
  const events = program
    .command('events')
    .description('send events to waiting workflows, or follow run events (tail)');
  events
    .command('send')
    .description(
      'send a CloudEvent: to one run (--run), one waiting step (--token), or every step waiting for its type now',
    )
    .argument('<type>', 'the event type, e.g. payment.received')
    .option('--data <json>', "the event's data: JSON or @file.json (at most 256 KiB)")
    .option('--source <source>', 'the event source (default: weft)')
    .option('--id <id>', 'the event id (default: a new UUID)')
    .option('--run <id>', 'keep the event for this run until one of its steps takes it')
    .option('--token <token>', 'deliver the event to the step waiting with this token')
    .option('--json', 'print {"id","delivered"} on stdout')
    .addHelpText(
      'after',
      '\nWithout --run or --token the event reaches only the steps waiting for its type at this moment.',
    )
    .action(exitWith(sendAction));
  registerTail(events);
}

async function sendAction(type: string, options: SendOptions, command: Command): Promise<number> {
  const ctx = await loadContext(command);
  const data =
    options.data === undefined ? undefined : await parseJsonOption('--data', options.data, ctx.cwd);
  const event = { type, data, source: options.source, id: options.id };
  const sent = await withEngine(ctx, (engine) =>
    engine.sendEvent(event, { runId: options.run, token: options.token }),
  );
  if (options.json) {
    process.stdout.write(`${JSON.stringify(sent)}\n`);
    return EXIT.ok;
  }
  const where =
    options.run !== undefined
      ? `kept for run ${options.run}`
      : options.token !== undefined
        ? 'delivered to the step waiting with that token'
        : sent.delivered === 0
          ? `nobody was waiting for '${type}'; nothing received it`
          : `delivered to ${sent.delivered} waiting step${sent.delivered === 1 ? '' : 's'}`;
  process.stdout.write(`sent event ${sent.id} (${type}): ${where}\n`);
  return EXIT.ok;
}
