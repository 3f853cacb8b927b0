import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { throwIfAborted } from '../support/abort.js';
import { fileError, resolvePath } from '../support/paths.js';
import { defineSkill, type SkillContext } from '../types.js';

export interface FileLinesInput {
  path: string;
}

/**
 * The lines of a text file, read as a stream (`\n` or `\r\n`; no empty item for a final newline).
 * Used by `file.lines` as a `stream` step source; stops with the abort reason when `ctx.signal` fires.
 */
export async function* fileLinesIterable(
  path: string,
  ctx: Pick<SkillContext, 'cwd' | 'signal'>,
): AsyncGenerator<string, void, undefined> {
  const absolute = resolvePath(ctx, path);
  throwIfAborted(ctx.signal);
  const handle = await open(absolute, 'r').catch((error: unknown) => {
    throw fileError('file.lines', absolute, error);
  });
  const stream = handle.createReadStream({ encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY, signal: ctx.signal });
  try {
    for await (const line of lines) {
      throwIfAborted(ctx.signal);
      yield line;
    }
    throwIfAborted(ctx.signal); // an aborted interface ends quietly
  } catch (error) {
    throwIfAborted(ctx.signal);
    throw fileError('file.lines', absolute, error);
  } finally {
    lines.close();
    stream.destroy();
  }
}

export const fileLinesSkill = defineSkill<FileLinesInput, string[]>({
  name: 'file.lines',
  description: 'Reads a text file as a list of lines; as a stream source, yields one item per line.',
  input: {
    type: 'object',
    properties: { path: { type: 'string', minLength: 1 } },
    required: ['path'],
    additionalProperties: false,
  },
  run: async ({ path }, ctx) => {
    const result: string[] = [];
    for await (const line of fileLinesIterable(path, ctx)) result.push(line);
    return result;
  },
  iterate: ({ path }, ctx) => fileLinesIterable(path, ctx),
});
