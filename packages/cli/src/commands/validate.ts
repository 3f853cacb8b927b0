import { resolve } from 'node:path';
import type { Problem, SkillRegistry } from '@weft/core';
import type { Command } from 'commander';
import { type CliContext, loadContext } from '../context.js';
import { EXIT } from '../errors.js';
import { exitWith } from './action.js';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check workflow documents without running them')
    .argument('<file...>', 'workflow documents (.yaml, .yml or .json)')
    .option('--json', 'print the problems as a JSON array on stdout')
    .addHelpText(
      'after',
      '\nPrints one line per problem: file:line:column: path: message. Exit status: 0 all valid, 2 otherwise.',
    )
    .action(exitWith(validateAction));
}

async function validateAction(
  files: string[],
  options: { json?: boolean },
  command: Command,
): Promise<number> {
  return validateFiles(await loadContext(command), files, options);
}

/** Checks documents as `weft validate` does, printing `ok <file>` or one line per problem to stderr. */
export async function validateFiles(
  ctx: CliContext,
  files: readonly string[],
  options: { json?: boolean; skills?: ReadonlySet<string> } = {},
): Promise<number> {
  const skills = options.skills ?? (await knownSkills(ctx));
  const all: Problem[] = [];
  for (const file of files) {
    // An unreadable file is a problem at 1:1, like any other.
    const { problems } = await ctx.core.loadWorkflowFile(resolve(ctx.cwd, file), {
      file,
      skills,
      agents: new Set(Object.keys(ctx.config.agents ?? {})),
    });
    all.push(...problems);
    if (options.json) continue;
    if (problems.length === 0) process.stderr.write(`ok ${file}\n`);
    for (const problem of problems) process.stderr.write(`${ctx.core.formatProblem(problem)}\n`);
  }
  if (options.json) process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
  return all.length === 0 ? EXIT.ok : EXIT.usage;
}

/** Built-in skills plus those of the config's skill modules: a step naming another is a problem. */
export async function knownSkills(ctx: CliContext): Promise<ReadonlySet<string>> {
  return (await skillRegistry(ctx)).names();
}

/** The skills a run here can call: built-ins, the config's skill modules, MCP tools. */
export async function skillRegistry(ctx: CliContext): Promise<SkillRegistry> {
  const { SkillRegistry, builtinSkills, loadSkillModules } = ctx.core;
  const registry = new SkillRegistry(builtinSkills);
  for (const skill of await loadSkillModules(ctx.config.skills, { cwd: ctx.cwd })) registry.register(skill);
  // MCP tools are skills too (`mcp.<server>.<tool>`): list them from the servers.
  const mcp = await ctx.core.connectMcpServers(ctx.config.mcpServers ?? {}, { cwd: ctx.cwd });
  await mcp.close();
  for (const skill of mcp.skills) registry.register(skill);
  return registry;
}
