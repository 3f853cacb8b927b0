import { stat } from 'node:fs/promises';
import { fileError, resolvePath } from '../support/paths.js';
import { defineSkill } from '../types.js';

export interface FileExistsInput {
  path: string;
}

export const fileExistsSkill = defineSkill<FileExistsInput, { exists: boolean }>({
  name: 'file.exists',
  description: 'Tells whether a file or directory exists at a path.',
  input: {
    type: 'object',
    properties: { path: { type: 'string', minLength: 1 } },
    required: ['path'],
    additionalProperties: false,
  },
  run: async ({ path }, ctx) => {
    const absolute = resolvePath(ctx, path);
    try {
      await stat(absolute);
      return { exists: true };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return { exists: false };
      throw fileError('file.exists', absolute, error);
    }
  },
});
