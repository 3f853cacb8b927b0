import { type Command, InvalidArgumentError } from 'commander';
import { loadContext } from '../context.js';
import { EXIT } from '../errors.js';
import { exitWith } from './action.js';

interface ServeOptions {
  host: string;
  port: number;
  allowShell?: boolean;
  workflows?: string;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the engine behind the HTTP API (REST, OpenAPI at /docs, live events) until stopped')
    .option('--host <address>', 'address to listen on; beyond loopback needs WEFT_API_TOKENS', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', port, 7420)
    .option('--allow-shell', 'let runs started over the API use the shell skill (else WEFT_ALLOW_SHELL)')
    .option(
      '--workflows <dir>',
      'register the documents of this directory at start (a new version for each changed one); start requests may name files in it (default: here)',
    )
    .addHelpText(
      'after',
      '\nTokens: WEFT_API_TOKENS=<token>:<read|write|admin>,... (see docs/api.md). SIGTERM or Ctrl-C stops gracefully.',
    )
    .action(exitWith(serveAction));
}

async function serveAction(options: ServeOptions, command: Command): Promise<number> {
  const ctx = await loadContext(command);
  const { serve } = await import('@weft/server');
  const server = await serve({
    host: options.host,
    port: options.port,
    store: ctx.storeUrl,
    cwd: ctx.cwd,
    secrets: ctx.config.secrets,
    leaseMs: ctx.config.leaseMs,
    maxPauseMs: ctx.config.maxPauseMs,
    skillModules: ctx.config.skills,
    resilience: {
      circuitBreakers: ctx.config.circuitBreakers,
      limits: ctx.config.limits,
      redis: ctx.config.redis,
    },
    eventSources: ctx.config.eventSources,
    agents: { agents: ctx.config.agents, mcpServers: ctx.config.mcpServers },
    observe: {
      hookModules: ctx.config.hooks,
      hookTimeoutMs: ctx.config.hookTimeoutMs,
      notifications: ctx.config.notifications,
      logLevel: ctx.config.logLevel,
    },
    workflowsDir: options.workflows ?? ctx.config.workflows,
    pushWorkflows: options.workflows ?? ctx.config.workflows,
    ...(options.allowShell ? { allowShell: true } : {}),
    logger: { level: ctx.config.logLevel },
  });
  for (const line of server.pushed) process.stderr.write(`weft: ${line}\n`);
  const resumed = server.recovered > 0 ? ` (${server.recovered} interrupted runs resumed)` : '';
  process.stderr.write(`weft: listening on ${server.url}${resumed}; API docs at ${server.url}/docs\n`);
  await server.closed;
  process.stderr.write('weft: stopped\n');
  return EXIT.ok;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) {
    throw new InvalidArgumentError(`expected a port number from 0 to 65535, got '${value}'`);
  }
  return n;
}
