import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerAgents } from './commands/agents.js';
import { registerApprove } from './commands/approve.js';
import { registerBreakers } from './commands/breakers.js';
import { registerCache } from './commands/cache.js';
import { registerCreate } from './commands/create.js';
import { registerDb } from './commands/db.js';
import { registerDlq } from './commands/dlq.js';
import { registerEvents } from './commands/events.js';
import { registerNotifications } from './commands/notifications.js';
import { registerRecover } from './commands/recover.js';
import { registerRun } from './commands/run.js';
import { registerRuns } from './commands/runs.js';
import { registerScheduler } from './commands/scheduler.js';
import { registerSchedules } from './commands/schedules.js';
import { registerServe } from './commands/serve.js';
import { registerTemplates } from './commands/templates.js';
import { registerValidate } from './commands/validate.js';
import { registerWorker } from './commands/worker.js';
import { registerWorkflows } from './commands/workflows.js';
import { EXIT, reportError } from './errors.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** The `weft` command with every subcommand; parsing errors throw CommanderError (see `main`). */
export function createProgram(): Command {
  const program = new Command('weft')
    .description('Weft: durable workflows for agents, scripts and services')
    // `weft --version` is handled in `main`: declared here, the flag would take the `--version <n>`
    // of `weft run` and `weft workflows show` (commander reads program options after subcommands).
    .addHelpText('afterAll', '\nweft -v, --version prints the version.')
    .option(
      '--store <url>',
      'sqlite:<path> or postgres://... (else WEFT_STORE, the config, sqlite:.weft/weft.db)',
    )
    .option('--config <file>', 'config file (else weft.config.yaml here)')
    .option('--debug', 'print stack traces of errors')
    .option(
      '--log-level <level>',
      'engine logs to stderr: trace|debug|info|warn|error|fatal|silent (else log_level)',
    )
    .helpOption('-h, --help', 'show help')
    .showHelpAfterError('(add --help for usage)')
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .exitOverride();
  registerRun(program);
  registerValidate(program);
  registerCreate(program);
  registerRuns(program);
  registerRecover(program);
  registerDb(program);
  registerDlq(program);
  registerEvents(program);
  registerApprove(program);
  registerServe(program);
  registerBreakers(program);
  registerCache(program);
  registerAgents(program);
  registerNotifications(program);
  registerTemplates(program);
  registerSchedules(program);
  registerScheduler(program);
  registerWorker(program);
  registerWorkflows(program);
  return program;
}

/** Exit code for commander's own exits: help and version are fine, any parse error is usage. */
function commanderExit(error: CommanderError): number {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok;
  return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
}

/** Runs the CLI and exits with the code the command chose. */
export async function main(argv: readonly string[]): Promise<never> {
  let code: number;
  const args = argv.slice(2);
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
    process.stdout.write(`${version()}\n`);
    process.exit(EXIT.ok);
  }
  try {
    await createProgram().parseAsync([...argv]);
    code = typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    code =
      error instanceof CommanderError ? commanderExit(error) : reportError(error, argv.includes('--debug'));
  }
  // Exit explicitly so a handle left open by a dependency cannot keep the command alive.
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  process.exit(code);
}
