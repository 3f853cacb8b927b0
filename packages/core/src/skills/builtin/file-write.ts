import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { throwIfAborted } from '../support/abort.js';
import { fileError, resolvePath } from '../support/paths.js';
import { defineSkill } from '../types.js';

export interface FileWriteInput {
  path: string;
  /** Strings are written as they are; anything else as compact JSON. */
  content: unknown;
  append?: boolean;
}

export interface FileWriteOutput {
  /** Absolute path of the file written. */
  path: string;
  /** Bytes written by this call. */
  bytes: number;
}

export const fileWriteSkill = defineSkill<FileWriteInput, FileWriteOutput>({
  name: 'file.write',
  description:
    'Writes (or appends) text to a file, creating parent directories; non-strings are JSON-encoded.',
  input: {
    type: 'object',
    properties: {
      path: { type: 'string', minLength: 1 },
      content: { description: 'A string, or any value to write as JSON.' },
      append: { type: 'boolean', default: false },
    },
    required: ['path', 'content'],
    additionalProperties: false,
  },
  run: async ({ path, content, append }, ctx) => {
    const absolute = resolvePath(ctx, path);
    const text = typeof content === 'string' ? content : (JSON.stringify(content) ?? 'null');
    try {
      await mkdir(dirname(absolute), { recursive: true });
      if (append) await appendFile(absolute, text, 'utf8');
      else await writeFile(absolute, text, { encoding: 'utf8', signal: ctx.signal });
    } catch (error) {
      throwIfAborted(ctx.signal);
      throw fileError('file.write', absolute, error);
    }
    return { path: absolute, bytes: Buffer.byteLength(text, 'utf8') };
  },
});
