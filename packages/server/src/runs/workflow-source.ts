import { readFile, realpath } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { Registry } from '@weft/core';
import { apiError } from '../errors/api-error.js';

/** A workflow to run, as a request names it: the document text, or a file on the server. */
export interface WorkflowSourceBody {
  source?: string;
  path?: string;
  /** A registered workflow's name: its active version, or `version`. */
  workflow?: string;
  version?: number;
  /** Name shown in problems when `source` is given. */
  file?: string;
}

export interface WorkflowSource {
  source: string;
  /** Absolute path of the file on the server; null for text sent in the request. */
  path: string | null;
  /** Name used in problems. */
  file: string;
  /** Set for a registered workflow: the version the run starts with. */
  registered?: { name: string; version: number };
}

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/**
 * The document a request names. Paths are relative to the server's workflows directory and may
 * not leave it (no absolute paths, no `..`, no symlink out), so the API cannot read other files.
 */
export async function resolveWorkflowSource(
  body: WorkflowSourceBody,
  workflowsDir: string,
  registry: Pick<Registry, 'resolve'>,
): Promise<WorkflowSource> {
  const given = (['source', 'path', 'workflow'] as const).filter((key) => typeof body[key] === 'string');
  if (given.length !== 1) {
    throw apiError(
      'invalid_request',
      'expected exactly one of body.source (the document text), body.path (a file under the workflows directory) or body.workflow (a registered workflow)',
      {
        issues: [
          {
            path: 'body',
            message: given.length === 0 ? 'none of them is set' : `${given.join(' and ')} are set`,
          },
        ],
      },
    );
  }
  if (body.version !== undefined && given[0] !== 'workflow') {
    throw apiError(
      'invalid_request',
      'body.version picks a version of a registered workflow (body.workflow)',
      {
        issues: [{ path: 'body.version', message: 'only with body.workflow' }],
      },
    );
  }
  if (given[0] === 'workflow') {
    const { definition } = await registry.resolve(body.workflow as string, body.version);
    const registered = { name: definition.name, version: definition.version };
    return {
      source: definition.source,
      path: null,
      file: `${registered.name}@${registered.version}`,
      registered,
    };
  }
  const hasSource = given[0] === 'source';
  if (hasSource) {
    return { source: body.source as string, path: null, file: body.file ?? '<input>' };
  }
  const path = await safePath(body.path as string, workflowsDir);
  try {
    return { source: await readFile(path, 'utf8'), path, file: body.path as string };
  } catch (error) {
    throw notFound(body.path as string, error);
  }
}

async function safePath(requested: string, dir: string): Promise<string> {
  const base = resolve(dir);
  const target = resolve(base, requested);
  const rel = relative(base, target);
  if (isAbsolute(requested) || rel.startsWith('..') || isAbsolute(rel) || requested.includes('\0')) {
    throw apiError(
      'forbidden',
      `body.path must name a file inside the server's workflows directory, got '${requested}'`,
    );
  }
  if (!EXTENSIONS.has(extname(target).toLowerCase())) {
    throw apiError('invalid_request', `body.path must end in .yaml, .yml or .json, got '${requested}'`);
  }
  let real: string;
  try {
    real = await realpath(target);
  } catch (error) {
    throw notFound(requested, error);
  }
  const realBase = await realpath(base).catch(() => base);
  if (real !== realBase && !real.startsWith(realBase + sep)) {
    throw apiError('forbidden', `body.path '${requested}' leads outside the server's workflows directory`);
  }
  return real;
}

function notFound(requested: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code;
  const why = code === 'EISDIR' ? 'it is a directory' : 'no such file';
  return apiError(
    'not_found',
    `cannot read workflow '${requested}' in the server's workflows directory: ${why}`,
  );
}
