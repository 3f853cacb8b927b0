import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { applySets } from './set.js';

/**
 * The value of `--input`: JSON text, or `@file.json` (relative to `cwd`).
 * @example await parseInputOption('{"n": 5}', process.cwd()) // { n: 5 }
 */
export async function parseInputOption(option: string, cwd: string): Promise<unknown> {
  if (option.startsWith('@')) {
    const file = option.slice(1);
    if (file === '')
      throw new UsageError("--input @: expected a file name after '@', e.g. --input @input.json");
    let text: string;
    try {
      text = await readFile(resolve(cwd, file), 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT'
          ? 'no such file'
          : code === 'EISDIR'
            ? 'it is a directory'
            : (error as Error).message;
      throw new UsageError(`--input ${option}: cannot read ${file}: ${why}`, { cause: error });
    }
    return parseJson(text, `--input ${option}: ${file} is not valid JSON`);
  }
  return parseJson(option, '--input: expected JSON or @file.json');
}

function parseJson(text: string, context: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${context}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The run input from `--input` and every `--set` (applied in order over it); `{}` when neither is given.
 * @example await buildInput({ input: '{"a":1}', set: ['b.c=true'] }, cwd) // { a: 1, b: { c: true } }
 */
export async function buildInput(
  options: { input?: string; set?: readonly string[] },
  cwd: string,
): Promise<unknown> {
  const base = options.input === undefined ? {} : await parseInputOption(options.input, cwd);
  return applySets(base, options.set ?? []);
}
