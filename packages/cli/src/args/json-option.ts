import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';

/**
 * The value of a JSON option such as `--data`: JSON text, or `@file.json` (relative to `cwd`).
 * Bad JSON or an unreadable file is a UsageError (exit 2) naming the option.
 * @example await parseJsonOption('--data', '{"order_id":"A-1"}', process.cwd()) // { order_id: 'A-1' }
 */
export async function parseJsonOption(name: string, value: string, cwd: string): Promise<unknown> {
  let text = value;
  let what = `${name}: expected JSON or @file.json, e.g. ${name} '{"order_id":"A-1"}'`;
  if (value.startsWith('@')) {
    const file = value.slice(1);
    try {
      text = await readFile(resolve(cwd, file), 'utf8');
    } catch (error) {
      const reason =
        (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
      throw new UsageError(`${name} ${value}: cannot read ${file}: ${reason}`, { cause: error });
    }
    what = `${name} ${value}: ${file} is not valid JSON`;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${what} (${(error as Error).message})`, { cause: error });
  }
}
