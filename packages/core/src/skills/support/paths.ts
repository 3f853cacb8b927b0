import { resolve } from 'node:path';
import { WeftError } from '../../errors.js';
import type { SkillContext } from '../types.js';

/** A skill's path input, made absolute against the run's working directory. */
export function resolvePath(ctx: Pick<SkillContext, 'cwd'>, path: string): string {
  return resolve(ctx.cwd, path);
}

const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'is a directory, not a file:',
  ENOTDIR: 'a parent is not a directory:',
  EACCES: 'permission denied for',
  EPERM: 'operation not permitted for',
};

/** `file.read: no such file '/abs/x.txt'` as a `skill_error`, with the fs error as cause. */
export function fileError(skill: string, path: string, error: unknown): WeftError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason = code === undefined ? undefined : REASONS[code];
  const message = reason
    ? `${skill}: ${reason} '${path}'`
    : `${skill}: cannot access '${path}': ${(error as Error).message}`;
  return new WeftError('skill_error', message, {
    cause: error,
    details: { path, ...(code ? { errno: code } : {}) },
  });
}
