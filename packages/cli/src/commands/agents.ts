import type { Command } from 'commander';
import { loadContext, withEngine } from '../context.js';
import { EXIT } from '../errors.js';
import { exitWith } from './action.js';

/** `weft agents list | test <name> --prompt "..."`: the agents of weft.config.yaml (docs/agents.md). */
export function registerAgents(program: Command): void {
  const agents = program.command('agents').description('the agent registry: list agents, invoke one once');
  agents
    .command('list')
    .description('list the configured agents (type, target, tools); keys are never shown')
    .option('--json', 'print the agents as a JSON array')
    .action(exitWith(listAction));
  agents
    .command('test')
    .description('invoke an agent once with a prompt and print its answer and token usage')
    .argument('<name>', 'an agent name from weft.config.yaml')
    .requiredOption('--prompt <text>', 'the prompt')
    .option('--json', 'print { output, usage } as JSON')
    .action(exitWith(testAction));
}

async function listAction(options: { json?: boolean }, command: Command): Promise<number> {
  const ctx = await loadContext(command);
  const rows = await withEngine(ctx, async (engine) =>
    (engine.agents?.list() ?? []).map((a) => ({
      name: a.name,
      type: a.type,
      target: a.target,
      tools: [...a.tools],
      max_concurrency: a.maxConcurrency ?? null,
      timeout_ms: a.timeout ?? null,
    })),
  );
  if (options.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return EXIT.ok;
  }
  if (rows.length === 0) {
    process.stderr.write('no agents configured (add agents: to weft.config.yaml)\n');
    return EXIT.ok;
  }
  const { table } = await import('../render/table.js');
  const text = table(rows, [
    { header: 'NAME', value: (r) => r.name },
    { header: 'TYPE', value: (r) => r.type },
    { header: 'TARGET', value: (r) => r.target },
    { header: 'TOOLS', value: (r) => r.tools.join(', ') },
    {
      header: 'MAX',
      value: (r) => (r.max_concurrency === null ? '' : String(r.max_concurrency)),
      align: 'right',
    },
  ]);
  process.stdout.write(`${text}\n`);
  return EXIT.ok;
}

async function testAction(
  name: string,
  options: { prompt: string; json?: boolean },
  command: Command,
): Promise<number> {
  const ctx = await loadContext(command);
  return withEngine(ctx, async (engine) => {
    engine.agents?.require(name); // not_found, with did-you-mean
    const document = {
      name: 'agents-test',
      steps: [{ id: 'test', type: 'agent', agent: name, prompt: options.prompt }],
    };
    const handle = await engine.start({ document }, {});
    const result = await handle.result();
    const details = await engine.getRun(result.runId);
    const usage = ctx.core.runUsage(details?.steps ?? []) ?? null;
    if (options.json) {
      process.stdout.write(
        `${JSON.stringify({ status: result.status, output: result.output, error: result.error, usage }, null, 2)}\n`,
      );
    } else if (result.status === 'completed') {
      const out = typeof result.output === 'string' ? result.output : JSON.stringify(result.output, null, 2);
      process.stdout.write(`${out}\n`);
      if (usage)
        process.stderr.write(
          `tokens ${usage.total_tokens} (prompt ${usage.prompt_tokens}, completion ${usage.completion_tokens})\n`,
        );
    } else {
      process.stderr.write(`agent '${name}' failed: ${result.error?.code}: ${result.error?.message}\n`);
    }
    return result.status === 'completed' ? EXIT.ok : EXIT.failed;
  });
}
