import { readFile } from 'node:fs/promises';
import { throwIfAborted } from '../support/abort.js';
import { fileError, resolvePath } from '../support/paths.js';
import { defineSkill } from '../types.js';

export interface FileReadInput {
  /** Relative to the run's working directory. */
  path: string;
}

export const fileReadSkill = defineSkill<FileReadInput, string>({
  name: 'file.read',
  description: 'Reads a UTF-8 text file and returns its content.',
  input: {
    type: 'object',
    properties: { path: { type: 'string', minLength: 1 } },
    required: ['path'],
    additionalProperties: false,
  },
  run: async ({ path }, ctx) => {
    const absolute = resolvePath(ctx, path);
    try {
      return await readFile(absolute, { encoding: 'utf8', signal: ctx.signal });
    } catch (error) {
      throwIfAborted(ctx.signal);
      throw fileError('file.read', absolute, error);
    }
  },
});
