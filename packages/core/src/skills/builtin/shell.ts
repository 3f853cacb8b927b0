import { stat } from 'node:fs/promises';
import { constants } from 'node:os';
import { WeftError } from '../../errors.js';
import { tail } from '../support/bounded-output.js';
import { resolvePath } from '../support/paths.js';
import { DEFAULT_MAX_OUTPUT_BYTES, type ProcessResult, runProcess } from '../support/process.js';
import { defineSkill, type SkillDefinition } from '../types.js';

export interface ShellInput {
  /** A string runs through `/bin/sh -c`; an array is argv, run without a shell. */
  command: string | string[];
  /** Relative to the run's working directory (the default). */
  cwd?: string;
  /** Merged over the engine's environment; null removes a variable. */
  env?: Record<string, string | number | boolean | null>;
  stdin?: string;
  allow_failure?: boolean;
}

export interface ShellOutput {
  stdout: string;
  stderr: string;
  /** 128 + the signal number when a signal ended the command, as a shell reports it. */
  exit_code: number;
}

export interface ShellSkillOptions {
  /** Captured per stream; beyond it output is dropped and a marker appended. Default 10 MiB. */
  maxOutputBytes?: number;
  /** Between SIGTERM and SIGKILL when the step is cancelled. Default 2 s. */
  killGraceMs?: number;
}

// Error details are stored with the step and in the dead-letter queue: keep them small.
const DETAIL_CHARS = 64 * 1024;
const SCALAR = { type: ['string', 'number', 'boolean', 'null'] };

/** The `shell` skill with its limits; `shellSkill` is this with the defaults. */
export function createShellSkill(options: ShellSkillOptions = {}): SkillDefinition<ShellInput, ShellOutput> {
  return defineSkill<ShellInput, ShellOutput>({
    name: 'shell',
    description: 'Runs a command (a string through /bin/sh -c, or an argv array) and returns its output.',
    input: {
      type: 'object',
      properties: {
        command: { type: ['string', 'array'], minLength: 1, minItems: 1, items: { type: 'string' } },
        cwd: { type: 'string' },
        env: { type: 'object', additionalProperties: SCALAR },
        stdin: { type: 'string' },
        allow_failure: { type: 'boolean', default: false },
      },
      required: ['command'],
      additionalProperties: false,
    },
    run: async (input, ctx) => {
      const [file, ...args] =
        typeof input.command === 'string' ? ['/bin/sh', '-c', input.command] : input.command;
      if (file === undefined || file === '') {
        throw new WeftError('validation_failed', 'shell: /command must not be empty');
      }
      const cwd = resolvePath(ctx, input.cwd ?? '.');
      const label = commandLabel(input.command);
      let result: ProcessResult;
      try {
        result = await runProcess({
          file,
          args,
          cwd,
          env: mergeEnv(input.env),
          ...(input.stdin === undefined ? {} : { stdin: input.stdin }),
          signal: ctx.signal,
          maxOutputBytes: options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
          ...(options.killGraceMs === undefined ? {} : { killGraceMs: options.killGraceMs }),
        });
      } catch (error) {
        if (error instanceof WeftError) throw error;
        throw await startError(error as NodeJS.ErrnoException, file, cwd);
      }
      const exitCode = result.exitCode ?? 128 + (result.signal ? (constants.signals[result.signal] ?? 0) : 0);
      const output = { stdout: result.stdout, stderr: result.stderr, exit_code: exitCode };
      if (exitCode === 0 || input.allow_failure) return output;
      const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${exitCode}`;
      const last = lastLine(result.stderr);
      throw new WeftError('exit_code', `command '${label}' ${how}${last ? `: ${last}` : ''}`, {
        details: {
          exit_code: exitCode,
          ...(result.signal ? { signal: result.signal } : {}),
          stdout: tail(result.stdout, DETAIL_CHARS),
          stderr: tail(result.stderr, DETAIL_CHARS),
        },
      });
    },
  });
}

export const shellSkill = createShellSkill();

function mergeEnv(overrides: ShellInput['env']): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [name, value] of Object.entries(overrides ?? {})) {
    if (value === null) delete env[name];
    else env[name] = String(value);
  }
  return env;
}

async function startError(error: NodeJS.ErrnoException, file: string, cwd: string): Promise<WeftError> {
  if (error.code === 'ENOENT') {
    const cwdExists = await stat(cwd).then(
      (info) => info.isDirectory(),
      () => false,
    );
    if (!cwdExists) {
      return new WeftError('skill_error', `shell: working directory '${cwd}' does not exist`, {
        cause: error,
      });
    }
    return new WeftError('skill_error', `shell: cannot start '${file}': command not found (ENOENT)`, {
      cause: error,
    });
  }
  const code = error.code ? ` (${error.code})` : '';
  return new WeftError('skill_error', `shell: cannot start '${file}': ${error.message}${code}`, {
    cause: error,
  });
}

function commandLabel(command: string | string[]): string {
  const text =
    typeof command === 'string'
      ? command
      : command.map((arg) => (/\s/.test(arg) ? JSON.stringify(arg) : arg)).join(' ');
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 100 ? `${oneLine.slice(0, 99)}…` : oneLine;
}

function lastLine(text: string): string {
  const lines = text
    .slice(-4096)
    .split('\n')
    .map((line) => line.trim());
  const last = lines.filter((line) => line !== '' && !line.startsWith('[output truncated:')).at(-1) ?? '';
  return last.length > 200 ? `${last.slice(0, 199)}…` : last;
}
