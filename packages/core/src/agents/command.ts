import { WeftError } from '../errors.js';
import { type ProcessResult, runProcess } from '../skills/support/process.js';
import type { AgentSetting } from './config.js';
import { userMessage } from './prompt.js';
import type { AgentAdapter } from './types.js';

/**
 * `type: command` — a command-line agent. `{prompt}` in an argument is replaced by the prompt;
 * stdin gets the full message (`stdin: prompt`), `{ prompt, inputs }` (`json`) or nothing. Its
 * process group is killed on timeout or cancel. stdout is the answer (`output: text | json`).
 */
export function commandAgent(name: string, setting: AgentSetting): AgentAdapter {
  const argv = setting.command;
  if (!argv || argv.length === 0)
    throw new WeftError('invalid_config', `agent '${name}': command is required for type command`);
  const mode = setting.stdin ?? 'prompt';
  return {
    type: 'command',
    async invoke(request, ctx) {
      ctx.turn();
      const message = userMessage(request);
      const args = argv.slice(1).map((arg) => arg.replaceAll('{prompt}', request.prompt));
      let stdin: string | undefined;
      if (mode === 'prompt') stdin = message;
      else if (mode === 'json')
        stdin = JSON.stringify({
          prompt: request.prompt,
          inputs: request.inputs ?? {},
          system: request.system,
          output_schema: request.outputSchema,
        });
      let result: ProcessResult;
      try {
        result = await runProcess({
          file: argv[0]!,
          args,
          cwd: ctx.cwd,
          env: { ...process.env, ...setting.env },
          ...(stdin === undefined ? {} : { stdin }),
          signal: ctx.signal,
        });
      } catch (error) {
        if (error instanceof WeftError) throw error;
        throw new WeftError(
          'agent_error',
          `agent '${name}': cannot start '${argv[0]}': ${(error as Error).message}`,
          { cause: error },
        );
      }
      if (result.exitCode !== 0) {
        throw new WeftError(
          'agent_error',
          `agent '${name}': '${argv[0]}' exited with ${result.exitCode ?? result.signal}: ${result.stderr.slice(-500)}`,
          {
            details: { exit_code: result.exitCode },
          },
        );
      }
      if (setting.output === 'json') {
        try {
          const json = JSON.parse(result.stdout) as unknown;
          if (json && typeof json === 'object' && 'usage' in json)
            ctx.usage((json as { usage: Record<string, number> }).usage);
          return { text: result.stdout, json };
        } catch {
          throw new WeftError(
            'agent_error',
            `agent '${name}': stdout is not JSON: ${result.stdout.slice(0, 200)}`,
          );
        }
      }
      return { text: result.stdout.trimEnd() };
    },
  };
}
